// Package resp is kvnode's front door: the listener, per-connection state,
// the command table, argument parsing, reply encoding (RESP2 and RESP3 on
// redcon's encoders) and all Redis-visible error text.
package resp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kvnode/kvnode/cluster"
	"github.com/kvnode/kvnode/engine"
	"github.com/kvnode/kvnode/slots"
)

// Server serves the Redis protocol on one or more listeners.
type Server struct {
	cfg   *Config
	db    *engine.DB
	table *Table
	log   *slog.Logger
	start time.Time

	// Shutdown is called by the SHUTDOWN command (nil: SHUTDOWN is refused).
	Shutdown func()

	// cluster is this node's cluster membership; nil on a standalone node.
	cluster *cluster.Node
	// links carry PUBLISH to the other nodes of the cluster.
	links *cluster.Links
	// linksView is the View links were last pruned against.
	linksView atomic.Pointer[cluster.View]

	mu        sync.Mutex
	listeners []net.Listener
	clients   map[int64]*Client
	closed    bool
	wg        sync.WaitGroup

	nextID  atomic.Int64
	stats   serverStats
	errs    errorStats
	ops     opsSampler
	slow    slowlog
	blocked *blockRegistry
	watches *watchRegistry
	pubsub  pubsubHub // Pub/Sub subscriptions (pubsub.go)
	// execMu: commands hold it for reading, EXEC for writing.
	execMu sync.RWMutex
	runID  string // random per process, INFO run_id
	replID string // INFO master_replid

	bgsaving atomic.Bool // a BGSAVE is running
	stopBG   context.CancelFunc
	bg       sync.WaitGroup
}

// serverStats are the counters INFO reports.
type serverStats struct {
	connsReceived  atomic.Int64
	connsRejected  atomic.Int64
	commands       atomic.Int64
	netInput       atomic.Int64
	netOutput      atomic.Int64
	keyspaceHits   atomic.Int64
	keyspaceMisses atomic.Int64
	peakMemory     atomic.Int64 // highest used_memory INFO has seen
}

// NewServer returns a server for db configured by cfg.
func NewServer(cfg *Config, db *engine.DB, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		cfg:     cfg,
		db:      db,
		log:     log,
		start:   time.Now(),
		clients: make(map[int64]*Client),
		runID:   randomHex(40),
		blocked: newBlockRegistry(),
		watches: newWatchRegistry(),
		replID:  randomHex(40),
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stopBG = cancel
	s.bg.Add(2)
	go func() {
		defer s.bg.Done()
		s.ops.run(ctx, s.stats.commands.Load)
	}()
	go func() {
		defer s.bg.Done()
		s.blocked.run(ctx)
	}()
	db.SetTouchHook(s.touched)
	s.table = newTable(
		stringCommands(),
		bitCommands(),
		keyCommands(),
		hashCommands(),
		listCommands(),
		setCommands(),
		zsetCommands(),
		dumpCommands(),
		connCommands(),
		clientCommands(),
		serverCommands(),
		infoCommands(),
		configCommands(),
		commandCommands(),
		adminCommands(),
		multiCommands(),
		pubsubCommands(),
		clusterCommands(),
	)
	return s
}

// SetCluster makes the server a cluster node: commands are routed by the
// slot map of n's View and PUBLISH reaches every node. Call it before Serve.
func (s *Server) SetCluster(n *cluster.Node) {
	s.cluster = n
	s.links = cluster.NewLinks(cluster.LinkOptions{Password: s.cfg.Get("requirepass"), Logger: s.log})
}

// Table returns the command table.
func (s *Server) Table() *Table { return s.table }

// Serve accepts connections on ln until Close. It returns nil after Close.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.listeners = append(s.listeners, ln)
	s.mu.Unlock()
	for {
		nc, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed || errors.Is(err, net.ErrClosed) {
				return nil
			}
			s.log.Warn("accept failed", "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		s.stats.connsReceived.Add(1)
		c := s.newClient(nc)
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return nil
		}
		if int64(len(s.clients)) >= s.cfg.Int("maxclients") {
			s.mu.Unlock()
			s.stats.connsRejected.Add(1)
			_, _ = nc.Write([]byte("-" + errMaxClients + "\r\n"))
			nc.Close()
			continue
		}
		s.clients[c.id] = c
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			c.serve()
			s.mu.Lock()
			delete(s.clients, c.id)
			s.mu.Unlock()
		}()
	}
}

// Close stops accepting, closes every client connection once its current
// command is done, and waits for them.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.stopBG()
	if s.links != nil {
		s.links.Close()
	}
	for _, ln := range s.listeners {
		ln.Close()
	}
	for _, c := range s.clients {
		c.kill()
	}
	s.mu.Unlock()
	s.bg.Wait()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		return fmt.Errorf("close: clients still running after 5s")
	}
	return nil
}

// clientList returns a snapshot of the connected clients ordered by id.
func (s *Server) clientList() []*Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Client, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, c)
	}
	sortClients(out)
	return out
}

func (s *Server) clientCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

// dispatch runs one request: look up, arity, auth, MULTI queuing, then the
// handler under the exec lock.
func (s *Server) dispatch(c *Client, args [][]byte) {
	cmd, errText := s.table.resolve(args)
	if cmd == nil {
		c.reject(args, errText)
		return
	}
	if !c.authed.Load() && cmd.Flags&FlagNoAuth == 0 && s.cfg.PasswordSet() {
		c.reject(args, errNoAuth)
		return
	}
	if s.cluster != nil && !s.routeHere(c, cmd, args) {
		return
	}
	if c.multi != nil && !runsInMulti(cmd) {
		if cmd.Flags&FlagNoMulti != 0 {
			c.multi.abort = true
			c.w.Error(errNoMultiCommand)
			return
		}
		c.multi.queue = append(c.multi.queue, args)
		c.multi.cmds = append(c.multi.cmds, cmd)
		c.w.Status("QUEUED")
		return
	}
	if cmd.Name == "exec" && cmd.fullName == "" {
		s.call(c, cmd, args) // takes the exec lock for writing itself
		return
	}
	s.execMu.RLock()
	defer s.execMu.RUnlock()
	s.call(c, cmd, args)
}

// call runs a resolved command and accounts for it.
func (s *Server) call(c *Client, cmd *Command, args [][]byte) {
	c.lastCmd.Store(cmd)
	start := time.Now()
	cmd.Handler(c, args)
	if c.asking && c.multi == nil && cmd.Name != "asking" {
		c.asking = false
	}
	dur := time.Since(start)
	s.stats.commands.Add(1)
	if cmd.Flags&FlagSkipSlowlog == 0 {
		s.slow.record(s.cfg, c, args, start, dur)
	}
}

// routeHere decides, from the command's keys and the current slot map,
// whether this node runs the command; when not it answers the redirection
// or error Redis would and reports false. A redirected command inside MULTI
// dooms the transaction; a redirected EXEC discards it.
func (s *Server) routeHere(c *Client, cmd *Command, args [][]byte) bool {
	req := slots.Request{Asking: c.asking, ReadFromReplica: c.readonly, ReadOnly: cmd.Flags&FlagReadonly != 0}
	if cmd.Name == "exec" && cmd.fullName == "" && c.multi != nil {
		req.ReadOnly = true
		for i, q := range c.multi.queue {
			req.ReadOnly = req.ReadOnly && c.multi.cmds[i].Flags&FlagReadonly != 0
			for _, p := range c.multi.cmds[i].KeyPositions(q) {
				req.Keys = append(req.Keys, q[p])
			}
		}
	} else {
		for _, p := range cmd.KeyPositions(args) {
			req.Keys = append(req.Keys, args[p])
		}
	}
	if len(req.Keys) == 0 {
		return true
	}
	d := s.cluster.View().Map.Route(req, func(key []byte) bool {
		n, err := c.db.Exists([][]byte{key})
		return err == nil && n > 0
	})
	var e string
	switch d.Outcome {
	case slots.Serve:
		return true
	case slots.Moved:
		e = errMoved(d.Slot, d.Addr)
	case slots.Ask:
		e = errAsk(d.Slot, d.Addr)
	case slots.TryAgain:
		e = errTryAgain
	case slots.CrossSlot:
		e = errCrossSlot
	case slots.Unbound:
		e = errClusterDownUnbound
	default:
		e = errClusterDownState
	}
	if cmd.Name == "exec" && cmd.fullName == "" {
		c.multi = nil
		c.unwatchAll()
	} else if c.multi != nil {
		c.multi.abort = true
	}
	c.w.Error(e)
	return false
}

// randomHex returns n random lower-case hex characters.
func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// touched receives the keys every committed write changed.
func (s *Server) touched(keys [][]byte) {
	s.watches.touched(keys)
	s.blocked.touched(keys)
}
