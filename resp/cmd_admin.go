package resp

import (
	"time"
)

// Administration: SAVE, BGSAVE, LASTSAVE, SHUTDOWN, SLOWLOG, MEMORY, WAIT.

func adminCommands() []*Command {
	adm := FlagAdmin | FlagNoScript
	sub := func(name string, arity int, flags Flags, h Handler) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, Handler: h, Group: "server"}
	}
	return []*Command{
		{Name: "save", Arity: 1, Flags: adm | FlagNoAsyncLoading, Handler: cmdSave, Group: "server"},
		{Name: "bgsave", Arity: -1, Flags: adm | FlagNoAsyncLoading, Handler: cmdBgSave, Group: "server"},
		{Name: "lastsave", Arity: 1, Flags: FlagLoading | FlagStale | FlagFast, Handler: cmdLastSave, Group: "server"},
		{Name: "shutdown", Arity: -1, Flags: adm | FlagLoading | FlagStale | FlagNoMulti | FlagAllowBusy, Handler: cmdShutdown, Group: "server"},
		{Name: "slowlog", Arity: -2, Group: "server", Subs: subs(
			sub("get", -2, FlagAdmin|FlagLoading|FlagStale, cmdSlowlogGet),
			sub("len", 2, FlagAdmin|FlagLoading|FlagStale, cmdSlowlogLen),
			sub("reset", 2, FlagAdmin|FlagLoading|FlagStale, cmdSlowlogReset),
			sub("help", 2, FlagLoading|FlagStale, cmdSlowlogHelp),
		)},
		{Name: "memory", Arity: -2, Group: "server", Subs: subs(
			&Command{Name: "usage", Arity: -3, Flags: FlagReadonly, First: 2, Last: 2, Step: 1, Handler: cmdMemoryUsage, Group: "server"},
			sub("help", 2, FlagLoading|FlagStale, cmdMemoryHelp),
		)},
		{Name: "wait", Arity: 3, Flags: FlagNoScript, Handler: cmdWait, Group: "generic"},
	}
}

func cmdSave(c *Client, args [][]byte) {
	if c.srv.bgsaving.Load() {
		c.w.Error(errBgSaveInProgress)
		return
	}
	if err := c.db.Sync(); err != nil {
		c.replyErr(err)
		return
	}
	c.w.OK()
}

func cmdBgSave(c *Client, args [][]byte) {
	if len(args) > 2 || (len(args) == 2 && !eq(args[1], "schedule")) {
		c.w.Error(errSyntax)
		return
	}
	if !c.srv.bgsaving.CompareAndSwap(false, true) {
		c.w.Error(errBgSaveInProgress)
		return
	}
	s := c.srv
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		defer s.bgsaving.Store(false)
		if err := s.db.Sync(); err != nil {
			s.log.Error("BGSAVE failed", "err", err)
		}
	}()
	c.w.Status("Background saving started")
}

func cmdLastSave(c *Client, args [][]byte) { c.w.Int(c.db.Stats().LastSave.Load()) }

func cmdShutdown(c *Client, args [][]byte) {
	var nosave, save, abort bool
	for _, a := range args[1:] {
		switch {
		case eq(a, "nosave"):
			nosave = true
		case eq(a, "save"):
			save = true
		case eq(a, "now"), eq(a, "force"):
		case eq(a, "abort"):
			abort = true
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	if (abort && len(args) > 2) || (nosave && save) {
		c.w.Error(errSyntax)
		return
	}
	if abort {
		c.w.Error(errNoShutdown)
		return
	}
	if c.srv.Shutdown == nil {
		c.w.Error(errShutdownFailed)
		return
	}
	// Data is persisted as it is written; SAVE/NOSAVE change nothing but
	// a final sync, which the store's Close does anyway.
	c.srv.log.Info("SHUTDOWN requested", "client", c.raddr)
	c.srv.Shutdown()
	c.closeAfter = true
}

func cmdSlowlogGet(c *Client, args [][]byte) {
	n := int64(10)
	if len(args) == 3 {
		v, ok := argInt(args[2])
		if !ok || v < -1 {
			c.w.Error(errSlowlogCount)
			return
		}
		n = v
	} else if len(args) > 3 {
		c.w.Error(errWrongArgs("slowlog|get"))
		return
	}
	entries := c.srv.slow.get(int(min(n, 1<<31)))
	c.w.Array(len(entries))
	for _, e := range entries {
		c.w.Array(6)
		c.w.Int(e.id)
		c.w.Int(e.at)
		c.w.Int(e.micros)
		c.w.BulkArray(e.args)
		c.w.BulkString(e.addr)
		c.w.BulkString(e.name)
	}
}

func cmdSlowlogLen(c *Client, args [][]byte) { c.w.Int(int64(c.srv.slow.len())) }

func cmdSlowlogReset(c *Client, args [][]byte) {
	c.srv.slow.reset()
	c.w.OK()
}

func cmdSlowlogHelp(c *Client, args [][]byte) {
	c.help("SLOWLOG", []string{
		"GET [<count>]",
		"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
		"    Entries are made of:",
		"    id, timestamp, time in microseconds, arguments array, client IP and port,",
		"    client name",
		"LEN",
		"    Return the length of the slowlog.",
		"RESET",
		"    Reset the slowlog.",
	})
}

func cmdMemoryUsage(c *Client, args [][]byte) {
	samples := int64(5)
	for j := 3; j < len(args); j++ {
		if eq(args[j], "samples") && j+1 < len(args) {
			v, ok := argInt(args[j+1])
			if !ok {
				c.w.Error(errNotInteger)
				return
			}
			if v < 0 {
				c.w.Error(errSyntax)
				return
			}
			samples = v
			j++
			continue
		}
		c.w.Error(errSyntax)
		return
	}
	n, ok, err := c.db.MemoryUsage(args[2], int(min(samples, 1<<31)))
	switch {
	case err != nil:
		c.replyErr(err)
	case !ok:
		c.w.Null()
	default:
		c.w.Int(n)
	}
}

func cmdMemoryHelp(c *Client, args [][]byte) {
	c.help("MEMORY", []string{
		"USAGE <key> [SAMPLES <count>]",
		"    Return memory in bytes used by <key> and its value. Nested values are",
		"    sampled up to <count> times (default: 5, 0 means sample all).",
	})
}

// cmdWait answers WAIT numreplicas timeout. kvnode has no replicas yet, so
// it answers 0 at once when no replica is asked for, and otherwise after
// the timeout (0 = until the client is closed), as Redis does.
func cmdWait(c *Client, args [][]byte) {
	want, ok := argInt(args[1])
	if !ok {
		c.w.Error(errNotInteger)
		return
	}
	timeout, ok := argInt(args[2])
	if !ok {
		c.w.Error(errTimeoutInvalid)
		return
	}
	if timeout < 0 {
		c.w.Error(errTimeoutNegative)
		return
	}
	const acked = 0
	if want <= acked || c.inExec {
		c.w.Int(acked)
		return
	}
	// Replies to earlier pipelined commands go out before blocking, and
	// the parked client lets EXEC of others run.
	if err := c.flush(); err != nil {
		return
	}
	c.srv.execMu.RUnlock()
	defer c.srv.execMu.RLock()
	var expire <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(min(timeout, 1<<40)) * time.Millisecond)
		defer t.Stop()
		expire = t.C
	}
	select {
	case <-expire:
	case <-c.done:
	}
	c.w.Int(acked)
}
