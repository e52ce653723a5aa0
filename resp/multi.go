package resp

import (
	"sync"
	"sync/atomic"
	"time"
)

// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//
// Atomicity: every command runs holding the server's exec lock for reading;
// EXEC takes it for writing while it runs its queue, so no other client's
// command runs in between — Redis' guarantee, since Redis runs one command
// at a time. Parked blocking commands release it while they wait.
//
// WATCH: the engine's touch hook reports every key a committed write
// changed (including active expiry and FLUSHALL); a client watching one of
// them is marked dirty and its EXEC answers a null array. A watched key
// that had a TTL and has expired by EXEC (even if not yet removed) also
// aborts it, as in Redis 7.

// multiState is a client's open transaction.
type multiState struct {
	queue [][][]byte
	cmds  []*Command
	// abort is set by a command refused while queuing (EXECABORT).
	abort bool
}

// watchRegistry maps watched keys to the clients watching them.
type watchRegistry struct {
	mu    sync.Mutex
	byKey map[string]map[*Client]struct{}
	count atomic.Int64 // watched (client, key) pairs: the hook's fast path
}

func newWatchRegistry() *watchRegistry {
	return &watchRegistry{byKey: map[string]map[*Client]struct{}{}}
}

// touched marks the clients watching keys dirty. nil means every key was
// removed (FLUSHALL): as in Redis, that touches only watched keys that
// existed — one that existed at WATCH and was removed or recreated since
// has already made its client dirty.
func (r *watchRegistry) touched(keys [][]byte) {
	if r.count.Load() == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if keys == nil {
		for k, cs := range r.byKey {
			for c := range cs {
				if w := c.watchedAt(k); w.existed {
					c.watchDirty.Store(true)
				}
			}
		}
		return
	}
	for _, k := range keys {
		for c := range r.byKey[string(k)] {
			c.watchDirty.Store(true)
		}
	}
}

func (r *watchRegistry) add(c *Client, key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cs := r.byKey[key]
	if cs == nil {
		cs = map[*Client]struct{}{}
		r.byKey[key] = cs
	}
	if _, ok := cs[c]; !ok {
		cs[c] = struct{}{}
		r.count.Add(1)
	}
}

// unwatchAll forgets c's watched keys and its dirty mark.
func (c *Client) unwatchAll() {
	if len(c.watched) > 0 {
		r := c.srv.watches
		r.mu.Lock()
		for k := range c.watched {
			if cs := r.byKey[k]; cs != nil {
				if _, ok := cs[c]; ok {
					delete(cs, c)
					r.count.Add(-1)
				}
				if len(cs) == 0 {
					delete(r.byKey, k)
				}
			}
		}
		r.mu.Unlock()
		c.watchMu.Lock()
		c.watched = nil
		c.watchMu.Unlock()
	}
	c.watchDirty.Store(false)
}

func multiCommands() []*Command {
	f := FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy
	return []*Command{
		{Name: "multi", Arity: 1, Flags: f | FlagNoMulti, Handler: cmdMulti, Group: "transactions"},
		{Name: "exec", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagSkipSlowlog, Handler: cmdExec, Group: "transactions"},
		{Name: "discard", Arity: 1, Flags: f, Handler: cmdDiscard, Group: "transactions"},
		{Name: "watch", Arity: -2, Flags: f | FlagNoMulti, First: 1, Last: -1, Step: 1, Handler: cmdWatch, Group: "transactions"},
		{Name: "unwatch", Arity: 1, Flags: f, Handler: cmdUnwatch, Group: "transactions"},
	}
}

// runsInMulti reports whether cmd executes at once inside MULTI instead of
// being queued (Redis: EXEC, DISCARD, MULTI, WATCH, QUIT, RESET).
func runsInMulti(cmd *Command) bool {
	switch cmd.Name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return cmd.fullName == ""
	}
	return false
}

func cmdMulti(c *Client, args [][]byte) {
	if c.multi != nil {
		c.w.Error(errMultiNested)
		return
	}
	c.multi = &multiState{}
	c.w.OK()
}

func cmdDiscard(c *Client, args [][]byte) {
	if c.multi == nil {
		c.w.Error(errDiscardNoMulti)
		return
	}
	c.multi = nil
	c.unwatchAll()
	c.w.OK()
}

func cmdWatch(c *Client, args [][]byte) {
	if c.multi != nil {
		c.w.Error(errWatchInMulti)
		return
	}
	for _, k := range args[1:] {
		key := string(k)
		if _, ok := c.watched[key]; ok {
			continue
		}
		at, _, exists, err := c.db.ExpireTime(k)
		if err != nil {
			c.replyErr(err)
			return
		}
		if !exists {
			at = 0
		}
		c.watchMu.Lock()
		if c.watched == nil {
			c.watched = map[string]watchInfo{}
		}
		c.watched[key] = watchInfo{expireAt: at, existed: exists}
		c.watchMu.Unlock()
		c.srv.watches.add(c, key)
	}
	c.w.OK()
}

func cmdUnwatch(c *Client, args [][]byte) {
	c.unwatchAll()
	c.w.OK()
}

// watchedExpired reports whether a watched key that had a TTL has expired
// since WATCH.
func (c *Client) watchedExpired() bool {
	now := time.Now().UnixMilli()
	c.watchMu.Lock()
	defer c.watchMu.Unlock()
	for _, w := range c.watched {
		if w.expireAt != 0 && w.expireAt <= now {
			return true
		}
	}
	return false
}

// watchInfo is what WATCH noted of a key.
type watchInfo struct {
	expireAt int64 // its expire time then, 0 for none
	existed  bool
}

// watchedAt returns what WATCH noted of key; the registry calls it from
// writers' goroutines, hence the lock.
func (c *Client) watchedAt(key string) watchInfo {
	c.watchMu.Lock()
	defer c.watchMu.Unlock()
	return c.watched[key]
}

// reject answers a command refused before it ran (unknown, arity, auth,
// subscribed mode). Inside MULTI that dooms the transaction; a refused
// EXEC itself discards it, with Redis' EXECABORT reply, in or out of MULTI.
func (c *Client) reject(args [][]byte, errText string) {
	if eq(args[0], "exec") {
		c.multi = nil
		c.unwatchAll()
		c.w.Error(errExecAbortBecause(errText))
		return
	}
	if c.multi != nil {
		c.multi.abort = true
	}
	c.w.Error(errText)
}

// cmdExec runs the queue. dispatch calls it without the exec lock held.
func cmdExec(c *Client, args [][]byte) {
	m := c.multi
	if m == nil {
		c.w.Error(errExecNoMulti)
		return
	}
	c.multi = nil
	if m.abort {
		c.unwatchAll()
		c.w.Error(errExecAbort)
		return
	}
	s := c.srv
	s.execMu.Lock()
	defer s.execMu.Unlock()
	if c.watchDirty.Load() || c.watchedExpired() {
		c.unwatchAll()
		c.w.NullArray()
		return
	}
	c.unwatchAll()
	c.inExec = true
	defer func() { c.inExec = false }()
	c.w.Array(len(m.queue))
	for i, qargs := range m.queue {
		s.call(c, m.cmds[i], qargs)
	}
}
