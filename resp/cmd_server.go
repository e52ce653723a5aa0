package resp

import (
	"time"
)

// Server commands (INFO, CONFIG, COMMAND, SLOWLOG … live in their own files).

func serverCommands() []*Command {
	return []*Command{
		{Name: "dbsize", Arity: 1, Flags: FlagReadonly | FlagFast, Handler: cmdDBSize, Group: "server"},
		{Name: "flushall", Arity: -1, Flags: FlagWrite, Handler: cmdFlushAll, Group: "server"},
		{Name: "flushdb", Arity: -1, Flags: FlagWrite, Handler: cmdFlushAll, Group: "server"},
		{Name: "time", Arity: 1, Flags: FlagLoading | FlagStale | FlagFast, Handler: cmdTime, Group: "server"},
	}
}

// hit counts a keyspace hit or miss for INFO stats.
func (s *Server) hit(ok bool) {
	if ok {
		s.stats.keyspaceHits.Add(1)
	} else {
		s.stats.keyspaceMisses.Add(1)
	}
}

func cmdDBSize(c *Client, args [][]byte) { c.w.Int(c.db.KeyCount()) }

func cmdFlushAll(c *Client, args [][]byte) {
	if len(args) > 2 || (len(args) == 2 && !eq(args[1], "async") && !eq(args[1], "sync")) {
		c.w.Error(errSyntax)
		return
	}
	if err := c.db.FlushAll(); err != nil {
		c.replyErr(err)
		return
	}
	c.w.OK()
}

func cmdTime(c *Client, args [][]byte) {
	now := time.Now()
	c.w.Array(2)
	c.w.BulkInt(now.Unix())
	c.w.BulkInt(int64(now.Nanosecond() / 1000))
}
