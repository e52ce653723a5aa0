package slots

import "testing"

// threeNodes: A (self, 0-5460), B (5461-10922), C (10923-16383), and R, a
// replica of B.
func threeNodes(self int) *Map {
	m := NewMap([]Node{
		{ID: "a", Addr: "127.0.0.1:7000", Primary: NoNode},
		{ID: "b", Addr: "127.0.0.1:7001", Primary: NoNode},
		{ID: "c", Addr: "127.0.0.1:7002", Primary: NoNode},
		{ID: "r", Addr: "127.0.0.1:7003", Primary: 1},
	}, self)
	for s := 0; s < Count; s++ {
		switch {
		case s <= 5460:
			m.SetOwner(s, 0)
		case s <= 10922:
			m.SetOwner(s, 1)
		default:
			m.SetOwner(s, 2)
		}
	}
	return m
}

func keys(ks ...string) [][]byte {
	out := make([][]byte, len(ks))
	for i, k := range ks {
		out[i] = []byte(k)
	}
	return out
}

func TestRouteBasics(t *testing.T) {
	m := threeNodes(0)
	none := func([]byte) bool { t.Fatal("hasKey asked outside a migration"); return false }
	for _, tc := range []struct {
		name string
		req  Request
		want Decision
	}{
		{"keyless", Request{}, Decision{Outcome: Serve}},
		{"own slot", Request{Keys: keys("hello")}, Decision{Outcome: Serve, Slot: 866}},
		// foo is slot 12182, owned by C: the text Redis sends is MOVED 12182 127.0.0.1:7002.
		{"moved", Request{Keys: keys("foo")}, Decision{Outcome: Moved, Slot: 12182, Addr: "127.0.0.1:7002"}},
		{"crossslot", Request{Keys: keys("foo", "bar")}, Decision{Outcome: CrossSlot}},
		{"hash tags", Request{Keys: keys("{user1000}.a", "{user1000}.b")}, Decision{Outcome: Serve, Slot: 3443}},
		{"same key twice", Request{Keys: keys("hello", "hello")}, Decision{Outcome: Serve, Slot: 866}},
		{"readonly on a primary still moves", Request{Keys: keys("foo"), ReadOnly: true, ReadFromReplica: true},
			Decision{Outcome: Moved, Slot: 12182, Addr: "127.0.0.1:7002"}},
	} {
		if got := m.Route(tc.req, none); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestRouteUnboundAndDown(t *testing.T) {
	m := threeNodes(0)
	m.SetOwner(KeySlot([]byte("foo")), NoNode)
	none := func([]byte) bool { return false }
	// An unassigned first slot wins over CROSSSLOT, as in Redis.
	if got := m.Route(Request{Keys: keys("foo", "hello")}, none); got.Outcome != Unbound || got.Slot != 12182 {
		t.Errorf("unbound: %+v", got)
	}
	m2 := threeNodes(0)
	m2.Down = true
	if got := m2.Route(Request{Keys: keys("hello")}, none); got.Outcome != ClusterDown {
		t.Errorf("down: %+v", got)
	}
	if got := m2.Route(Request{}, none); got.Outcome != Serve {
		t.Errorf("keyless while down: %+v", got)
	}
	if got := m2.Route(Request{Keys: keys("foo", "bar")}, none); got.Outcome != CrossSlot {
		t.Errorf("crossslot while down: %+v", got)
	}
}

func TestRouteMigration(t *testing.T) {
	slot := KeySlot([]byte("{m}a"))
	src := threeNodes(0)
	src.SetOwner(slot, 0)
	src.SetMigrating(slot, 1)
	here := map[string]bool{"{m}a": true}
	has := func(k []byte) bool { return here[string(k)] }
	if got := src.Route(Request{Keys: keys("{m}a")}, has); got.Outcome != Serve {
		t.Errorf("present key on the source: %+v", got)
	}
	if got := src.Route(Request{Keys: keys("{m}b")}, has); got != (Decision{Outcome: Ask, Slot: slot, Addr: "127.0.0.1:7001"}) {
		t.Errorf("moved-away key: %+v", got)
	}
	if got := src.Route(Request{Keys: keys("{m}a", "{m}b")}, has); got.Outcome != TryAgain {
		t.Errorf("keys on both sides: %+v", got)
	}
	dst := threeNodes(1)
	dst.SetOwner(slot, 0)
	dst.SetImporting(slot, 0)
	there := map[string]bool{"{m}b": true}
	hasDst := func(k []byte) bool { return there[string(k)] }
	if got := dst.Route(Request{Keys: keys("{m}b")}, hasDst); got.Outcome != Moved {
		t.Errorf("importing without ASKING must redirect to the owner: %+v", got)
	}
	if got := dst.Route(Request{Keys: keys("{m}b"), Asking: true}, hasDst); got.Outcome != Serve {
		t.Errorf("ASKING on the target: %+v", got)
	}
	if got := dst.Route(Request{Keys: keys("{m}a", "{m}b"), Asking: true}, hasDst); got.Outcome != TryAgain {
		t.Errorf("ASKING multi-key with a key still on the source: %+v", got)
	}
	if got := dst.Route(Request{Keys: keys("{m}x"), Asking: true}, hasDst); got.Outcome != Serve {
		t.Errorf("ASKING single new key: %+v", got)
	}
}

func TestRouteReplicaReads(t *testing.T) {
	m := threeNodes(3) // R, replica of B
	none := func([]byte) bool { return false }
	// Find a key in B's range.
	var k [][]byte
	for i := 0; k == nil; i++ {
		if c := keys("k" + string(rune('a'+i%26)) + string(rune('a'+i/26))); m.Owner(KeySlot(c[0])) == 1 {
			k = c
		}
	}
	if got := m.Route(Request{Keys: k, ReadOnly: true}, none); got.Outcome != Moved {
		t.Errorf("read without READONLY: %+v", got)
	}
	if got := m.Route(Request{Keys: k, ReadOnly: true, ReadFromReplica: true}, none); got.Outcome != Serve {
		t.Errorf("read after READONLY: %+v", got)
	}
	if got := m.Route(Request{Keys: k, ReadFromReplica: true}, none); got.Outcome != Moved {
		t.Errorf("write after READONLY: %+v", got)
	}
}
