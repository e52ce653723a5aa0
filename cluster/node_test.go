package cluster

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/kvnode/kvnode/slots"
)

// freeBusPort returns a loopback port below 32768 free for both TCP and
// UDP (Serf uses both).
func freeBusPort(t *testing.T) int {
	t.Helper()
	for range 200 {
		p := 16000 + rand.IntN(2000)
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
		l, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		u, err := net.ListenPacket("udp", addr)
		l.Close()
		if err != nil {
			continue
		}
		u.Close()
		return p
	}
	t.Fatal("no free port")
	return 0
}

type testNode struct {
	*Node
	dir string
	bus int
}

func startTestNode(t *testing.T, dir string, bus int) *testNode {
	t.Helper()
	n, err := Start(Config{Dir: dir, IP: "127.0.0.1", Port: bus - 10000, BusPort: bus, NodeTimeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("start node: %v", err)
	}
	tn := &testNode{Node: n, dir: dir, bus: bus}
	t.Cleanup(func() { n.Close() })
	return tn
}

// waitFor polls cond every 20 ms until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// layout is a View's ownership as text: "id:ranges|id:ranges".
func layout(v *View) string {
	s := ""
	for i := range v.Nodes {
		s += fmt.Sprintf("%s:%s|", v.Nodes[i].ID, v.Nodes[i].Slots.String())
	}
	return s
}

func TestNodesConvergeOnInterleavedSlots(t *testing.T) {
	const n = 4
	nodes := make([]*testNode, n)
	for i := range nodes {
		nodes[i] = startTestNode(t, t.TempDir(), freeBusPort(t))
	}
	for i, nd := range nodes {
		var ss []int
		for s := i; s < slots.Count; s += n {
			ss = append(ss, s)
		}
		if err := nd.SetConfigEpoch(uint64(i + 1)); err != nil {
			t.Fatal(err)
		}
		if err := nd.AddSlots(ss); err != nil {
			t.Fatal(err)
		}
	}
	for _, nd := range nodes[1:] {
		if err := nd.Meet("127.0.0.1", nodes[0].bus); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		if t.Failed() {
			for _, nd := range nodes {
				v := nd.View()
				t.Logf("ok=%v nodes=%d assigned=%d epoch=%d", v.OK, len(v.Nodes), v.Assigned, v.CurrentEpoch)
				nd.mu.Lock()
				a := nd.mu.agent
				nd.mu.Unlock()
				for _, m := range a.serf.Members() {
					t.Logf("  member %s %s %v", m.Name[:8], m.Status, m.Tags)
				}
				for _, nv := range v.Nodes {
					t.Logf("  %s e=%d slots=%d conn=%v fail=%v", nv.ID[:8], nv.ConfigEpoch, nv.Slots.Count(), nv.Connected, nv.Fail)
				}
			}
		}
	}()
	took := waitFor(t, 5*time.Second, "every node sees the same full layout", func() bool {
		want := layout(nodes[0].View())
		for _, nd := range nodes {
			v := nd.View()
			if !v.OK || len(v.Nodes) != n || layout(v) != want {
				return false
			}
		}
		return true
	})
	t.Logf("converged in %v", took)
	v := nodes[2].View()
	if got := len(v.Me().Slots.Ranges()); got != slots.Count/n {
		t.Fatalf("node 2 serves %d ranges, want %d", got, slots.Count/n)
	}
	if v.CurrentEpoch != n {
		t.Fatalf("current epoch %d, want %d", v.CurrentEpoch, n)
	}

	// A dead node is marked failed and the cluster goes down.
	nodes[3].shutdown(false) // a crash: no goodbye to the peers
	took = waitFor(t, 4*time.Second, "node 3 failed everywhere", func() bool {
		for _, nd := range nodes[:3] {
			v := nd.View()
			if d := v.Lookup(nodes[3].ID()); d == nil || !d.Fail || v.OK {
				return false
			}
		}
		return true
	})
	t.Logf("failure seen in %v", took)

	// Restarted on its dir, it keeps its ID and slots and rejoins by itself.
	id := nodes[3].ID()
	nodes[3] = startTestNode(t, nodes[3].dir, nodes[3].bus)
	if nodes[3].ID() != id {
		t.Fatalf("restart changed the id: %s -> %s", id, nodes[3].ID())
	}
	waitFor(t, 8*time.Second, "cluster ok again after restart", func() bool {
		for _, nd := range nodes {
			if v := nd.View(); !v.OK || layout(v) != layout(nodes[0].View()) {
				return false
			}
		}
		return true
	})
}

func TestHigherEpochTakesSlot(t *testing.T) {
	a := startTestNode(t, t.TempDir(), freeBusPort(t))
	b := startTestNode(t, t.TempDir(), freeBusPort(t))
	if err := a.SetConfigEpoch(1); err != nil {
		t.Fatal(err)
	}
	if err := b.SetConfigEpoch(2); err != nil {
		t.Fatal(err)
	}
	if err := a.AddSlots([]int{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := b.AddSlots([]int{3, 4}); err != nil {
		t.Fatal(err)
	}
	if err := b.Meet("127.0.0.1", a.bus); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "slot 3 resolved to the higher epoch", func() bool {
		va, vb := a.View(), b.View()
		return va.Me().Slots.String() == "1-2" && vb.Me().Slots.String() == "3-4" && layout(va) == layout(vb)
	})
	// Busy slots are refused, epochs can no longer be set.
	if err := a.AddSlots([]int{4}); err == nil {
		t.Fatal("ADDSLOTS of a busy slot succeeded")
	}
	if err := a.SetConfigEpoch(9); err != ErrEpochNotAlone {
		t.Fatalf("SET-CONFIG-EPOCH with peers: %v", err)
	}
	if bumped, e := b.BumpEpoch(); bumped || e != 2 {
		t.Fatalf("BUMPEPOCH on the greatest epoch: %v %d", bumped, e)
	}
	if bumped, e := a.BumpEpoch(); !bumped || e != 3 {
		t.Fatalf("BUMPEPOCH: %v %d", bumped, e)
	}
	// FORGET drops the node for a while; RESET HARD takes a new identity.
	if err := a.Forget(b.ID()); err != nil {
		t.Fatal(err)
	}
	if a.View().Lookup(b.ID()) != nil {
		t.Fatal("forgotten node still listed")
	}
	old := b.ID()
	if err := b.Reset(true); err != nil {
		t.Fatal(err)
	}
	if v := b.View(); b.ID() == old || len(v.Nodes) != 1 || !v.Me().Slots.Empty() || v.CurrentEpoch != 0 {
		t.Fatalf("after hard reset: id changed %v, nodes %d, slots %q, epoch %d",
			b.ID() != old, len(v.Nodes), v.Me().Slots.String(), v.CurrentEpoch)
	}
}

func TestEpochCollisionResolved(t *testing.T) {
	a := startTestNode(t, t.TempDir(), freeBusPort(t))
	b := startTestNode(t, t.TempDir(), freeBusPort(t))
	if err := b.Meet("127.0.0.1", a.bus); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "distinct epochs", func() bool {
		va, vb := a.View(), b.View()
		return len(va.Nodes) == 2 && len(vb.Nodes) == 2 &&
			va.Nodes[0].ConfigEpoch != va.Nodes[1].ConfigEpoch && layoutEpochs(va) == layoutEpochs(vb)
	})
}

func layoutEpochs(v *View) string {
	s := ""
	for _, n := range v.Nodes {
		s += fmt.Sprintf("%s=%d ", n.ID, n.ConfigEpoch)
	}
	return s
}

func TestGossipKeyEncryptsTheBus(t *testing.T) {
	key := []byte("0123456789abcdef")
	start := func(k []byte) *testNode {
		bus := freeBusPort(t)
		n, err := Start(Config{Dir: t.TempDir(), IP: "127.0.0.1", Port: bus - 10000, BusPort: bus, NodeTimeout: 2 * time.Second, GossipKey: k})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Close() })
		return &testNode{Node: n, bus: bus}
	}
	a, b, stranger := start(key), start(key), start([]byte("fedcba9876543210"))
	if err := b.Meet("127.0.0.1", a.bus); err != nil {
		t.Fatal(err)
	}
	if err := stranger.Meet("127.0.0.1", a.bus); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "nodes sharing the key meet", func() bool {
		return len(a.View().Nodes) == 2 && len(b.View().Nodes) == 2
	})
	time.Sleep(500 * time.Millisecond)
	if n := len(a.View().Nodes); n != 2 || len(stranger.View().Nodes) != 1 {
		t.Fatalf("a node with another key joined: a knows %d nodes, stranger %d", n, len(stranger.View().Nodes))
	}
}
