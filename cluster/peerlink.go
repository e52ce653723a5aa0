package cluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/redcon"
)

// Peer links: node-to-node command connections over the peers' ordinary
// client ports, speaking RESP. They carry commands this node forwards to
// every other node, first of all CLUSTER DELIVER <channel> <message> so that
// PUBLISH reaches subscribers on every node, as in Redis Cluster.
//
// Delivery is at most once per peer and in order: a command is written once;
// if the connection breaks, the batch whose write failed, and anything the
// peer had not yet processed, may be lost (counted as dropped when the write
// itself fails), and is never resent — like messages on Redis's cluster bus.
// Commands queued while a peer is unreachable wait, up to MaxQueueBytes, and
// go out in order once the link reconnects.

// Defaults for LinkOptions.
const (
	DefaultLinkMaxQueueBytes = 64 << 20
	DefaultLinkDialTimeout   = 2 * time.Second
	DefaultLinkWriteTimeout  = 10 * time.Second
)

const (
	linkMinBackoff = 50 * time.Millisecond
	linkMaxBackoff = 2 * time.Second
	// A connection that stayed up this long resets the reconnect backoff.
	linkStableAfter = time.Second
	// At most one warning per kind (connection trouble, error replies) per
	// link per linkWarnEvery; the rest are counted and reported with the next.
	linkWarnEvery = 10 * time.Second
	// A batch buffer larger than this is not kept for reuse once written.
	linkMaxSpare = 1 << 20

	// Limits of the reply parser; replies beyond them are protocol errors.
	replyReadBuffer = 16 << 10 // also the longest simple line
	replyMaxBulk    = 512 << 20
	replyMaxElems   = 1 << 24
	replyMaxDepth   = 32
	replyLogMax     = 256 // error replies are logged truncated to this
)

// LinkOptions configures Links. The zero value is usable.
type LinkOptions struct {
	// Password, when non-empty, is sent as AUTH <password> first on every
	// new connection.
	Password string
	// MaxQueueBytes bounds each peer's queue (encoded bytes not yet written,
	// including the batch being written); a command that does not fit is
	// dropped and counted. Zero or less means DefaultLinkMaxQueueBytes.
	MaxQueueBytes int64
	// DialTimeout bounds each connection attempt (default DefaultLinkDialTimeout).
	DialTimeout time.Duration
	// WriteTimeout bounds each batch write; a peer that does not read for
	// this long is disconnected (default DefaultLinkWriteTimeout).
	WriteTimeout time.Duration
	// Logger receives connection trouble and error replies, rate-limited,
	// at Warn. Nil discards them.
	Logger *slog.Logger
}

// LinkStats are one peer link's counters (CLUSTER LINKS, INFO).
type LinkStats struct {
	Sent      int64 // commands written to a connection
	Dropped   int64 // commands discarded: queue full, or in a batch whose write failed
	Queued    int64 // bytes queued, including a batch being written
	Connected bool  // a connection is established
}

// Links keeps one outgoing RESP connection per peer client address. Each
// link has one writer goroutine, owned by Links and stopped by Retain or
// Close, which connects (and reconnects with backoff), writes queued commands
// in batches and owns the goroutine reading that connection's replies.
// Replies are read and discarded so the peer's output buffer never fills;
// error replies are logged. Delivery is in order and at most once per peer:
// commands queued while a peer is unreachable wait (up to MaxQueueBytes),
// but commands already written to a connection that breaks may be lost and
// are never resent. All methods are safe for concurrent use.
type Links struct {
	opts LinkOptions
	log  *slog.Logger

	mu     sync.RWMutex
	links  map[string]*link
	closed bool
	wg     sync.WaitGroup // every link's writer goroutine
}

// NewLinks returns an empty set of links; links are created by Send.
func NewLinks(opts LinkOptions) *Links {
	if opts.MaxQueueBytes <= 0 {
		opts.MaxQueueBytes = DefaultLinkMaxQueueBytes
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = DefaultLinkDialTimeout
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = DefaultLinkWriteTimeout
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Links{opts: opts, log: log, links: make(map[string]*link)}
}

// Send queues one command (its arguments, the command name first) for the
// peer at addr ("ip:port"), creating the link on first use. It never blocks
// on the network and copies args, so the caller may reuse them. A command
// that does not fit in the peer's queue is dropped and counted. Send with no
// args, or after Close, does nothing.
func (l *Links) Send(addr string, args ...[]byte) {
	if len(args) == 0 {
		return
	}
	k := l.link(addr)
	if k == nil {
		return
	}
	k.enqueue(args)
}

// link returns the link to addr, creating it, or nil after Close.
func (l *Links) link(addr string) *link {
	l.mu.RLock()
	k, closed := l.links[addr], l.closed
	l.mu.RUnlock()
	if k != nil || closed {
		return k
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	if k = l.links[addr]; k != nil {
		return k
	}
	k = newLink(l, addr)
	l.links[addr] = k
	l.wg.Add(1)
	go k.run()
	return k
}

// Retain closes and forgets the links to every address not in addrs (peers
// that left). Their queued commands are discarded. It does not wait for the
// links' goroutines to end; Close does.
func (l *Links) Retain(addrs []string) {
	keep := make(map[string]bool, len(addrs))
	for _, a := range addrs {
		keep[a] = true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for addr, k := range l.links {
		if !keep[addr] {
			delete(l.links, addr)
			k.stop()
		}
	}
}

// Stats returns the counters of every current link, by peer address.
func (l *Links) Stats() map[string]LinkStats {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make(map[string]LinkStats, len(l.links))
	for addr, k := range l.links {
		out[addr] = k.stats()
	}
	return out
}

// Close stops every link, closing its connection and discarding its queue,
// and waits for all link goroutines to end. Later Sends do nothing. Close is
// idempotent and always returns nil.
func (l *Links) Close() error {
	l.mu.Lock()
	links := l.links
	l.links, l.closed = nil, true
	l.mu.Unlock()
	for _, k := range links {
		k.stop()
	}
	l.wg.Wait()
	return nil
}

// link is the connection to one peer and its queue.
type link struct {
	owner *Links
	addr  string
	log   *slog.Logger

	ctx    context.Context // cancelled by stop
	cancel context.CancelFunc
	wake   chan struct{} // capacity 1: the queue may have become non-empty

	mu       sync.Mutex
	pending  []byte // encoded commands not yet taken by the writer
	pendingN int    // number of commands in pending
	inflight int    // bytes of the batch being written
	stopped  bool

	sent, dropped atomic.Int64
	connected     atomic.Bool

	// Only the writer goroutine uses these.
	spare    []byte // written batch kept to become the next pending buffer
	connWarn warnLimiter
	// Only the current reader goroutine uses this; readers run one at a
	// time (the writer waits for one to end before starting the next).
	replyWarn warnLimiter
}

func newLink(owner *Links, addr string) *link {
	ctx, cancel := context.WithCancel(context.Background())
	return &link{
		owner:  owner,
		addr:   addr,
		log:    owner.log.With("peer", addr),
		ctx:    ctx,
		cancel: cancel,
		wake:   make(chan struct{}, 1),
	}
}

// enqueue appends one encoded command to the queue, or counts it dropped.
func (k *link) enqueue(args [][]byte) {
	size := commandSize(args)
	k.mu.Lock()
	if k.stopped || int64(len(k.pending)+k.inflight+size) > k.owner.opts.MaxQueueBytes {
		k.mu.Unlock()
		k.dropped.Add(1)
		return
	}
	k.pending = appendCommand(k.pending, args)
	k.pendingN++
	k.mu.Unlock()
	select {
	case k.wake <- struct{}{}:
	default:
	}
}

// take hands the writer everything queued, or nil if nothing is.
func (k *link) take() (batch []byte, n int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.pending) == 0 {
		return nil, 0
	}
	batch, n = k.pending, k.pendingN
	k.pending, k.pendingN, k.inflight = k.spare, 0, len(batch)
	k.spare = nil
	return batch, n
}

// written records the outcome of writing a batch taken by take.
func (k *link) written(batch []byte, n int, err error) {
	k.mu.Lock()
	k.inflight = 0
	k.mu.Unlock()
	if err != nil {
		k.dropped.Add(int64(n))
	} else {
		k.sent.Add(int64(n))
	}
	if cap(batch) <= linkMaxSpare {
		k.spare = batch[:0]
	}
}

func (k *link) stats() LinkStats {
	k.mu.Lock()
	queued := int64(len(k.pending) + k.inflight)
	k.mu.Unlock()
	return LinkStats{
		Sent:      k.sent.Load(),
		Dropped:   k.dropped.Load(),
		Queued:    queued,
		Connected: k.connected.Load(),
	}
}

// stop ends the link: its writer goroutine returns promptly (the context
// cancels a dial or a backoff wait and closes the connection, unblocking
// reads and writes) and later enqueues are dropped.
func (k *link) stop() {
	k.mu.Lock()
	k.stopped = true
	k.dropped.Add(int64(k.pendingN))
	k.pending, k.pendingN = nil, 0
	k.mu.Unlock()
	k.cancel()
}

// run is the link's writer goroutine: connect, serve until the connection
// fails, back off, repeat, until stopped.
func (k *link) run() {
	defer k.owner.wg.Done()
	backoff := linkMinBackoff
	for {
		conn, err := k.dial()
		if err == nil {
			start := time.Now()
			err = k.serve(conn)
			if time.Since(start) >= linkStableAfter {
				backoff = linkMinBackoff
			}
		}
		if k.ctx.Err() != nil {
			return
		}
		k.warn(&k.connWarn, "peer link down", "err", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-k.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, linkMaxBackoff)
	}
}

func (k *link) dial() (net.Conn, error) {
	d := net.Dialer{Timeout: k.owner.opts.DialTimeout}
	conn, err := d.DialContext(k.ctx, "tcp", k.addr)
	if err != nil {
		return nil, fmt.Errorf("dial peer %s: %w", k.addr, err)
	}
	return conn, nil
}

// serve runs one connection: it starts the reply reader, sends AUTH, then
// writes batches until a write fails, the reader ends or the link stops.
// It closes conn and waits for the reader before returning.
func (k *link) serve(conn net.Conn) (err error) {
	stopClose := context.AfterFunc(k.ctx, func() { conn.Close() })
	readerDone := make(chan struct{})
	var readErr error
	go func() {
		defer close(readerDone)
		readErr = k.readReplies(conn)
	}()
	k.connected.Store(true)
	defer func() {
		k.connected.Store(false)
		conn.Close()
		<-readerDone
		stopClose()
	}()

	if pw := k.owner.opts.Password; pw != "" {
		auth := appendCommand(nil, [][]byte{[]byte("AUTH"), []byte(pw)})
		if err := k.write(conn, auth); err != nil {
			return fmt.Errorf("peer %s: send AUTH: %w", k.addr, err)
		}
	}
	for {
		batch, n := k.take()
		if batch == nil {
			select {
			case <-k.wake:
				continue
			case <-readerDone:
				return fmt.Errorf("peer %s: read reply: %w", k.addr, readErr)
			case <-k.ctx.Done():
				return k.ctx.Err()
			}
		}
		err := k.write(conn, batch)
		k.written(batch, n, err)
		if err != nil {
			return fmt.Errorf("peer %s: write %d commands: %w", k.addr, n, err)
		}
	}
}

func (k *link) write(conn net.Conn, b []byte) error {
	if err := conn.SetWriteDeadline(time.Now().Add(k.owner.opts.WriteTimeout)); err != nil {
		return err
	}
	_, err := conn.Write(b)
	return err
}

// readReplies reads and discards replies until the connection fails or
// carries something that is not RESP, logging error replies.
func (k *link) readReplies(conn net.Conn) error {
	r := bufio.NewReaderSize(conn, replyReadBuffer)
	for {
		if err := discardReply(r, 0, k.errorReply); err != nil {
			return err
		}
	}
}

func (k *link) errorReply(msg string) {
	if len(msg) > replyLogMax {
		msg = msg[:replyLogMax] + "..."
	}
	k.warn(&k.replyWarn, "peer link error reply", "reply", msg)
}

// warn logs at Warn unless w allowed a warning less than linkWarnEvery ago.
func (k *link) warn(w *warnLimiter, msg string, args ...any) {
	ok, suppressed := w.allow(time.Now())
	if !ok {
		return
	}
	if suppressed > 0 {
		args = append(args, "suppressed", suppressed)
	}
	k.log.Warn(msg, args...)
}

// warnLimiter allows one event per linkWarnEvery and counts the rest. It is
// not safe for concurrent use.
type warnLimiter struct {
	last       time.Time
	suppressed int
}

func (w *warnLimiter) allow(now time.Time) (ok bool, suppressed int) {
	if !w.last.IsZero() && now.Sub(w.last) < linkWarnEvery {
		w.suppressed++
		return false, 0
	}
	suppressed, w.last, w.suppressed = w.suppressed, now, 0
	return true, suppressed
}

// commandSize is the length of args encoded by appendCommand.
func commandSize(args [][]byte) int {
	n := 1 + decimalLen(len(args)) + 2
	for _, a := range args {
		n += 1 + decimalLen(len(a)) + 2 + len(a) + 2
	}
	return n
}

// appendCommand appends args as a RESP array of bulk strings.
func appendCommand(b []byte, args [][]byte) []byte {
	b = redcon.AppendArray(b, len(args))
	for _, a := range args {
		b = redcon.AppendBulk(b, a)
	}
	return b
}

func decimalLen(n int) int {
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}

// errReplyProtocol marks a reply that is not well-formed RESP or exceeds a limit.
var errReplyProtocol = errors.New("protocol error in reply")

// discardReply reads one RESP2 or RESP3 reply from r and discards it,
// calling onError with the text of every error reply in it (top-level or
// nested). It allocates nothing for non-error replies and never panics.
func discardReply(r *bufio.Reader, depth int, onError func(string)) error {
	if depth > replyMaxDepth {
		return fmt.Errorf("%w: nested deeper than %d", errReplyProtocol, replyMaxDepth)
	}
	line, err := readReplyLine(r)
	if err != nil {
		return err
	}
	if len(line) == 0 {
		return fmt.Errorf("%w: empty line", errReplyProtocol)
	}
	kind, rest := line[0], line[1:]
	switch kind {
	case '+', ':', '_', ',', '#', '(': // simple string, integer, null, double, boolean, big number
		return nil
	case '-': // error
		onError(string(rest))
		return nil
	case '$', '=', '!': // bulk string, verbatim string, bulk error
		n, err := parseReplyLength(rest, replyMaxBulk)
		if err != nil || n < 0 {
			return err
		}
		if kind == '!' {
			return readReplyBulkError(r, n, onError)
		}
		return discardReplyBulk(r, n)
	case '*', '~', '>', '%', '|': // array, set, push, map, attribute
		n, err := parseReplyLength(rest, replyMaxElems)
		if err != nil || n < 0 {
			return err
		}
		if kind == '%' || kind == '|' {
			n *= 2
		}
		for i := int64(0); i < n; i++ {
			if err := discardReply(r, depth+1, onError); err != nil {
				return err
			}
		}
		if kind == '|' { // attributes precede the reply they describe
			return discardReply(r, depth+1, onError)
		}
		return nil
	default:
		return fmt.Errorf("%w: unknown type byte %q", errReplyProtocol, kind)
	}
}

// readReplyLine returns the next CRLF-terminated line without its CRLF. The slice
// is valid until the next read from r.
func readReplyLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, fmt.Errorf("%w: line longer than %d bytes", errReplyProtocol, r.Size())
	case err != nil:
		return nil, err
	case len(line) < 2 || line[len(line)-2] != '\r':
		return nil, fmt.Errorf("%w: line not terminated by CRLF", errReplyProtocol)
	}
	return line[:len(line)-2], nil
}

// parseReplyLength parses the length of a bulk or aggregate reply: -1 (null) or
// 0..limit.
func parseReplyLength(b []byte, limit int64) (int64, error) {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n < -1 || n > limit {
		return 0, fmt.Errorf("%w: bad length %.32q", errReplyProtocol, b)
	}
	return n, nil
}

func discardReplyBulk(r *bufio.Reader, n int64) error {
	if _, err := r.Discard(int(n)); err != nil {
		return err
	}
	return readReplyCRLF(r)
}

func readReplyBulkError(r *bufio.Reader, n int64, onError func(string)) error {
	keep := min(n, replyLogMax)
	buf := make([]byte, keep)
	if _, err := io.ReadFull(r, buf); err != nil {
		return err
	}
	if err := discardReplyBulk(r, n-keep); err != nil {
		return err
	}
	onError(string(buf))
	return nil
}

func readReplyCRLF(r *bufio.Reader) error {
	var crlf [2]byte
	if _, err := io.ReadFull(r, crlf[:]); err != nil {
		return err
	}
	if crlf != [2]byte{'\r', '\n'} {
		return fmt.Errorf("%w: bulk not terminated by CRLF", errReplyProtocol)
	}
	return nil
}
