package integration

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/kvnode/kvnode/slots"
)

// convergeNodes is the size of the convergence test's cluster.
const convergeNodes = 5

// TestClusterConvergence forms a five-node cluster by hand with the
// worst-case slot layout — slot s on node s%5, so no two neighbouring
// slots share an owner and CLUSTER SLOTS has 16384 ranges — and measures
// how long after the last CLUSTER MEET every node reports cluster_state:ok
// and the same CLUSTER SLOTS bytes: at most 2 s for kvnode (30 s for the
// redis-server control, whose gossip is slower). It is not parallel, so
// that no other test of the package competes for the CPU while it
// measures; its flavours run one after the other for the same reason.
func TestClusterConvergence(t *testing.T) {
	for _, f := range clusterFlavours {
		t.Run(f.name, func(t *testing.T) { testConvergence(t, f) })
	}
}

// testConvergence runs the convergence scenario on flavour f.
func testConvergence(t *testing.T, f flavour) {
	nodes := startClusterNodes(t, f, convergeNodes)
	ids := nodeIDs(t, nodes)

	// Each node on its own: a distinct config epoch and its fifth of the
	// slots, in one ADDSLOTS call.
	for i, n := range nodes {
		conn := dial(t, n)
		expect(t, conn, "+OK\r\n", "CLUSTER", "SET-CONFIG-EPOCH", strconv.Itoa(i+1))
		args := []string{"CLUSTER", "ADDSLOTS"}
		for s := i; s < slots.Count; s += convergeNodes {
			args = append(args, strconv.Itoa(s))
		}
		expect(t, conn, "+OK\r\n", args...)
	}
	for i, n := range nodes {
		info, err := clusterInfo(n.Addr())
		if err != nil {
			t.Fatal(err)
		}
		if st, known := infoField(info, "cluster_state"), infoField(info, "cluster_known_nodes"); st != "fail" || known != "1" {
			t.Errorf("node %d alone with a fifth of the slots: cluster_state:%s cluster_known_nodes:%s, want fail and 1", i, st, known)
		}
		raw, err := clusterSlotsRaw(n)
		if err != nil {
			t.Fatal(err)
		}
		own, err := parseClusterSlots(raw)
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		want := (slots.Count - i + convergeNodes - 1) / convergeNodes
		if len(own) != want {
			t.Fatalf("node %d alone: CLUSTER SLOTS has %d ranges, want %d (one per slot s%%5==%d)", i, len(own), want, i)
		}
		for j, r := range own {
			if s := i + j*convergeNodes; r.from != s || r.to != s || r.port != n.port || r.id != ids[i] {
				t.Fatalf("node %d alone: CLUSTER SLOTS range %d = %+v, want slot %d on port %d id %s", i, j, r, s, n.port, ids[i])
			}
		}
	}

	// Join: the first node meets the others; the clock starts at the last
	// MEET's reply.
	first := dial(t, nodes[0])
	for _, n := range nodes[1:] {
		expect(t, first, "+OK\r\n", "CLUSTER", "MEET", "127.0.0.1", strconv.Itoa(n.port))
	}
	// Poll until a round of answers agrees. The round that agrees must
	// have ended within the limit: only then is convergence shown to
	// have happened in time (it happened somewhere in that round).
	t0 := time.Now()
	var agreed []byte
	var roundStart, roundEnd time.Duration
	for {
		roundStart = time.Since(t0)
		ok, why, raw := clusterAgrees(nodes)
		roundEnd = time.Since(t0)
		if ok {
			agreed = raw
			break
		}
		if roundEnd > f.convergeLimit {
			t.Fatalf("%d nodes not converged %v after the last CLUSTER MEET (limit %v): %s", convergeNodes, roundEnd.Round(time.Millisecond), f.convergeLimit, why)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("%s: %d nodes agree on CLUSTER SLOTS (%d bytes) and cluster_state:ok %v–%v after the last CLUSTER MEET (limit %v)",
		f.name, convergeNodes, len(agreed), roundStart.Round(time.Millisecond), roundEnd.Round(time.Millisecond), f.convergeLimit)
	if roundEnd > f.convergeLimit {
		t.Errorf("%d nodes converged only %v–%v after the last CLUSTER MEET, limit %v", convergeNodes, roundStart.Round(time.Millisecond), roundEnd.Round(time.Millisecond), f.convergeLimit)
	}

	got, err := parseClusterSlots(agreed)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != slots.Count {
		t.Fatalf("CLUSTER SLOTS has %d ranges, want %d (the interleaved layout)", len(got), slots.Count)
	}
	bad := 0
	for s, r := range got {
		o := s % convergeNodes
		want := slotRange{from: s, to: s, ip: "127.0.0.1", port: nodes[o].port, id: ids[o]}
		if r != want {
			if bad++; bad <= 5 {
				t.Errorf("CLUSTER SLOTS range %d = %+v, want %+v", s, r, want)
			}
		}
	}
	if bad > 5 {
		t.Errorf("... %d ranges wrong", bad)
	}
	for i, n := range nodes {
		info, err := clusterInfo(n.Addr())
		if err != nil {
			t.Fatal(err)
		}
		n5 := fmt.Sprint(convergeNodes)
		for field, want := range map[string]string{"cluster_known_nodes": n5, "cluster_size": n5, "cluster_slots_ok": "16384"} {
			if got := infoField(info, field); got != want {
				t.Errorf("node %d: CLUSTER INFO %s:%s, want %s", i, field, got, want)
			}
		}
	}
}
