package slots

// Routing: the part of Redis Cluster's getNodeByQuery that needs no
// network. Given an immutable slot map snapshot, the slots of a command's
// keys, the command's kind and the connection's ASKING/READONLY state, it
// decides whether this node serves the command or which redirection or
// error to answer. resp formats the decision into Redis' exact text.

// NoNode marks a slot with no owner, or no migration target/source.
const NoNode = -1

// Node is one cluster member as the slot map knows it.
type Node struct {
	ID   string // 40-hex-char node ID
	Addr string // client address "ip:port"
	// Primary is the index of the primary this node replicates, or NoNode
	// for a primary.
	Primary int
}

// Map is an immutable snapshot of slot ownership. Build it with NewMap and
// its setters, then publish it; never change a published Map.
type Map struct {
	Nodes []Node
	Self  int // index of this node in Nodes
	// Down: the cluster state is fail (CLUSTERDOWN for everything).
	Down bool

	owner     [Count]int16
	migrating [Count]int16 // slot is moving from Self to this node
	importing [Count]int16 // slot is moving from this node to Self
}

// NewMap returns a map of nodes with every slot unassigned.
func NewMap(nodes []Node, self int) *Map {
	m := &Map{Nodes: nodes, Self: self}
	for i := range m.owner {
		m.owner[i], m.migrating[i], m.importing[i] = NoNode, NoNode, NoNode
	}
	return m
}

// SetOwner assigns slot to node index n (NoNode unassigns it).
func (m *Map) SetOwner(slot, n int) { m.owner[slot] = int16(n) }

// Owner returns the index of slot's owner, or NoNode.
func (m *Map) Owner(slot int) int { return int(m.owner[slot]) }

// SetMigrating marks slot as migrating from Self to node n (NoNode clears).
func (m *Map) SetMigrating(slot, n int) { m.migrating[slot] = int16(n) }

// SetImporting marks slot as importing into Self from node n (NoNode clears).
func (m *Map) SetImporting(slot, n int) { m.importing[slot] = int16(n) }

// Outcome is a routing decision.
type Outcome int

// Routing outcomes. For Moved and Ask, Decision.Slot and Decision.Addr
// name the redirection.
const (
	Serve       Outcome = iota // run the command here
	Moved                      // -MOVED slot addr
	Ask                        // -ASK slot addr
	TryAgain                   // -TRYAGAIN: multi-key command on a slot split mid-migration
	CrossSlot                  // -CROSSSLOT: keys in different slots
	Unbound                    // -CLUSTERDOWN Hash slot not served
	ClusterDown                // -CLUSTERDOWN The cluster is down
)

// Decision is Route's answer.
type Decision struct {
	Outcome Outcome
	Slot    int
	Addr    string
}

// Request describes a command for routing.
type Request struct {
	Keys            [][]byte // the command's keys, in order
	ReadOnly        bool     // the command only reads
	Asking          bool     // the connection sent ASKING just before
	ReadFromReplica bool     // the connection sent READONLY
}

// Route decides where req runs, following Redis 7.0's getNodeByQuery:
// keyless commands are always served here; an unassigned first slot wins
// over CROSSSLOT; the cluster-down check comes after the key checks.
// hasKey reports whether a key exists on this node; it is asked only while
// a slot migrates or imports.
func (m *Map) Route(req Request, hasKey func(key []byte) bool) Decision {
	if len(req.Keys) == 0 {
		return Decision{Outcome: Serve}
	}
	slot := KeySlot(req.Keys[0])
	owner := m.Owner(slot)
	if owner == NoNode {
		return Decision{Outcome: Unbound, Slot: slot}
	}
	migrating := owner == m.Self && m.migrating[slot] != NoNode
	importing := !migrating && m.importing[slot] != NoNode
	multi := false // distinct keys (the same key twice is one key)
	missing, present := 0, 0
	for i, k := range req.Keys {
		if i > 0 && string(k) != string(req.Keys[0]) {
			if KeySlot(k) != slot {
				return Decision{Outcome: CrossSlot}
			}
			multi = true
		}
		if migrating || importing {
			if hasKey(k) {
				present++
			} else {
				missing++
			}
		}
	}
	if m.Down {
		return Decision{Outcome: ClusterDown, Slot: slot}
	}
	if migrating && missing > 0 {
		// Some keys already moved: with keys on both sides the command
		// must wait; otherwise the client asks the target.
		if present > 0 {
			return Decision{Outcome: TryAgain, Slot: slot}
		}
		return Decision{Outcome: Ask, Slot: slot, Addr: m.Nodes[m.migrating[slot]].Addr}
	}
	if importing && req.Asking {
		if multi && missing > 0 {
			return Decision{Outcome: TryAgain, Slot: slot}
		}
		return Decision{Outcome: Serve, Slot: slot}
	}
	// A replica serves reads of its primary's slots after READONLY.
	if req.ReadFromReplica && req.ReadOnly && m.Nodes[m.Self].Primary == owner {
		return Decision{Outcome: Serve, Slot: slot}
	}
	if owner != m.Self {
		return Decision{Outcome: Moved, Slot: slot, Addr: m.Nodes[owner].Addr}
	}
	return Decision{Outcome: Serve, Slot: slot}
}
