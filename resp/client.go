package resp

import (
	"errors"
	"io"
	"net"
	"sort"
	"sync"
	"sync/atomic"
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

	mu struct {
		sync.Mutex
		name    string
		libName string
		libVer  string
	}

	replyMode  int
	skip       int // replies still to drop (CLIENT REPLY SKIP)
	noEvict    bool
	noTouch    bool
	closeAfter bool // QUIT: close once the reply is flushed
}

func (s *Server) newClient(nc net.Conn) *Client {
	c := &Client{
		srv:     s,
		id:      s.nextID.Add(1),
		conn:    nc,
		created: time.Now(),
		laddr:   nc.LocalAddr().String(),
		raddr:   nc.RemoteAddr().String(),
	}
	c.w.proto = 2
	c.db = s.db.WithAcks(&c.acks)
	c.rd = newReader(nc)
	c.rd.maxBulk = func() int64 { return s.cfg.Int("proto-max-bulk-len") }
	c.rd.authed = func() bool { return c.authed.Load() || s.cfg.Get("requirepass") == "" }
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
	if len(c.w.b) == 0 {
		return nil
	}
	n, err := c.conn.Write(c.w.b)
	c.srv.stats.netOutput.Add(int64(n))
	if cap(c.w.b) > 1<<20 {
		c.w.b = nil
	} else {
		c.w.b = c.w.b[:0]
	}
	return err
}

func (c *Client) kill() {
	c.killed.Store(true)
	_ = c.conn.SetReadDeadline(time.Now())
}

// serve reads and runs requests until the connection ends.
func (c *Client) serve() {
	defer c.conn.Close()
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
		c.lastActive.Store(time.Now().UnixMilli())
		for _, a := range args {
			c.srv.stats.netInput.Add(int64(len(a)))
		}
		mark := c.w.Len()
		c.srv.dispatch(c, args)
		if c.replyMode == replyOff || c.skip > 0 {
			c.w.Truncate(mark)
			if c.skip > 0 {
				c.skip--
			}
		}
		if c.closeAfter {
			_ = c.flush()
			return
		}
		if c.rd.buffered() == 0 || c.w.Len() > 64<<10 {
			if err := c.flush(); err != nil {
				return
			}
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
