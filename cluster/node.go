package cluster

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"
	"github.com/hashicorp/serf/serf"

	"github.com/kvnode/kvnode/slots"
)

// Config configures a cluster Node.
type Config struct {
	Dir     string // data dir: node ID, cluster state and Serf snapshot live here
	IP      string // address announced to clients and peers
	Port    int    // client port
	BusPort int    // cluster bus (Serf) port
	// BindIP is the address the bus listens on; empty means IP.
	BindIP string
	// NodeTimeout is cluster-node-timeout; failure detection derives from it.
	NodeTimeout time.Duration
	// GossipKey, when set (16, 24 or 32 bytes), encrypts the bus.
	GossipKey []byte
	// RequireFullCoverage reports cluster-require-full-coverage (nil: yes).
	RequireFullCoverage func() bool
	Logger              *slog.Logger
}

// claimsQuery is the Serf query a node answers with its own claim. Its
// payload is the ID of the node asked.
const claimsQuery = "kvnode-claims"

// forgetBan is how long CLUSTER FORGET keeps a node out, as in Redis.
const forgetBan = 60 * time.Second

// reconcileEvery is the period of the reconcile against Serf's member
// list; Serf events only make it come sooner.
const reconcileEvery = 250 * time.Millisecond

// snapshotFile is Serf's snapshot in the data dir: it lets a restarted
// node rejoin its peers by itself.
const snapshotFile = "serf-snapshot"

// Node is this process's membership in a kvnode cluster: its identity,
// epochs and slot claims, the Serf agent that gossips them, and the
// published View.
type Node struct {
	cfg  Config
	log  *slog.Logger
	view atomic.Pointer[View]

	kick     chan struct{} // reconcile soon
	tagsKick chan struct{} // push new tags
	stop     chan struct{}
	wg       sync.WaitGroup
	once     sync.Once

	sent, received atomic.Int64 // gossip messages kvnode sent and handled

	// saveMu serializes persist; saved is the content last written.
	saveMu sync.Mutex
	saved  []byte

	mu struct {
		sync.Mutex
		id     string
		st     persisted // epochs and shard ID (slots and peers are below)
		mine   Claim
		peers  map[string]*peer
		banned map[string]time.Time
		agent  *agent
		closed bool
	}
}

// peer is what this node knows of another node.
type peer struct {
	id        string
	ip        string
	port, bus int
	claim     Claim             // last claim pulled (or loaded from disk)
	tagDigest uint64            // digest the node last gossiped
	tagEpoch  uint64            // config epoch the node last gossiped
	status    serf.MemberStatus // StatusNone: not seen since start
	joinedAt  int64             // unix ms first seen by this process
	lastSeen  int64             // unix ms last seen alive
	pulling   bool              // a claims query is in flight
}

// agent is one Serf instance and the goroutine draining its events.
type agent struct {
	serf   *serf.Serf
	events chan serf.Event
	stop   chan struct{}
	done   chan struct{}
}

// Start opens the node's cluster state in cfg.Dir (creating a node ID on
// first start), starts gossiping on cfg.BusPort and rejoins known peers.
func Start(cfg Config) (*Node, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.BindIP == "" {
		cfg.BindIP = cfg.IP
	}
	if cfg.NodeTimeout <= 0 {
		cfg.NodeTimeout = 2 * time.Second
	}
	id, err := LoadOrCreateID(cfg.Dir)
	if err != nil {
		return nil, err
	}
	st, err := loadState(cfg.Dir)
	if err != nil {
		return nil, err
	}
	n := &Node{
		cfg:      cfg,
		log:      cfg.Logger.With("component", "cluster"),
		kick:     make(chan struct{}, 1),
		tagsKick: make(chan struct{}, 1),
		stop:     make(chan struct{}),
	}
	n.mu.id = id
	n.mu.st = st
	n.mu.mine = Claim{ID: id, Epoch: st.ConfigEpoch}
	n.mu.mine.Slots, _ = slots.ParseSet(st.Slots) // checked by loadState
	n.mu.peers = make(map[string]*peer)
	n.mu.banned = make(map[string]time.Time)
	for _, r := range st.Peers {
		p := &peer{id: r.ID, ip: r.IP, port: r.Port, bus: r.BusPort}
		p.claim = Claim{ID: r.ID, Epoch: r.Epoch}
		p.claim.Slots, _ = slots.ParseSet(r.Slots)
		p.tagDigest, p.tagEpoch = p.claim.Digest(), r.Epoch
		n.mu.peers[r.ID] = p
	}
	a, err := n.startAgent(id)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	n.mu.agent = a
	n.rebuildLocked()
	n.mu.Unlock()
	if err := n.persist(); err != nil {
		n.stopAgent(a, false)
		return nil, err
	}
	n.log.Info("cluster node started", "id", id, "bus", net.JoinHostPort(cfg.BindIP, strconv.Itoa(cfg.BusPort)),
		"epoch", st.ConfigEpoch, "slots", n.mu.mine.Slots.Count(), "known_peers", len(st.Peers))
	n.wg.Add(2)
	go n.loop()
	go n.tagsLoop()
	n.rejoin(a)
	return n, nil
}

// memberlistConfig derives gossip and failure-detection timings from the
// node timeout: with the default 2 s a dead node is marked failed in about
// one second on loopback.
func (n *Node) memberlistConfig() *memberlist.Config {
	nt := n.cfg.NodeTimeout
	ml := memberlist.DefaultLocalConfig()
	ml.BindAddr = n.cfg.BindIP
	ml.BindPort = n.cfg.BusPort
	ml.AdvertiseAddr = n.cfg.IP
	ml.AdvertisePort = n.cfg.BusPort
	ml.ProbeInterval = max(nt/10, 50*time.Millisecond)
	ml.ProbeTimeout = max(nt/20, 25*time.Millisecond)
	ml.GossipInterval = min(max(nt/40, 20*time.Millisecond), 200*time.Millisecond)
	ml.SuspicionMult = 2
	if nt > 5*time.Second {
		ml.SuspicionMult = 4
	}
	// Joins are gossiped a few times only; a frequent full-state exchange
	// (scaled up by memberlist in large clusters) bounds how long a node
	// can stay unknown to a peer that missed the gossip.
	ml.RetransmitMult = 4
	ml.PushPullInterval = max(nt/2, 500*time.Millisecond)
	ml.TCPTimeout = max(nt, time.Second)
	ml.Logger = serfLogger(n.log)
	if len(n.cfg.GossipKey) > 0 {
		ml.SecretKey = n.cfg.GossipKey
	}
	return ml
}

// startAgent creates the Serf agent for node id.
func (n *Node) startAgent(id string) (*agent, error) {
	a := &agent{events: make(chan serf.Event, 1024), stop: make(chan struct{}), done: make(chan struct{})}
	conf := serf.DefaultConfig()
	conf.NodeName = id
	conf.Tags = n.tags().Encode()
	conf.EventCh = a.events
	conf.MemberlistConfig = n.memberlistConfig()
	conf.SnapshotPath = filepath.Join(n.cfg.Dir, snapshotFile)
	conf.RejoinAfterLeave = true
	conf.ReconnectInterval = 2 * time.Second
	conf.QueryResponseSizeLimit = 2 * claimWireLen
	conf.BroadcastTimeout = 2 * time.Second
	conf.LeavePropagateDelay = 200 * time.Millisecond
	conf.Logger = serfLogger(n.log)
	s, err := serf.Create(conf)
	if err != nil {
		return nil, fmt.Errorf("start gossip on %s:%d: %w", n.cfg.BindIP, n.cfg.BusPort, err)
	}
	a.serf = s
	go n.drain(a)
	return a, nil
}

// stopAgent leaves the Serf cluster (when leave is set) and shuts the agent
// down. Safe to call once per agent.
func (n *Node) stopAgent(a *agent, leave bool) {
	if leave {
		if err := a.serf.Leave(); err != nil {
			n.log.Warn("leaving the gossip cluster", "err", err)
		}
	}
	if err := a.serf.Shutdown(); err != nil {
		n.log.Warn("stopping gossip", "err", err)
	}
	close(a.stop)
	<-a.done
}

// rejoin joins the known peers' bus addresses, in the background. Serf's
// snapshot usually rejoins by itself; this covers a missing snapshot.
func (n *Node) rejoin(a *agent) {
	n.mu.Lock()
	var addrs []string
	for _, p := range n.mu.peers {
		if p.bus > 0 && p.ip != "" {
			addrs = append(addrs, net.JoinHostPort(p.ip, strconv.Itoa(p.bus)))
		}
	}
	n.mu.Unlock()
	if len(addrs) == 0 {
		return
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		if k, err := a.serf.Join(addrs, true); err != nil && k == 0 {
			n.log.Info("could not rejoin known peers yet (they may be down)", "peers", len(addrs), "err", err)
		}
	}()
}

// drain handles one agent's events: queries are answered at once,
// membership events only make the reconcile come sooner.
func (n *Node) drain(a *agent) {
	defer close(a.done)
	for {
		select {
		case <-a.stop:
			return
		case e := <-a.events:
			n.received.Add(1)
			switch e := e.(type) {
			case *serf.Query:
				if e.Name == claimsQuery {
					n.answerClaims(e)
				}
			case serf.MemberEvent:
				n.poke()
			}
		}
	}
}

// answerClaims answers a claims query addressed to this node.
func (n *Node) answerClaims(q *serf.Query) {
	n.mu.Lock()
	if string(q.Payload) != n.mu.id {
		n.mu.Unlock()
		return
	}
	b := encodeClaim(&n.mu.mine)
	n.mu.Unlock()
	if err := q.Respond(b); err != nil {
		n.log.Debug("answering a claims query", "err", err)
		return
	}
	n.sent.Add(1)
}

// poke asks for a reconcile soon, never blocking.
func (n *Node) poke() {
	select {
	case n.kick <- struct{}{}:
	default:
	}
}

// pokeTags asks the tags loop to publish the current tags.
func (n *Node) pokeTags() {
	select {
	case n.tagsKick <- struct{}{}:
	default:
	}
}

// loop reconciles against Serf's member list on every hint and tick.
func (n *Node) loop() {
	defer n.wg.Done()
	t := time.NewTicker(reconcileEvery)
	defer t.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-n.kick:
		case <-t.C:
		}
		n.reconcile()
	}
}

// tagsLoop publishes this node's tags when they change. SetTags blocks
// for about one gossip interval, so it runs here, not under the lock.
func (n *Node) tagsLoop() {
	defer n.wg.Done()
	var last map[string]string
	for {
		select {
		case <-n.stop:
			return
		case <-n.tagsKick:
		}
		n.mu.Lock()
		a, tags := n.mu.agent, n.tags().Encode()
		n.mu.Unlock()
		if a == nil || mapsEqual(tags, last) {
			continue
		}
		if err := a.serf.SetTags(tags); err != nil {
			n.log.Warn("publishing node tags", "err", err)
			continue
		}
		n.sent.Add(1)
		last = tags
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// tags returns this node's tags; n.mu must be held (or the node not yet
// started).
func (n *Node) tags() Tags {
	return Tags{
		ID:           n.mu.id,
		Addr:         net.JoinHostPort(n.cfg.IP, strconv.Itoa(n.cfg.Port)),
		Role:         RolePrimary,
		ConfigEpoch:  n.mu.mine.Epoch,
		ClaimsDigest: n.mu.mine.Digest(),
	}
}

// reconcile re-reads Serf's members as ground truth, starts claim pulls
// for nodes whose digest changed, resolves epoch collisions and publishes
// a new View.
func (n *Node) reconcile() {
	n.mu.Lock()
	a := n.mu.agent
	closed := n.mu.closed
	n.mu.Unlock()
	if a == nil || closed {
		return
	}
	members := a.serf.Members()
	now := time.Now().UnixMilli()
	var pulls []string
	n.mu.Lock()
	if n.mu.agent != a {
		n.mu.Unlock() // reset in between: the next round reads the new agent
		return
	}
	for _, m := range members {
		if m.Name == n.mu.id {
			continue
		}
		t, err := MemberTags(m)
		if err != nil || t.ID != m.Name {
			continue
		}
		if until, ok := n.mu.banned[t.ID]; ok {
			if time.Now().Before(until) {
				continue
			}
			delete(n.mu.banned, t.ID)
		}
		p := n.mu.peers[t.ID]
		if p == nil {
			if m.Status != serf.StatusAlive {
				continue // never learn a node from its tombstone
			}
			p = &peer{id: t.ID, claim: Claim{ID: t.ID}}
			n.mu.peers[t.ID] = p
			n.log.Info("node joined", "id", t.ID, "addr", t.Addr)
		}
		if p.joinedAt == 0 {
			p.joinedAt = now
		}
		if host, port, err := net.SplitHostPort(t.Addr); err == nil {
			p.ip = host
			p.port, _ = strconv.Atoi(port)
		}
		p.bus = int(m.Port)
		if p.status != m.Status && p.status != serf.StatusNone {
			n.log.Info("node state changed", "id", t.ID, "addr", t.Addr, "from", p.status.String(), "to", m.Status.String())
		}
		p.status = m.Status
		if m.Status == serf.StatusAlive {
			p.lastSeen = now
		}
		p.tagDigest, p.tagEpoch = t.ClaimsDigest, t.ConfigEpoch
		if m.Status == serf.StatusAlive && p.tagDigest != p.claim.Digest() && !p.pulling {
			p.pulling = true
			pulls = append(pulls, p.id)
		}
	}
	n.resolveCollisionLocked()
	n.rebuildLocked()
	n.mu.Unlock()
	_ = n.persist() // also saves what pulls and collisions changed
	for _, id := range pulls {
		n.wg.Add(1)
		go n.pull(a, id)
	}
}

// resolveCollisionLocked gives this node a new config epoch when another
// primary has the same one and a greater node ID, as Redis's
// clusterHandleConfigEpochCollision does: of two colliding nodes the one
// with the smaller ID moves to a fresh, greatest epoch.
func (n *Node) resolveCollisionLocked() {
	for _, p := range n.mu.peers {
		if p.status != serf.StatusAlive || p.tagEpoch != n.mu.mine.Epoch || p.id < n.mu.id {
			continue
		}
		e := n.currentEpochLocked() + 1
		n.log.Info("config epoch collision: moving to a new epoch", "with", p.id, "epoch", e)
		n.mu.st.CurrentEpoch = e
		n.mu.mine.Epoch = e
		n.pokeTags()
		return
	}
}

// currentEpochLocked is the greatest epoch this node has seen.
func (n *Node) currentEpochLocked() uint64 {
	e := max(n.mu.st.CurrentEpoch, n.mu.mine.Epoch)
	for _, p := range n.mu.peers {
		e = max(e, p.tagEpoch, p.claim.Epoch)
	}
	return e
}

// pull asks node id for its claim and records the answer.
func (n *Node) pull(a *agent, id string) {
	defer n.wg.Done()
	c, err := n.queryClaim(a, id)
	n.mu.Lock()
	defer n.mu.Unlock()
	p := n.mu.peers[id]
	if p == nil {
		return
	}
	p.pulling = false
	if err != nil {
		n.log.Debug("pulling a node's claims", "id", id, "err", err)
		return
	}
	p.claim = c
	n.rebuildLocked()
	n.poke() // the digest may have moved on meanwhile
}

func (n *Node) queryClaim(a *agent, id string) (Claim, error) {
	timeout := max(20*n.memberlistGossip(), 500*time.Millisecond)
	q, err := a.serf.Query(claimsQuery, []byte(id), &serf.QueryParam{FilterNodes: []string{id}, Timeout: timeout})
	if err != nil {
		return Claim{}, fmt.Errorf("query claims of %s: %w", id, err)
	}
	defer q.Close()
	n.sent.Add(1)
	select {
	case r, ok := <-q.ResponseCh():
		if !ok {
			return Claim{}, fmt.Errorf("query claims of %s: no answer within %v", id, timeout)
		}
		n.received.Add(1)
		return decodeClaim(id, r.Payload)
	case <-n.stop:
		return Claim{}, ErrClosed
	}
}

func (n *Node) memberlistGossip() time.Duration {
	return min(max(n.cfg.NodeTimeout/40, 20*time.Millisecond), 200*time.Millisecond)
}

// rebuildLocked resolves the claims into a new View, gives up slots this
// node lost to a higher epoch, publishes the View and persists the state
// when it changed.
func (n *Node) rebuildLocked() {
	ids := make([]string, 0, len(n.mu.peers)+1)
	ids = append(ids, n.mu.id)
	for id := range n.mu.peers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	claims := make([]Claim, len(ids))
	self := 0
	for i, id := range ids {
		if id == n.mu.id {
			self = i
			claims[i] = n.mu.mine
		} else {
			claims[i] = n.mu.peers[id].claim
		}
	}
	owner := Resolve(claims)
	if lost := Lost(claims, &owner, self); !lost.Empty() {
		n.log.Info("slots taken over by a node with a greater config epoch", "slots", lost.String())
		for _, s := range lost.Ranges() {
			for i := s.From; i <= s.To; i++ {
				n.mu.mine.Slots.Remove(i)
			}
		}
		claims[self] = n.mu.mine
		n.pokeTags()
	}
	n.mu.st.CurrentEpoch = n.currentEpochLocked()

	now := time.Now().UnixMilli()
	v := &View{Self: self, CurrentEpoch: n.mu.st.CurrentEpoch, Nodes: make([]NodeView, len(ids))}
	mapNodes := make([]slots.Node, len(ids))
	failed := make([]bool, len(ids))
	for i, id := range ids {
		// Every node is a primary until replication exists; a primary's
		// shard is named by its node ID, so all nodes agree on it.
		nv := NodeView{ID: id, Primary: true, ConfigEpoch: claims[i].Epoch, ShardID: id}
		if i == self {
			nv.IP, nv.Port, nv.BusPort = n.cfg.IP, n.cfg.Port, n.cfg.BusPort
			nv.Myself, nv.Connected = true, true
			nv.PongRecv, nv.JoinedAt = 0, now
		} else {
			p := n.mu.peers[id]
			nv.IP, nv.Port, nv.BusPort = p.ip, p.port, p.bus
			nv.Connected = p.status == serf.StatusAlive
			nv.Fail = p.status == serf.StatusFailed || p.status == serf.StatusLeft || p.status == serf.StatusLeaving
			nv.PongRecv, nv.JoinedAt = p.lastSeen, p.joinedAt
			nv.NoAddr = p.ip == ""
		}
		failed[i] = nv.Fail
		v.Nodes[i] = nv
		mapNodes[i] = slots.Node{ID: id, Addr: nv.Addr(), Primary: slots.NoNode}
	}
	m := slots.NewMap(mapNodes, self)
	serving := make([]bool, len(ids))
	for s, o := range owner {
		if o == slots.NoNode {
			continue
		}
		m.SetOwner(s, o)
		v.Nodes[o].Slots.Add(s)
		serving[o] = true
		v.Assigned++
		if failed[o] {
			v.FailSlots++
		} else {
			v.OKSlots++
		}
	}
	reachable := 0
	for i := range ids {
		if serving[i] {
			v.Size++
			if !failed[i] {
				reachable++
			}
		}
	}
	full := n.cfg.RequireFullCoverage == nil || n.cfg.RequireFullCoverage()
	v.OK = (!full || v.OKSlots == slots.Count) && (v.Size == 0 || reachable > v.Size/2)
	m.Down = !v.OK
	v.Map = m
	v.MessagesSent, v.MessagesReceived = n.sent.Load(), n.received.Load()
	n.view.Store(v)
}

// encodeLocked returns the state file's content for the current state.
func (n *Node) encodeLocked() []byte {
	st := n.mu.st
	st.Version = stateVersion
	st.ConfigEpoch = n.mu.mine.Epoch
	st.Slots = n.mu.mine.Slots.String()
	st.Peers = st.Peers[:0:0]
	for _, p := range n.mu.peers {
		st.Peers = append(st.Peers, peerRecord{ID: p.id, IP: p.ip, Port: p.port, BusPort: p.bus,
			Epoch: p.claim.Epoch, Slots: p.claim.Slots.String()})
	}
	sort.Slice(st.Peers, func(i, j int) bool { return st.Peers[i].ID < st.Peers[j].ID })
	return st.encode()
}

// persist writes the state to disk when it changed since the last save.
// It encodes under n.mu but writes (and syncs) outside it; saveMu orders
// the writers, so an older state never replaces a newer one.
func (n *Node) persist() error {
	n.saveMu.Lock()
	defer n.saveMu.Unlock()
	n.mu.Lock()
	b := n.encodeLocked()
	n.mu.Unlock()
	if bytes.Equal(b, n.saved) {
		return nil
	}
	if err := saveState(n.cfg.Dir, b); err != nil {
		n.log.Error("cannot persist cluster state", "err", err)
		return err
	}
	n.saved = b
	return nil
}

// View returns the current snapshot.
func (n *Node) View() *View { return n.view.Load() }

// ID returns this node's ID.
func (n *Node) ID() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.mu.id
}

// changedLocked publishes a change this node made to its own claim or
// epoch: new View, saved state, new tags.
func (n *Node) changedLocked() {
	n.rebuildLocked()
	n.pokeTags()
}

// AddSlots claims the given slots. Like Redis, it refuses the whole call
// when any slot is already served by some node in this node's view.
func (n *Node) AddSlots(ss []int) error {
	defer n.persist() // runs after the unlock below; errors are logged
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.mu.closed {
		return ErrClosed
	}
	m := n.view.Load().Map
	for _, s := range ss {
		if m.Owner(s) != slots.NoNode {
			return &SlotError{Slot: s, Err: ErrSlotBusy}
		}
	}
	for _, s := range ss {
		n.mu.mine.Slots.Add(s)
	}
	n.changedLocked()
	return nil
}

// DelSlots gives up the given slots. A slot no node serves is an error;
// a slot another node serves is left to that node, which keeps claiming it
// (Redis would forget it only until the owner's next ping).
func (n *Node) DelSlots(ss []int) error {
	defer n.persist() // runs after the unlock below; errors are logged
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.mu.closed {
		return ErrClosed
	}
	m := n.view.Load().Map
	for _, s := range ss {
		if m.Owner(s) == slots.NoNode {
			return &SlotError{Slot: s, Err: ErrSlotUnassigned}
		}
	}
	for _, s := range ss {
		n.mu.mine.Slots.Remove(s)
	}
	n.changedLocked()
	return nil
}

// FlushSlots gives up every slot this node claims.
func (n *Node) FlushSlots() error {
	defer n.persist() // runs after the unlock below; errors are logged
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.mu.closed {
		return ErrClosed
	}
	n.mu.mine.Slots = slots.Set{}
	n.changedLocked()
	return nil
}

// SetConfigEpoch sets this node's config epoch; allowed only while the node
// knows no other node and its epoch is still 0.
func (n *Node) SetConfigEpoch(e uint64) error {
	defer n.persist() // runs after the unlock below; errors are logged
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case n.mu.closed:
		return ErrClosed
	case len(n.mu.peers) > 0:
		return ErrEpochNotAlone
	case n.mu.mine.Epoch != 0:
		return ErrEpochNonZero
	}
	n.mu.mine.Epoch = e
	n.mu.st.CurrentEpoch = max(n.mu.st.CurrentEpoch, e)
	n.changedLocked()
	return nil
}

// BumpEpoch gives this node a new, greatest config epoch unless it already
// has the greatest one (and it is not 0). It reports whether it bumped and
// the node's config epoch.
func (n *Node) BumpEpoch() (bool, uint64) {
	defer n.persist() // runs after the unlock below; errors are logged
	n.mu.Lock()
	defer n.mu.Unlock()
	cur := n.currentEpochLocked()
	if n.mu.mine.Epoch != 0 && n.mu.mine.Epoch == cur {
		return false, n.mu.mine.Epoch
	}
	n.mu.st.CurrentEpoch = cur + 1
	n.mu.mine.Epoch = cur + 1
	n.changedLocked()
	return true, n.mu.mine.Epoch
}

// Meet joins the gossip cluster of the node whose bus listens at ip:bus.
// The join runs in the background, as Redis's handshake does.
func (n *Node) Meet(ip string, bus int) error {
	if net.ParseIP(ip) == nil || bus <= 0 || bus > 65535 {
		return ErrInvalidAddress
	}
	n.mu.Lock()
	a, closed := n.mu.agent, n.mu.closed
	n.mu.Unlock()
	if closed {
		return ErrClosed
	}
	addr := net.JoinHostPort(ip, strconv.Itoa(bus))
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		if _, err := a.serf.Join([]string{addr}, true); err != nil {
			n.log.Warn("CLUSTER MEET could not reach the node", "addr", addr, "err", err)
			return
		}
		n.poke()
	}()
	return nil
}

// Forget removes node id from this node's view and keeps it out for a
// minute, as Redis's CLUSTER FORGET does.
func (n *Node) Forget(id string) error {
	defer n.persist() // runs after the unlock below; errors are logged
	n.mu.Lock()
	defer n.mu.Unlock()
	if id == n.mu.id {
		return ErrForgetMyself
	}
	p := n.mu.peers[id]
	if p == nil {
		return &NodeError{ID: id, Err: ErrUnknownNode}
	}
	delete(n.mu.peers, id)
	n.mu.banned[id] = time.Now().Add(forgetBan)
	if p.status != serf.StatusAlive && n.mu.agent != nil {
		a := n.mu.agent
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			_ = a.serf.RemoveFailedNode(id)
		}()
	}
	n.log.Info("node forgotten", "id", id)
	n.rebuildLocked()
	return nil
}

// Reset forgets every peer and this node's slots, leaves the gossip
// cluster and starts a fresh agent; a hard reset also takes a new node ID
// and sets the epochs to 0. The caller checks that a primary holds no keys.
func (n *Node) Reset(hard bool) error {
	n.mu.Lock()
	if n.mu.closed {
		n.mu.Unlock()
		return ErrClosed
	}
	old := n.mu.agent
	n.mu.agent = nil
	n.mu.Unlock()
	n.stopAgent(old, true)
	if err := os.Remove(filepath.Join(n.cfg.Dir, snapshotFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		n.log.Warn("removing the gossip snapshot", "err", err)
	}
	defer n.persist() // runs after the unlock below; errors are logged
	n.mu.Lock()
	defer n.mu.Unlock()
	if hard {
		id := NewID()
		if err := writeID(n.cfg.Dir, id); err != nil {
			return err
		}
		n.mu.id = id
		n.mu.st.CurrentEpoch = 0
		n.mu.st.LastVoteEpoch = 0
		n.mu.mine = Claim{ID: id}
	}
	n.mu.mine.Slots = slots.Set{}
	n.mu.peers = make(map[string]*peer)
	n.mu.banned = make(map[string]time.Time)
	a, err := n.startAgent(n.mu.id)
	if err != nil {
		return err
	}
	n.mu.agent = a
	n.log.Info("cluster reset", "hard", hard, "id", n.mu.id)
	n.changedLocked()
	return nil
}

// SaveConfig writes the cluster state to disk now.
func (n *Node) SaveConfig() error {
	n.saveMu.Lock()
	n.saved = nil
	n.saveMu.Unlock()
	return n.persist()
}

// FailureReports is CLUSTER COUNT-FAILURE-REPORTS: Serf's failure
// detection is a cluster-wide verdict rather than per-node reports, so a
// failed node counts a report from every other live primary, a live one 0.
func (n *Node) FailureReports(id string) (int, error) {
	v := n.View()
	nv := v.Lookup(id)
	if nv == nil {
		return 0, &NodeError{ID: id, Err: ErrUnknownNode}
	}
	if !nv.Fail {
		return 0, nil
	}
	count := 0
	for i := range v.Nodes {
		if o := &v.Nodes[i]; o.ID != id && !o.Myself && o.Primary && !o.Fail {
			count++
		}
	}
	return count, nil
}

// Close leaves the gossip cluster (peers see the node as left, then
// failed, and it rejoins on restart), stops every goroutine and saves the
// state. It is idempotent.
func (n *Node) Close() error {
	n.shutdown(true)
	return nil
}

// shutdown stops the node, leaving the gossip cluster when leave is set
// (a crash, in tests, does not).
func (n *Node) shutdown(leave bool) {
	n.once.Do(func() {
		n.mu.Lock()
		n.mu.closed = true
		a := n.mu.agent
		n.mu.Unlock()
		close(n.stop)
		if a != nil {
			n.stopAgent(a, leave)
		}
		n.wg.Wait()
		_ = n.persist() // logged
	})
}
