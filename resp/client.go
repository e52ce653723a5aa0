package resp

import (
	"errors"
	"io"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/kvnode/kvnode/engine"
)

// Reply modes of CLIENT REPLY.
const (
	replyOn = iota
	replyOff
)

// Client is one connection's state. Its fields are owned by the connection
// goroutine, except those in mu (read by CLIENT LIST/INFO from others) and
// the atomics.
type Client struct {
	srv  *Server
	id   int64
	conn net.Conn
	rd   *reader
	w    Writer
	acks engine.Acks
	db   *engine.DB

	authed  atomic.Bool
	created time.Time
	laddr   string
	raddr   string

	lastActive atomic.Int64 // unix ms
	lastCmd    atomic.Pointer[Command]
	killed     atomic.Bool
	// done is closed when the client is killed, waking a blocked command.
	done     chan struct{}
	doneOnce sync.Once
	fd       int

	// mu guards what CLIENT LIST/INFO read from other connections; the
	// owner writes these under it and keeps its own copies elsewhere.
	mu struct {
		sync.Mutex
		name    string
		libName string
		libVer  string
		proto   int
		flags   string // CLIENT LIST flags
		// subscription counts (CLIENT LIST sub= psub= ssub=)
		sub, psub, ssub int
	}
	// rbs and obuf are the sizes of the connection's buffers, for CLIENT LIST.
	rbs, obuf atomic.Int64

	// waiting is the parked blocking command, for CLIENT UNBLOCK.
	waiting atomic.Pointer[waiter]
	// inExec: commands run inside EXEC, where nothing blocks.
	inExec bool
	// multi is the open transaction (MULTI … EXEC), nil outside one.
	multi *multiState
	// watched holds what WATCH noted of each watched key; the owner
	// writes it, FLUSHALL's hook reads it, both under watchMu.
	watched    map[string]watchInfo
	watchMu    sync.Mutex
	watchDirty atomic.Bool

	// asking: the previous command was ASKING (cleared after the next
	// one); readonly: READONLY was sent (reads served by replicas).
	asking, readonly bool

	replyMode  int
	skip       bool // drop the reply of the current command (CLIENT REPLY SKIP)
	skipNext   bool // set by CLIENT REPLY SKIP for the command after it
	noEvict    bool
	noTouch    bool
	closeAfter bool // QUIT: close once the reply is flushed

	// ps is the connection's Pub/Sub subscriptions (pubsub.go).
	ps pubsubState
	// out is the output queue, set on the first subscription; from then on
	// flush queues replies there instead of writing the socket, and a
	// writer goroutine owned by the connection sends them (pubsub.go).
	out atomic.Pointer[outQueue]
	// flushes counts flushes, so the serve loop knows a command's reply
	// mark is stale after a flush inside the command.
	flushes int
}

func (s *Server) newClient(nc net.Conn) *Client {
	c := &Client{
		srv:     s,
		id:      s.nextID.Add(1),
		conn:    nc,
		created: time.Now(),
		laddr:   nc.LocalAddr().String(),
		raddr:   nc.RemoteAddr().String(),
		done:    make(chan struct{}),
		fd:      connFD(nc),
	}
	c.setProto(2)
	c.setFlags()
	c.w.errs = &s.errs
	c.db = s.db.WithAcks(&c.acks)
	c.rd = newReader(nc)
	c.rbs.Store(int64(c.rd.bufSize()))
	c.rd.maxBulk = s.cfg.ProtoMaxBulkLen
	c.rd.authed = func() bool { return c.authed.Load() || !s.cfg.PasswordSet() }
	c.rd.beforeBlock = c.flush
	c.lastActive.Store(time.Now().UnixMilli())
	return c
}

// DB returns the client's handle on the store.
func (c *Client) DB() *engine.DB { return c.db }

// Proto returns the negotiated protocol, 2 or 3.
func (c *Client) Proto() int { return c.w.proto }

// flush waits for the client's pending writes and sends its replies.
func (c *Client) flush() error {
	if err := c.acks.Wait(); err != nil {
		// A write we already answered failed to commit: never let the
		// client read that answer.
		c.srv.log.Error("write failed to commit; closing client", "client", c.id, "err", err)
		c.w.b = c.w.b[:0]
		return err
	}
	if q := c.out.Load(); q != nil {
		return c.flushToQueue(q)
	}
	if len(c.w.b) == 0 {
		return nil
	}
	c.flushes++
	n, err := c.conn.Write(c.w.b)
	c.srv.stats.netOutput.Add(int64(n))
	if cap(c.w.b) > 1<<20 {
		c.w.b = nil
	} else {
		c.w.b = c.w.b[:0]
	}
	c.obuf.Store(int64(cap(c.w.b)))
	c.rbs.Store(int64(c.rd.bufSize()))
	return err
}

// setProto switches the reply protocol (2 or 3).
func (c *Client) setProto(p int) {
	c.w.proto = p
	c.mu.Lock()
	c.mu.proto = p
	c.mu.Unlock()
}

// setFlags records the connection's CLIENT LIST flags after a change.
func (c *Client) setFlags() {
	f := ""
	if c.ps.total() > 0 {
		f += "P"
	}
	if c.noEvict {
		f += "e"
	}
	if c.noTouch {
		f += "T"
	}
	if f == "" {
		f = "N"
	}
	c.mu.Lock()
	c.mu.flags = f
	c.mu.Unlock()
}

func (c *Client) kill() {
	c.killed.Store(true)
	c.doneOnce.Do(func() { close(c.done) })
	_ = c.conn.SetReadDeadline(time.Now())
	if q := c.out.Load(); q != nil {
		q.abort() // drop queued output, stop the writer
	}
}

// connFD returns the connection's file descriptor for CLIENT LIST, or -1.
func connFD(nc net.Conn) int {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return -1
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	_ = rc.Control(func(f uintptr) { fd = int(f) })
	return fd
}

// serve reads and runs requests until the connection ends.
func (c *Client) serve() {
	defer c.conn.Close()
	defer c.unwatchAll()
	defer c.endPubSub() // before Close: the writer sends what is queued
	var lastRead uint64
	for !c.killed.Load() {
		args, err := c.rd.next()
		if err != nil {
			var pe *protocolError
			if errors.As(err, &pe) {
				c.w.Error(pe.msg)
				_ = c.flush()
				c.srv.log.Debug("protocol error; closing client", "client", c.id, "err", pe.msg)
			} else if !errors.Is(err, io.EOF) && !c.killed.Load() {
				c.srv.log.Debug("client read failed", "client", c.id, "err", err)
			}
			_ = c.flush()
			return
		}
		if c.rd.reads != lastRead {
			// Like Redis' lastinteraction: the time data last arrived
			// (once per read, not per pipelined command).
			lastRead = c.rd.reads
			c.lastActive.Store(time.Now().UnixMilli())
		}
		for _, a := range args {
			c.srv.stats.netInput.Add(int64(len(a)))
		}
		mark, flushes := c.w.Len(), c.flushes
		c.skip, c.skipNext = c.skipNext, false
		if !c.pubsubRefused(args) {
			c.srv.dispatch(c, args)
		}
		// The reply mode is judged after the command, so CLIENT REPLY ON
		// is answered while OFF and SKIP are not. A flush inside the
		// command (blocking, Pub/Sub) sent what preceded it.
		if c.replyMode == replyOff || c.skip {
			if c.flushes != flushes {
				mark = 0
			}
			c.w.Truncate(mark)
		}
		if c.closeAfter {
			_ = c.flush()
			return
		}
		// A subscriber's replies are queued after every command, so they
		// interleave with its messages in the order they were produced.
		if c.rd.buffered() == 0 || c.w.Len() > 64<<10 || c.ps.total() > 0 {
			if err := c.flush(); err != nil {
				return
			}
		}
		// With an output queue the flush did not wait for the socket:
		// wait here, holding no lock, until the writer catches up.
		if q := c.out.Load(); q != nil && !q.waitBelow(ownReplyHighWater) {
			return
		}
	}
}

// name returns the client's name.
func (c *Client) name() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.name
}

func sortClients(cs []*Client) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].id < cs[j].id })
}
