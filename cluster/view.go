package cluster

import (
	"net"
	"strconv"

	"github.com/kvnode/kvnode/slots"
)

// View is an immutable snapshot of the cluster as this node sees it: the
// routing map plus everything CLUSTER NODES / SLOTS / SHARDS / INFO / LINKS
// report. A Node publishes a new View on every change; never modify one.
type View struct {
	// Map routes commands. Map.Nodes[i] and Nodes[i] describe the same node.
	Map   *slots.Map
	Nodes []NodeView
	Self  int // index of this node in Nodes

	CurrentEpoch uint64
	// OK is cluster_state:ok: every slot is served by a node that is not
	// failed (or full coverage is not required).
	OK bool
	// Assigned, OKSlots, PFailSlots, FailSlots are the cluster_slots_*
	// counters of CLUSTER INFO.
	Assigned, OKSlots, PFailSlots, FailSlots int
	// Size is cluster_size: the number of primaries serving at least one slot.
	Size int
	// MessagesSent and MessagesReceived count gossip messages
	// (cluster_stats_messages_*).
	MessagesSent, MessagesReceived int64
}

// NodeView is one node of a View.
type NodeView struct {
	ID       string // 40-hex-char node ID
	IP       string
	Port     int // client port
	BusPort  int // cluster bus (Serf) port
	Hostname string

	Myself     bool
	Primary    bool   // false: a replica
	PrimaryID  string // for a replica: its primary's ID
	Fail       bool   // fail: the cluster agrees the node is down
	PFail      bool   // fail?: this node cannot reach it
	Handshake  bool   // met but not yet joined
	NoAddr     bool   // address unknown
	NoFailover bool
	Connected  bool // link state "connected" (else "disconnected")

	ConfigEpoch uint64
	PingSent    int64 // unix ms of the last unanswered ping, 0 if none
	PongRecv    int64 // unix ms of the last message from the node
	JoinedAt    int64 // unix ms when this node first saw it (CLUSTER LINKS create-time)

	// Slots are the slots the node serves in this view (after conflicts
	// are resolved), not merely those it claims.
	Slots slots.Set
	// Migrating and Importing map a slot to the other node's ID while it
	// moves (only known for Myself, as in Redis).
	Migrating, Importing map[int]string

	ShardID    string // 40 hex; a replica shares its primary's
	ReplOffset int64  // replication offset (0 until replication exists)
}

// Addr returns the client address "ip:port".
func (n *NodeView) Addr() string { return joinHostPort(n.IP, n.Port) }

// Me returns this node's entry.
func (v *View) Me() *NodeView { return &v.Nodes[v.Self] }

// Lookup returns the node with the given ID, or nil.
func (v *View) Lookup(id string) *NodeView {
	for i := range v.Nodes {
		if v.Nodes[i].ID == id {
			return &v.Nodes[i]
		}
	}
	return nil
}

// KnownNodes is cluster_known_nodes.
func (v *View) KnownNodes() int { return len(v.Nodes) }

func joinHostPort(ip string, port int) string {
	return net.JoinHostPort(ip, strconv.Itoa(port))
}
