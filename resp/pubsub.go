package resp

import (
	"net"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Node-local Pub/Sub: SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UNs,
// PUBLISH, SPUBLISH and PUBSUB (the commands are in cmd_pubsub.go).
//
// Delivery. PUBLISH runs on the publisher's connection goroutine, but a
// subscriber's reply buffer (Client.w) belongs to the subscriber's own
// goroutine. So a connection that subscribes gets an output queue
// (outQueue): a mutex-guarded list of byte chunks drained to the socket by
// a writer goroutine the connection owns. From then on every byte the connection
// sends goes through it — its own replies, appended by flush, and the
// messages publishers append — so:
//
//   - a publisher never blocks on a subscriber's socket: it appends the
//     frame under the queue's mutex, which nobody holds across I/O;
//   - order is kept: the queue is one FIFO. (P|S)SUBSCRIBE registers the
//     client and moves its reply into the queue under the hub's write lock,
//     while publishers deliver under its read lock, so a subscription's
//     confirmation always precedes the messages it brings; (P|S)UNSUBSCRIBE
//     leaves the hub before its confirmation is queued, so no message for
//     the channel follows it. A subscriber's replies are queued after every
//     command (not once per pipeline), and a publisher that is itself
//     subscribed queues its pending replies before delivering, so replies
//     and messages leave in the order they were produced;
//   - memory is bounded by Redis' `client-output-buffer-limit pubsub 32mb
//     8mb 60`: while the connection is subscribed, pending output (queued
//     plus being written) reaching the hard limit, or staying at or above the
//     soft limit for more than the soft seconds, drops the queue and kills
//     the connection at once. As in Redis the limits are checked when output
//     is added. They are Redis' defaults (defaultObuf): the option is not
//     configurable yet (Redis' CONFIG SET merges per-class values, which the
//     option table cannot express).
//
// Subscription confirmations and messages are "pushes" in Redis: they are
// sent even under CLIENT REPLY OFF/SKIP. Moving them into the queue inside
// the command keeps them out of the serve loop's reply truncation.
//
// Ownership: the queue and its writer start on the first subscription and
// live until the connection ends; serve's endPubSub leaves the hub, lets
// the writer drain what is queued (QUIT's +OK) and waits for it. kill()
// aborts the queue, breaking a write in progress with a past deadline.

// Subscription kinds.
const (
	subChannel = iota // SUBSCRIBE
	subPattern        // PSUBSCRIBE
	subShard          // SSUBSCRIBE
	subKinds
)

// obufLimits is one client class's client-output-buffer-limit; zero bytes
// disables a limit.
type obufLimits struct {
	hard, soft int64
	softFor    time.Duration
}

// defaultObuf is Redis' default for the pubsub class: 32mb 8mb 60.
var defaultObuf = obufLimits{hard: 32 << 20, soft: 8 << 20, softFor: 60 * time.Second}

// ownReplyHighWater: the serve loop waits for the queue to drain below this
// before reading the next command, the back-pressure a blocking socket
// write used to give.
const ownReplyHighWater = 1 << 20

// subEntry is one subscribed channel or pattern and its subscribers.
type subEntry struct {
	name    []byte
	clients map[*Client]struct{}
}

// pubsubHub is the server's subscription registry. Lock order: hub.mu,
// then a queue's mu.
type pubsubHub struct {
	mu   sync.RWMutex
	subs [subKinds]map[string]*subEntry
	// obuf overrides defaultObuf (tests).
	obuf atomic.Pointer[obufLimits]
}

func (h *pubsubHub) limits() obufLimits {
	if l := h.obuf.Load(); l != nil {
		return *l
	}
	return defaultObuf
}

// count returns the number of distinct channels (or patterns) of kind.
func (h *pubsubHub) count(kind int) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.subs[kind])
}

func (h *pubsubHub) addLocked(kind int, name []byte, c *Client) {
	m := h.subs[kind]
	if m == nil {
		m = map[string]*subEntry{}
		h.subs[kind] = m
	}
	e := m[string(name)]
	if e == nil {
		e = &subEntry{name: append([]byte(nil), name...), clients: map[*Client]struct{}{}}
		m[string(name)] = e
	}
	e.clients[c] = struct{}{}
}

func (h *pubsubHub) removeLocked(kind int, name string, c *Client) {
	e := h.subs[kind][name]
	if e == nil {
		return
	}
	delete(e.clients, c)
	if len(e.clients) == 0 {
		delete(h.subs[kind], name)
	}
}

// pubsubState is a connection's own subscriptions, owned by its goroutine.
type pubsubState struct {
	subs [subKinds]map[string]struct{}
}

// total is the number of subscriptions of every kind: non-zero means the
// connection is in Pub/Sub mode (Redis' CLIENT_PUBSUB).
func (p *pubsubState) total() int {
	return len(p.subs[subChannel]) + len(p.subs[subPattern]) + len(p.subs[subShard])
}

// count is the number a (un)subscribe reply reports: channels plus
// patterns, or shard channels.
func (p *pubsubState) count(kind int) int {
	if kind == subShard {
		return len(p.subs[subShard])
	}
	return len(p.subs[subChannel]) + len(p.subs[subPattern])
}

// subscribedRESP2 reports whether Redis' RESP2 subscribed-context rules
// apply to the connection.
func (c *Client) subscribedRESP2() bool { return c.w.proto == 2 && c.ps.total() > 0 }

// syncSubInfo publishes the subscription counts for CLIENT LIST.
func (c *Client) syncSubInfo() {
	c.mu.Lock()
	c.mu.sub = len(c.ps.subs[subChannel])
	c.mu.psub = len(c.ps.subs[subPattern])
	c.mu.ssub = len(c.ps.subs[subShard])
	c.mu.Unlock()
	c.setFlags()
}

// isPubSub reports, from any goroutine, whether c is a Pub/Sub client
// (CLIENT LIST/KILL TYPE pubsub).
func (c *Client) isPubSub() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.sub+c.mu.psub+c.mu.ssub > 0
}

// outMem is the connection's pending pushed output, CLIENT LIST omem.
func (c *Client) outMem() int64 {
	if q := c.out.Load(); q != nil {
		return q.pending.Load()
	}
	return 0
}

// Queue storage: a list of chunks, like Redis' reply list, so memory
// follows the pending bytes (no doubling copies of one big buffer) and the
// writer sends a batch with one writev.
const (
	chunkSize  = 64 << 10
	freeChunks = 16 // spare chunks kept for reuse
)

// outQueue is a connection's outbound byte queue once it has subscribed.
type outQueue struct {
	c    *Client
	conn net.Conn

	mu     sync.Mutex
	cond   sync.Cond // bytes queued, a write done, or the queue ending
	chunks [][]byte  // bytes waiting for the writer, in order
	queued int       // bytes in chunks
	free   [][]byte  // emptied chunks for reuse
	// inflight is the bytes of the batch the writer is sending now.
	inflight int
	proto    int  // protocol of pushed frames: the owner's, as of its last push
	pubsub   bool // the connection is subscribed: the pubsub limits apply
	// softSince is when pending output first reached the soft limit (zero:
	// it is below).
	softSince time.Time
	closing   bool // the connection ends: drain, then stop
	aborted   bool // dropped: discard everything, stop now

	pending atomic.Int64  // queued+inflight, for CLIENT LIST omem
	stopped chan struct{} // closed when the writer returns
}

// outQueue returns c's queue, starting it and its writer on first use.
// Only the connection's goroutine calls it.
func (c *Client) outQueue() *outQueue {
	if q := c.out.Load(); q != nil {
		return q
	}
	q := &outQueue{c: c, conn: c.conn, proto: c.w.proto, stopped: make(chan struct{})}
	q.cond.L = &q.mu
	c.out.Store(q)
	go q.run()
	if c.killed.Load() {
		q.abort() // kill ran before the queue existed
	}
	return q
}

// appendLocked copies b at the end of the queue.
func (q *outQueue) appendLocked(b []byte) {
	q.queued += len(b)
	for len(b) > 0 {
		n := len(q.chunks)
		if n == 0 || len(q.chunks[n-1]) == cap(q.chunks[n-1]) {
			var ch []byte
			if k := len(q.free); k > 0 {
				ch, q.free = q.free[k-1], q.free[:k-1]
			} else {
				ch = make([]byte, 0, chunkSize)
			}
			q.chunks = append(q.chunks, ch)
			n++
		}
		last := q.chunks[n-1]
		m := min(len(b), cap(last)-len(last))
		q.chunks[n-1] = append(last, b[:m]...)
		b = b[m:]
	}
}

// queuedLocked records a change of the queued bytes and wakes the writer.
func (q *outQueue) queuedLocked() {
	q.pending.Store(int64(q.queued + q.inflight))
	q.cond.Broadcast()
}

// run is the writer: it sends queued bytes in order until the queue is
// aborted, or closed and drained.
func (q *outQueue) run() {
	defer close(q.stopped)
	var batch, iov [][]byte
	for {
		q.mu.Lock()
		for q.queued == 0 && !q.closing && !q.aborted {
			q.cond.Wait()
		}
		if q.aborted || q.queued == 0 {
			q.mu.Unlock()
			return
		}
		batch = append(batch[:0], q.chunks...)
		clear(q.chunks)
		q.chunks = q.chunks[:0]
		q.inflight, q.queued = q.queued, 0
		q.mu.Unlock()

		// WriteTo consumes (and nils) the elements of its slice: give it
		// a copy, so the chunks can be reused.
		iov = append(iov[:0], batch...)
		bufs := net.Buffers(iov)
		n, err := bufs.WriteTo(q.conn)
		q.c.srv.stats.netOutput.Add(n)

		q.mu.Lock()
		q.inflight = 0
		for _, ch := range batch {
			if len(q.free) < freeChunks && !q.aborted {
				q.free = append(q.free, ch[:0])
			}
		}
		clear(batch)
		clear(iov)
		failed := err != nil && !q.aborted
		if err != nil {
			q.abortLocked()
		}
		q.queuedLocked()
		q.mu.Unlock()
		if failed {
			q.c.srv.log.Debug("client write failed", "client", q.c.id, "err", err)
			q.c.kill()
		}
	}
}

// abort drops everything queued and stops the writer, breaking a write in
// progress. It is idempotent.
func (q *outQueue) abort() {
	q.mu.Lock()
	q.abortLocked()
	q.mu.Unlock()
}

func (q *outQueue) abortLocked() {
	if q.aborted {
		return
	}
	q.aborted = true
	q.chunks, q.free, q.queued = nil, nil, 0
	q.queuedLocked()
	_ = q.conn.SetWriteDeadline(time.Now())
}

// finish ends the queue when the connection ends: the writer sends what is
// queued, unless the client is killed (done) meanwhile.
func (q *outQueue) finish(done <-chan struct{}) {
	q.mu.Lock()
	q.closing = true
	q.cond.Broadcast()
	q.mu.Unlock()
	select {
	case <-q.stopped:
	case <-done:
		q.abort()
		<-q.stopped
	}
}

// admitLocked applies the output buffer limits to n more bytes, as Redis'
// checkClientOutputBufferLimits does after adding a reply; false means the
// connection must be dropped.
func (q *outQueue) admitLocked(n int) bool {
	if !q.pubsub {
		return true // the normal client class has no limits
	}
	lim := q.c.srv.pubsub.limits()
	used := int64(q.queued+q.inflight) + int64(n)
	if lim.hard > 0 && used >= lim.hard {
		return false
	}
	if lim.soft > 0 && used >= lim.soft {
		now := time.Now()
		if q.softSince.IsZero() {
			q.softSince = now
		} else if now.Sub(q.softSince) > lim.softFor {
			return false
		}
	} else {
		q.softSince = time.Time{}
	}
	return true
}

// overLimit logs and kills a connection whose queue was dropped for its
// output buffer limits. Call it without the queue's lock.
func (q *outQueue) overLimit() {
	q.c.srv.log.Warn("client closed for overcoming of output buffer limits", "client", q.c.id, "addr", q.c.raddr)
	q.c.kill()
}

// push queues the owner's reply bytes b; proto and subscribed describe the
// connection now. It returns false once the queue is aborted.
func (q *outQueue) push(b []byte, proto int, subscribed bool) bool {
	q.mu.Lock()
	q.proto, q.pubsub = proto, subscribed
	if q.aborted {
		q.mu.Unlock()
		return false
	}
	if len(b) == 0 {
		q.mu.Unlock()
		return true
	}
	if !q.admitLocked(len(b)) {
		q.abortLocked()
		q.mu.Unlock()
		q.overLimit()
		return false
	}
	q.appendLocked(b)
	q.queuedLocked()
	q.mu.Unlock()
	return true
}

// waitBelow blocks the owner until pending output is under n or the queue
// is aborted; it reports whether the queue is still alive. Never call it
// holding a lock other goroutines need (the exec lock, the hub's).
func (q *outQueue) waitBelow(n int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for !q.aborted && q.queued+q.inflight >= n {
		q.cond.Wait()
	}
	return !q.aborted
}

// deliver queues one message frame: the push header for the subscriber's
// protocol, then body. It returns false when the frame put the connection
// over its limits (the caller then calls overLimit).
func (q *outQueue) deliver(elems int, body []byte) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.aborted {
		return true // already dropped
	}
	if !q.admitLocked(4 + len(body)) {
		q.abortLocked()
		return false
	}
	hdr := [4]byte{'*', byte('0' + elems), '\r', '\n'}
	if q.proto == 3 {
		hdr[0] = '>'
	}
	q.appendLocked(hdr[:])
	q.appendLocked(body)
	q.queuedLocked()
	return true
}

// pushReplies moves the owner's buffered replies into its queue without
// waiting for its pending writes; callers have waited for them (flush).
func (c *Client) pushReplies(q *outQueue) bool {
	ok := q.push(c.w.b, c.w.proto, c.ps.total() > 0)
	c.w.b = c.w.b[:0]
	c.flushes++
	return ok
}

// flushToQueue is flush for a connection that has a queue: it waits for
// the pending writes, then queues the replies.
func (c *Client) flushToQueue(q *outQueue) error {
	if err := c.acks.Wait(); err != nil {
		c.srv.log.Error("write failed to commit; closing client", "client", c.id, "err", err)
		c.w.b = c.w.b[:0]
		return err
	}
	if !c.pushReplies(q) {
		return errQueueClosed
	}
	if cap(c.w.b) > 1<<20 {
		c.w.b = nil
	}
	c.obuf.Store(int64(cap(c.w.b)))
	c.rbs.Store(int64(c.rd.bufSize()))
	return nil
}

// errQueueClosed: the connection's output queue was dropped.
var errQueueClosed = net.ErrClosed

// subscribe serves SUBSCRIBE, PSUBSCRIBE and SSUBSCRIBE.
func (c *Client) subscribe(kind int, names [][]byte) {
	q := c.outQueue()
	// Earlier replies go first, once their writes have committed.
	if err := c.flush(); err != nil {
		c.closeAfter = true
		return
	}
	h := &c.srv.pubsub
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, name := range names {
		m := c.ps.subs[kind]
		if m == nil {
			m = map[string]struct{}{}
			c.ps.subs[kind] = m
		}
		if _, ok := m[string(name)]; !ok {
			m[string(name)] = struct{}{}
			h.addLocked(kind, name, c)
		}
		c.subReply(subscribeWord[kind], name, c.ps.count(kind))
	}
	c.syncSubInfo()
	// Queued before any publisher can see the subscription.
	c.pushReplies(q)
}

// unsubscribe serves UNSUBSCRIBE, PUNSUBSCRIBE and SUNSUBSCRIBE; no names
// means all of the kind.
func (c *Client) unsubscribe(kind int, names [][]byte) {
	q := c.out.Load()
	if q == nil && (c.replyMode != replyOn || c.skip) {
		// The confirmation is a push, sent even under CLIENT REPLY
		// OFF/SKIP: it must bypass the serve loop's truncation.
		q = c.outQueue()
	}
	if q == nil {
		// Never subscribed: nothing to order against messages.
		c.unsubscribeReplies(kind, names)
		return
	}
	if err := c.flush(); err != nil {
		c.closeAfter = true
		return
	}
	c.unsubscribeReplies(kind, names)
	c.pushReplies(q)
}

// unsubscribeReplies leaves the subscriptions and writes the
// confirmations.
func (c *Client) unsubscribeReplies(kind int, names [][]byte) {
	if len(names) == 0 {
		names = c.subNames(kind)
		if len(names) == 0 {
			// Nothing to leave: Redis still answers, with a null name.
			c.subReply(unsubscribeWord[kind], nil, c.ps.count(kind))
		}
	}
	h := &c.srv.pubsub
	h.mu.Lock()
	for _, name := range names {
		if _, ok := c.ps.subs[kind][string(name)]; ok {
			delete(c.ps.subs[kind], string(name))
			h.removeLocked(kind, string(name), c)
		}
		c.subReply(unsubscribeWord[kind], name, c.ps.count(kind))
	}
	h.mu.Unlock()
	c.syncSubInfo()
}

// subNames returns c's subscriptions of kind, sorted.
func (c *Client) subNames(kind int) [][]byte {
	names := make([]string, 0, len(c.ps.subs[kind]))
	for n := range c.ps.subs[kind] {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([][]byte, len(names))
	for i, n := range names {
		out[i] = []byte(n)
	}
	return out
}

// unsubscribeAll leaves every subscription without replying (RESET,
// disconnect).
func (c *Client) unsubscribeAll() {
	if c.ps.total() == 0 {
		return
	}
	h := &c.srv.pubsub
	h.mu.Lock()
	for kind := range c.ps.subs {
		for name := range c.ps.subs[kind] {
			h.removeLocked(kind, name, c)
		}
		c.ps.subs[kind] = nil
	}
	h.mu.Unlock()
	c.syncSubInfo()
}

// endPubSub runs when the connection ends: it leaves the hub, then lets the
// writer send what is queued and waits for it.
func (c *Client) endPubSub() {
	c.unsubscribeAll()
	if q := c.out.Load(); q != nil {
		q.finish(c.done)
	}
}

var (
	subscribeWord   = [subKinds]string{"subscribe", "psubscribe", "ssubscribe"}
	unsubscribeWord = [subKinds]string{"unsubscribe", "punsubscribe", "sunsubscribe"}
)

// subReply writes a (un)subscribe confirmation; a nil name is a null.
func (c *Client) subReply(word string, name []byte, count int) {
	c.w.Push(3)
	c.w.BulkString(word)
	if name == nil {
		c.w.Null()
	} else {
		c.w.Bulk(name)
	}
	c.w.Int(int64(count))
}

// pubsubPong answers PING in RESP2 subscribed mode, as Redis does: a
// two-element array "pong" and the argument (empty by default). It reports
// whether it answered.
func (c *Client) pubsubPong(args [][]byte) bool {
	if len(args) > 2 || !c.subscribedRESP2() {
		return false
	}
	c.w.Array(2)
	c.w.BulkString("pong")
	if len(args) == 2 {
		c.w.Bulk(args[1])
	} else {
		c.w.BulkString("")
	}
	return true
}

// pubsubRefused applies Redis' RESP2 subscribed-context rule before a
// command runs: only (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT and RESET
// are allowed. Unknown commands, arity and authentication errors come
// first, from dispatch. It reports whether it refused (and replied).
func (c *Client) pubsubRefused(args [][]byte) bool {
	if !c.subscribedRESP2() {
		return false
	}
	cmd, _ := c.srv.table.resolve(args)
	if cmd == nil {
		return false
	}
	if !c.authed.Load() && cmd.Flags&FlagNoAuth == 0 && c.srv.cfg.PasswordSet() {
		return false
	}
	switch cmd.FullName() {
	case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe",
		"sunsubscribe", "ping", "quit", "reset":
		return false
	}
	c.lastCmd.Store(cmd)
	c.reject(args, errPubsubContext(cmd.FullName()))
	return true
}

// publish delivers msg to the subscribers of channel (and, unless shard,
// of matching patterns) and returns the number of receivers.
func (c *Client) publish(kind int, channel, msg []byte) int64 {
	if q := c.out.Load(); q != nil && c.ps.total() > 0 {
		// The publisher may receive its own message: its earlier replies
		// go first.
		if err := c.flush(); err != nil {
			c.closeAfter = true
			return 0
		}
	}
	h := &c.srv.pubsub
	var n int64
	var drop []*outQueue
	h.mu.RLock()
	if e := h.subs[kind][string(channel)]; e != nil {
		word := "message"
		if kind == subShard {
			word = "smessage"
		}
		body := appendBulks(nil, []byte(word), channel, msg)
		for sc := range e.clients {
			n++
			if q := sc.out.Load(); !q.deliver(3, body) {
				drop = append(drop, q)
			}
		}
	}
	if kind == subChannel {
		for _, e := range h.subs[subPattern] {
			if !globMatch(e.name, channel, false) {
				continue
			}
			body := appendBulks(nil, []byte("pmessage"), e.name, channel, msg)
			for sc := range e.clients {
				n++
				if q := sc.out.Load(); !q.deliver(4, body) {
					drop = append(drop, q)
				}
			}
		}
	}
	h.mu.RUnlock()
	for _, q := range drop {
		q.overLimit()
	}
	return n
}

// appendBulks appends RESP bulk strings.
func appendBulks(b []byte, items ...[]byte) []byte {
	for _, it := range items {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(it)), 10)
		b = append(b, '\r', '\n')
		b = append(b, it...)
		b = append(b, '\r', '\n')
	}
	return b
}

// channelList returns the channels of kind matching pattern (nil: all),
// sorted.
func (h *pubsubHub) channelList(kind int, pattern []byte) [][]byte {
	h.mu.RLock()
	var out [][]byte
	for _, e := range h.subs[kind] {
		if pattern == nil || globMatch(pattern, e.name, false) {
			out = append(out, e.name)
		}
	}
	h.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return string(out[i]) < string(out[j]) })
	return out
}

// numSub returns the number of subscribers of each channel of kind.
func (h *pubsubHub) numSub(kind int, channels [][]byte) []int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]int, len(channels))
	for i, ch := range channels {
		if e := h.subs[kind][string(ch)]; e != nil {
			out[i] = len(e.clients)
		}
	}
	return out
}
