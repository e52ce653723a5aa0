package resp

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kvnode/kvnode/engine"
)

// Blocking commands (BLPOP, BLMOVE, BZPOPMIN, …) park the connection until
// a write to one of their keys lets them proceed, a timeout passes, the
// client is unblocked (CLIENT UNBLOCK) or goes away.
//
// Fairness is Redis': clients blocked on a key are served in the order
// they blocked. The engine's touch hook reports written keys; one
// goroutine (the unblocker) then offers each written key to its waiters in
// FIFO order, one at a time, until a waiter finds nothing to take. A
// waiter's attempt runs on its own connection goroutine (it owns the
// reply buffer) while the unblocker waits for the outcome. A parked client
// costs no CPU: it sleeps on channels.

// parseTimeout parses a blocking command's timeout in seconds, decimals
// allowed, as Redis' getTimeoutFromObjectOrReply does. 0 means forever.
//
// Redis reads a long double (hex and inf accepted) and converts
// seconds×1000 to a long long; a value that does not fit comes out
// negative on x86, so it answers "timeout is negative", as kvnode does.
func parseTimeout(arg []byte) (time.Duration, string) {
	f, ok := engine.ParseLongDouble(arg)
	if !ok {
		return 0, errTimeoutFloat
	}
	ms := math.Trunc(f * 1000)
	if ms < 0 || ms >= math.MaxInt64 || math.IsInf(ms, 0) {
		return 0, errTimeoutNegative
	}
	if ms > float64(math.MaxInt64/int64(time.Millisecond)) {
		ms = float64(math.MaxInt64 / int64(time.Millisecond)) // ~292 years
	}
	return time.Duration(ms) * time.Millisecond, ""
}

// Waiter states, guarded by blockRegistry.mu.
const (
	waitIdle       = iota // queued, waiting for a wake-up
	waitAttempting        // the unblocker handed it a key; it must answer
	waitGone              // left every queue
)

// unblock reasons sent by CLIENT UNBLOCK.
const (
	unblockTimeout = 1
	unblockError   = 2
)

type waiter struct {
	c       *Client
	keys    []string
	state   int
	wake    chan struct{} // unblocker → waiter: try now
	result  chan bool     // waiter → unblocker: did it take something
	unblock chan int      // CLIENT UNBLOCK
}

// blockRegistry holds the parked clients by key.
type blockRegistry struct {
	mu      sync.Mutex
	byKey   map[string][]*waiter
	ready   map[string]struct{}
	count   atomic.Int64 // parked clients, for the touch fast path and INFO
	readyCh chan struct{}
}

func newBlockRegistry() *blockRegistry {
	return &blockRegistry{byKey: map[string][]*waiter{}, ready: map[string]struct{}{}, readyCh: make(chan struct{}, 1)}
}

// touched is the engine's touch hook: it marks written keys that have
// waiters as ready. It never blocks.
func (r *blockRegistry) touched(keys [][]byte) {
	if r.count.Load() == 0 || keys == nil {
		return
	}
	r.mu.Lock()
	any := false
	for _, k := range keys {
		if _, ok := r.byKey[string(k)]; ok {
			r.ready[string(k)] = struct{}{}
			any = true
		}
	}
	r.mu.Unlock()
	if any {
		select {
		case r.readyCh <- struct{}{}:
		default:
		}
	}
}

func (r *blockRegistry) add(w *waiter) {
	r.mu.Lock()
	for _, k := range w.keys {
		r.byKey[k] = append(r.byKey[k], w)
	}
	r.mu.Unlock()
	r.count.Add(1)
}

// removeLocked takes w out of every queue.
func (r *blockRegistry) removeLocked(w *waiter) {
	if w.state == waitGone {
		return
	}
	w.state = waitGone
	for _, k := range w.keys {
		q := r.byKey[k]
		for i, x := range q {
			if x == w {
				q = append(q[:i:i], q[i+1:]...)
				break
			}
		}
		if len(q) == 0 {
			delete(r.byKey, k)
		} else {
			r.byKey[k] = q
		}
	}
	r.count.Add(-1)
}

// run is the unblocker: it serves ready keys until ctx ends.
func (r *blockRegistry) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.readyCh:
		}
		r.mu.Lock()
		keys := make([]string, 0, len(r.ready))
		for k := range r.ready {
			keys = append(keys, k)
		}
		clear(r.ready)
		r.mu.Unlock()
		for _, k := range keys {
			if !r.serveKey(ctx, k) {
				return
			}
		}
	}
}

// serveKey offers key to its waiters in FIFO order until one finds
// nothing. It returns false when ctx ended.
func (r *blockRegistry) serveKey(ctx context.Context, key string) bool {
	for {
		r.mu.Lock()
		var w *waiter
		for _, x := range r.byKey[key] {
			if x.state == waitIdle {
				w = x
				break
			}
		}
		if w == nil {
			r.mu.Unlock()
			return true
		}
		w.state = waitAttempting
		r.mu.Unlock()
		select {
		case w.wake <- struct{}{}:
		case <-ctx.Done():
			return false
		}
		select {
		case ok := <-w.result:
			if !ok {
				return true
			}
		case <-ctx.Done():
			return false
		}
	}
}

// blockOn serves a blocking command. try makes one non-blocking attempt:
// when it finds what it needs it performs the operation, writes the whole
// reply and returns true; otherwise it writes nothing and returns false.
// blockOn returns after a successful try, or after calling onTimeout
// (which writes the timeout reply) once timeout has passed (0 = never).
// Inside MULTI/EXEC the command does not block: one try, then onTimeout.
func (c *Client) blockOn(keys [][]byte, timeout time.Duration, try func() bool, onTimeout func()) {
	if try() {
		return
	}
	if c.inExec {
		onTimeout()
		return
	}
	// Replies to earlier pipelined commands go out before parking.
	if err := c.flush(); err != nil {
		return
	}
	// A parked client must not hold the exec lock (EXEC would wait on it);
	// each attempt takes it again.
	c.srv.execMu.RUnlock()
	defer c.srv.execMu.RLock()
	r := c.srv.blocked
	w := &waiter{c: c, wake: make(chan struct{}), result: make(chan bool), unblock: make(chan int, 1)}
	for _, k := range keys {
		w.keys = append(w.keys, string(k))
	}
	r.add(w)
	c.waiting.Store(w)
	defer c.waiting.Store(nil)
	// A write may have landed between the first try and registering.
	r.touched(keys)

	gone, stopWatch := c.watchConn()
	defer stopWatch()
	var expire <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expire = t.C
	}
	// attempt answers a wake-up; it reports whether the command is done.
	attempt := func() bool {
		c.srv.execMu.RLock()
		ok := try()
		c.srv.execMu.RUnlock()
		r.mu.Lock()
		if ok {
			r.removeLocked(w)
		} else if w.state == waitAttempting {
			w.state = waitIdle
		}
		r.mu.Unlock()
		w.result <- ok
		return ok
	}
	// leave takes w out of the queues unless the unblocker is handing it a
	// key, which it must then answer first; it reports whether that last
	// attempt completed the command.
	leave := func() (done bool) {
		r.mu.Lock()
		if w.state == waitAttempting {
			r.mu.Unlock()
			<-w.wake
			if attempt() {
				return true
			}
			r.mu.Lock()
		}
		r.removeLocked(w)
		r.mu.Unlock()
		return false
	}
	for {
		select {
		case <-w.wake:
			if attempt() {
				return
			}
		case <-expire:
			if !leave() {
				onTimeout()
			}
			return
		case how := <-w.unblock:
			if !leave() {
				if how == unblockError {
					c.w.Error(errUnblocked)
				} else {
					onTimeout()
				}
			}
			return
		case <-gone:
			leave()
			c.closeAfter = true
			return
		case <-c.done:
			leave()
			return
		}
	}
}

// watchConn reads from the connection while the client is parked, so a
// client that disconnects is noticed (its parked command must not take
// data nobody will receive). Bytes that arrive are kept for the reader.
// stop ends the watch and waits for it.
func (c *Client) watchConn() (gone <-chan struct{}, stop func()) {
	g := make(chan struct{})
	done := make(chan struct{})
	var stopping atomic.Bool
	go func() {
		defer close(done)
		for c.rd.buffered() < 1<<20 {
			if err := c.rd.readMore(); err != nil {
				if !stopping.Load() {
					close(g)
				}
				return
			}
		}
	}()
	return g, func() {
		stopping.Store(true)
		_ = c.conn.SetReadDeadline(time.Now())
		<-done
		if !c.killed.Load() {
			_ = c.conn.SetReadDeadline(time.Time{})
		}
	}
}

// cmdClientUnblock is CLIENT UNBLOCK id [TIMEOUT|ERROR].
func cmdClientUnblock(c *Client, args [][]byte) {
	id, ok := argInt(args[2])
	if !ok {
		c.w.Error(errNotInteger)
		return
	}
	how := unblockTimeout
	if len(args) == 4 {
		switch {
		case eq(args[3], "timeout"):
		case eq(args[3], "error"):
			how = unblockError
		default:
			c.w.Error(errUnblockReason)
			return
		}
	} else if len(args) > 4 {
		c.w.Error(errSyntax)
		return
	}
	for _, cl := range c.srv.clientList() {
		if cl.id != id {
			continue
		}
		if w := cl.waiting.Load(); w != nil {
			select {
			case w.unblock <- how:
				c.w.Int(1)
				return
			default:
			}
		}
		break
	}
	c.w.Int(0)
}
