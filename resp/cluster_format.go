package resp

// Formatting of the CLUSTER NODES / SLOTS / SHARDS / INFO / LINKS replies
// from a cluster.View, byte for byte as Redis 7.0.15 formats them. Nothing
// here touches the network or the cluster state: the handlers pass a View
// snapshot and a Writer. The golden tests in cluster_format_test.go compare
// these functions with raw replies captured from real Redis 7.0.15 clusters
// (resp/testdata/cluster).
//
// Where Redis' output depends on its hash-table iteration order (the lines
// of CLUSTER NODES, the shards of CLUSTER SHARDS, the links of CLUSTER
// LINKS) the order is unspecified and clients do not depend on it; we sort
// by node ID so that the output is deterministic. CLUSTER SLOTS is in slot
// order, as Redis 7.0 prints it. Replicas of a primary are listed in node ID
// order (Redis lists its per-primary replica array; every capture agreed
// with ID order, but none could tell it apart from join order).
//
// Redis 7.0 details reproduced here (checked against a real server):
//   - CLUSTER NODES prints "ip:port@cport" and appends ",hostname" only when
//     the node has a hostname: no trailing comma when it is empty. The IP is
//     printed as is (the format is " %s:%i@%i ", so IPv6 is not bracketed)
//     and is empty for a fresh node that has not learned its own address
//     (":7000@17000").
//   - CLUSTER NODES and CLUSTER INFO are verbatim strings in RESP3
//     ("=<len>\r\ntxt:…"), bulk strings in RESP2. NODES lines end in "\n",
//     INFO lines in "\r\n" (the last one too).
//   - A replica's config epoch column (and cluster_my_epoch on a replica) is
//     its primary's config epoch.
//   - The fourth element of a CLUSTER SLOTS node entry is a map of extra
//     networking metadata: empty ("*0" in RESP2, "%0" in RESP3) unless the
//     node has a hostname ("hostname" → name).
//   - CLUSTER SLOTS leaves out replicas that are failed (fail or fail?) or
//     whose replication offset is 0 (not synced yet); CLUSTER SHARDS lists
//     them, with health "fail" / "loading".

import (
	"sort"
	"strconv"

	"github.com/kvnode/kvnode/cluster"
	"github.com/kvnode/kvnode/slots"
)

// clusterNodeOrder returns the indexes of v.Nodes sorted by node ID: the
// order in which CLUSTER NODES, SHARDS and LINKS list nodes.
func clusterNodeOrder(v *cluster.View) []int {
	idx := make([]int, len(v.Nodes))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v.Nodes[idx[a]].ID < v.Nodes[idx[b]].ID })
	return idx
}

// clusterReplicas maps each primary's ID to its replicas, sorted by node
// ID. available keeps only those CLUSTER SLOTS lists (Redis'
// isReplicaAvailable: not fail/fail?, replication offset not 0).
func clusterReplicas(v *cluster.View, available bool) map[string][]*cluster.NodeView {
	out := make(map[string][]*cluster.NodeView)
	for _, i := range clusterNodeOrder(v) {
		n := &v.Nodes[i]
		if n.Primary || n.PrimaryID == "" {
			continue
		}
		if available && (n.Fail || n.PFail || n.ReplOffset == 0) {
			continue
		}
		out[n.PrimaryID] = append(out[n.PrimaryID], n)
	}
	return out
}

// clusterNodeEpoch is the config epoch Redis 7.0 reports for n: a replica
// reports its primary's (when the primary is known), a primary its own.
func clusterNodeEpoch(v *cluster.View, n *cluster.NodeView) uint64 {
	if !n.Primary && n.PrimaryID != "" {
		if p := v.Lookup(n.PrimaryID); p != nil {
			return p.ConfigEpoch
		}
	}
	return n.ConfigEpoch
}

// appendClusterNodeFlags appends the flags column of CLUSTER NODES:
// myself,master,slave,fail?,fail,handshake,noaddr,nofailover in that order,
// or "noflags". A node in handshake has no role yet in Redis (it is created
// with only the handshake flag), so neither master nor slave is printed for
// it.
func appendClusterNodeFlags(b []byte, n *cluster.NodeView) []byte {
	start := len(b)
	add := func(on bool, s string) {
		if !on {
			return
		}
		if len(b) > start {
			b = append(b, ',')
		}
		b = append(b, s...)
	}
	add(n.Myself, "myself")
	add(n.Primary && !n.Handshake, "master")
	add(!n.Primary && !n.Handshake, "slave")
	add(n.PFail, "fail?")
	add(n.Fail, "fail")
	add(n.Handshake, "handshake")
	add(n.NoAddr, "noaddr")
	add(n.NoFailover, "nofailover")
	if len(b) == start {
		b = append(b, "noflags"...)
	}
	return b
}

// appendClusterNodeLine appends one CLUSTER NODES line, "\n" included:
//
//	<id> <ip:port@cport[,hostname]> <flags> <primary|-> <ping-sent> <pong-recv> <config-epoch> <link-state> <slot>...
//
// Slots are coalesced into ranges ("0-5460"); the myself line also lists
// the slots being migrated ("[slot->-id]") and imported ("[slot-<-id]"),
// in slot order, migrating winning when a slot is in both maps.
func appendClusterNodeLine(b []byte, v *cluster.View, n *cluster.NodeView) []byte {
	b = append(b, n.ID...)
	b = append(b, ' ')
	b = append(b, n.IP...)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(n.Port), 10)
	b = append(b, '@')
	b = strconv.AppendInt(b, int64(n.BusPort), 10)
	if n.Hostname != "" {
		b = append(b, ',')
		b = append(b, n.Hostname...)
	}
	b = append(b, ' ')
	b = appendClusterNodeFlags(b, n)
	b = append(b, ' ')
	if !n.Primary && n.PrimaryID != "" {
		b = append(b, n.PrimaryID...)
	} else {
		b = append(b, '-')
	}
	b = append(b, ' ')
	b = strconv.AppendInt(b, n.PingSent, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, n.PongRecv, 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, clusterNodeEpoch(v, n), 10)
	// Redis: connected when there is an outbound link, or for myself.
	if n.Connected || n.Myself {
		b = append(b, " connected"...)
	} else {
		b = append(b, " disconnected"...)
	}
	for _, r := range n.Slots.Ranges() {
		b = append(b, ' ')
		b = appendSlotRange(b, r)
	}
	if n.Myself {
		b = appendClusterMoving(b, n)
	}
	return append(b, '\n')
}

// appendSlotRange appends "from-to", or "from" for a single slot.
func appendSlotRange(b []byte, r slots.Range) []byte {
	b = strconv.AppendInt(b, int64(r.From), 10)
	if r.To != r.From {
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(r.To), 10)
	}
	return b
}

// appendClusterMoving appends the " [slot->-id]" / " [slot-<-id]" entries
// of the myself line, in slot order.
func appendClusterMoving(b []byte, n *cluster.NodeView) []byte {
	if len(n.Migrating) == 0 && len(n.Importing) == 0 {
		return b
	}
	ss := make([]int, 0, len(n.Migrating)+len(n.Importing))
	for s := range n.Migrating {
		ss = append(ss, s)
	}
	for s := range n.Importing {
		if _, dup := n.Migrating[s]; !dup {
			ss = append(ss, s)
		}
	}
	sort.Ints(ss)
	for _, s := range ss {
		b = append(b, " ["...)
		b = strconv.AppendInt(b, int64(s), 10)
		if id, ok := n.Migrating[s]; ok {
			b = append(b, "->-"...)
			b = append(b, id...)
		} else {
			b = append(b, "-<-"...)
			b = append(b, n.Importing[s]...)
		}
		b = append(b, ']')
	}
	return b
}

// clusterNodesText returns the body of the CLUSTER NODES reply: one line
// per known node, each ending in "\n", sorted by node ID (Redis prints its
// hash-table order, which clients must not rely on; they find this node by
// the "myself" flag). ping-sent and pong-recv are printed as the View has
// them (absolute unix ms, 0 for none).
func clusterNodesText(v *cluster.View) string {
	var b []byte
	for _, i := range clusterNodeOrder(v) {
		b = appendClusterNodeLine(b, v, &v.Nodes[i])
	}
	return string(b)
}

// writeClusterNodes writes the CLUSTER NODES reply: clusterNodesText as a
// bulk string (RESP2) or a "txt" verbatim string (RESP3), as Redis 7.0 does.
func writeClusterNodes(w *Writer, v *cluster.View) {
	w.Verbatim(clusterNodesText(v))
}

// clusterSlotOwners returns, for every slot, the index in v.Nodes of the
// primary serving it, or -1. Only primaries' Slots count (Redis' slot table
// points at primaries); the View resolves conflicts, so a slot is in at
// most one primary's set, but if two claim it the first in v.Nodes wins.
func clusterSlotOwners(v *cluster.View) *[slots.Count]int {
	var own [slots.Count]int
	for i := range own {
		own[i] = -1
	}
	for i := range v.Nodes {
		n := &v.Nodes[i]
		if !n.Primary {
			continue
		}
		for _, r := range n.Slots.Ranges() {
			for s := r.From; s <= r.To; s++ {
				if own[s] < 0 {
					own[s] = i
				}
			}
		}
	}
	return &own
}

// writeClusterSlotNode writes one node entry of CLUSTER SLOTS, as Redis 7.0
// with cluster-preferred-endpoint-type ip: [ip, port, id, metadata], the
// metadata a map holding "hostname" when the node has one, else empty.
func writeClusterSlotNode(w *Writer, n *cluster.NodeView) {
	w.Array(4)
	w.BulkString(n.IP)
	w.Int(int64(n.Port))
	w.BulkString(n.ID)
	if n.Hostname == "" {
		w.Map(0)
		return
	}
	w.Map(1)
	w.BulkString("hostname")
	w.BulkString(n.Hostname)
}

// writeClusterSlots writes the CLUSTER SLOTS reply of Redis 7.0: one entry
// per maximal run of slots served by the same primary, in slot order:
// [start, end, primary, replica...], each node as writeClusterSlotNode
// writes it. Replicas that are failed (fail or fail?) or not yet synced
// (replication offset 0) are left out, as Redis does. Unserved slots are
// skipped.
func writeClusterSlots(w *Writer, v *cluster.View) {
	own := clusterSlotOwners(v)
	type run struct{ from, to, node int }
	var runs []run
	for s := 0; s < slots.Count; s++ {
		o := own[s]
		if o < 0 {
			continue
		}
		if k := len(runs) - 1; k >= 0 && runs[k].node == o && runs[k].to == s-1 {
			runs[k].to = s
			continue
		}
		runs = append(runs, run{s, s, o})
	}
	replicas := clusterReplicas(v, true)
	w.Array(len(runs))
	for _, r := range runs {
		p := &v.Nodes[r.node]
		reps := replicas[p.ID]
		w.Array(3 + len(reps))
		w.Int(int64(r.from))
		w.Int(int64(r.to))
		writeClusterSlotNode(w, p)
		for _, n := range reps {
			writeClusterSlotNode(w, n)
		}
	}
}

// clusterShardHealth is the "health" of a CLUSTER SHARDS node: "fail" when
// it is fail or fail?, "loading" for a replica whose replication offset is
// still 0, else "online".
func clusterShardHealth(n *cluster.NodeView) string {
	switch {
	case n.Fail || n.PFail:
		return "fail"
	case !n.Primary && n.ReplOffset == 0:
		return "loading"
	}
	return "online"
}

// writeClusterShardNode writes one node map of CLUSTER SHARDS, fields in
// Redis 7.0's order: id, port (omitted when 0), ip, endpoint (the IP: the
// preferred endpoint type is ip), hostname (only when set), role
// ("master"/"replica"), replication-offset, health.
func writeClusterShardNode(w *Writer, n *cluster.NodeView) {
	fields := 6
	if n.Port != 0 {
		fields++
	}
	if n.Hostname != "" {
		fields++
	}
	w.Map(fields)
	w.BulkString("id")
	w.BulkString(n.ID)
	if n.Port != 0 {
		w.BulkString("port")
		w.Int(int64(n.Port))
	}
	w.BulkString("ip")
	w.BulkString(n.IP)
	w.BulkString("endpoint")
	w.BulkString(n.IP)
	if n.Hostname != "" {
		w.BulkString("hostname")
		w.BulkString(n.Hostname)
	}
	w.BulkString("role")
	if n.Primary {
		w.BulkString("master")
	} else {
		w.BulkString("replica")
	}
	w.BulkString("replication-offset")
	w.Int(n.ReplOffset)
	w.BulkString("health")
	w.BulkString(clusterShardHealth(n))
}

// writeClusterShards writes the CLUSTER SHARDS reply of Redis 7.0: one map
// per primary (with or without slots; a node in handshake has no role and
// no shard), sorted by the primary's ID: "slots", a flat array of integer
// start/end pairs in slot order, and "nodes", the primary then all its
// replicas (failed and loading ones included) by ID, each as
// writeClusterShardNode writes it.
func writeClusterShards(w *Writer, v *cluster.View) {
	var prim []*cluster.NodeView
	for _, i := range clusterNodeOrder(v) {
		if n := &v.Nodes[i]; n.Primary && !n.Handshake {
			prim = append(prim, n)
		}
	}
	replicas := clusterReplicas(v, false)
	w.Array(len(prim))
	for _, p := range prim {
		w.Map(2)
		w.BulkString("slots")
		rs := p.Slots.Ranges()
		w.Array(2 * len(rs))
		for _, r := range rs {
			w.Int(int64(r.From))
			w.Int(int64(r.To))
		}
		w.BulkString("nodes")
		reps := replicas[p.ID]
		w.Array(1 + len(reps))
		writeClusterShardNode(w, p)
		for _, n := range reps {
			writeClusterShardNode(w, n)
		}
	}
}

// clusterInfoText returns the body of the CLUSTER INFO reply, the fields of
// Redis 7.0.15 in its order, each line ending in "\r\n".
//
// Redis prints a cluster_stats_messages_<type>_sent/_received line for
// every bus message type whose counter is not zero, then the totals. Our
// gossip (Serf) has no Redis message types, so only the totals
// cluster_stats_messages_sent/received (View.MessagesSent/Received) are
// printed, exactly as Redis prints them when no per-type counter is set.
// total_cluster_links_buffer_limit_exceeded is always 0: Serf links have no
// Redis send buffer to overflow.
func clusterInfoText(v *cluster.View) string {
	state := "fail"
	if v.OK {
		state = "ok"
	}
	var myEpoch uint64
	if len(v.Nodes) > 0 {
		myEpoch = clusterNodeEpoch(v, v.Me())
	}
	b := make([]byte, 0, 512)
	line := func(k string, n int64) {
		b = append(b, k...)
		b = append(b, ':')
		b = strconv.AppendInt(b, n, 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "cluster_state:"+state+"\r\n"...)
	line("cluster_slots_assigned", int64(v.Assigned))
	line("cluster_slots_ok", int64(v.OKSlots))
	line("cluster_slots_pfail", int64(v.PFailSlots))
	line("cluster_slots_fail", int64(v.FailSlots))
	line("cluster_known_nodes", int64(v.KnownNodes()))
	line("cluster_size", int64(v.Size))
	b = append(b, "cluster_current_epoch:"...)
	b = strconv.AppendUint(b, v.CurrentEpoch, 10)
	b = append(b, "\r\ncluster_my_epoch:"...)
	b = strconv.AppendUint(b, myEpoch, 10)
	b = append(b, "\r\n"...)
	line("cluster_stats_messages_sent", v.MessagesSent)
	line("cluster_stats_messages_received", v.MessagesReceived)
	line("total_cluster_links_buffer_limit_exceeded", 0)
	return string(b)
}

// writeClusterInfo writes the CLUSTER INFO reply: clusterInfoText as a bulk
// string (RESP2) or a "txt" verbatim string (RESP3), as Redis 7.0 does.
func writeClusterInfo(w *Writer, v *cluster.View) {
	w.Verbatim(clusterInfoText(v))
}

// writeClusterLinks writes the CLUSTER LINKS reply in Redis 7.0's shape: an
// array of maps with direction, node, create-time, events,
// send-buffer-allocated, send-buffer-used.
//
// Redis keeps two TCP links per peer, an outbound ("to") and an inbound
// ("from") one, and lists them per node in that order. Our gossip is Serf,
// which has no such per-peer pair, so this reports the same shape for every
// connected peer (not myself), sorted by node ID: a "to" and a "from" entry,
// both with create-time = NodeView.JoinedAt (when this node first saw the
// peer), events "r" (what Redis shows for an idle link: a read handler, and
// a write handler only while output is pending) and both buffer sizes 0
// (Serf buffers nothing per peer that we could report). A disconnected peer
// has no links, as in Redis.
func writeClusterLinks(w *Writer, v *cluster.View) {
	var peers []*cluster.NodeView
	for _, i := range clusterNodeOrder(v) {
		if n := &v.Nodes[i]; n.Connected && !n.Myself {
			peers = append(peers, n)
		}
	}
	w.Array(2 * len(peers))
	for _, n := range peers {
		for _, dir := range [2]string{"to", "from"} {
			w.Map(6)
			w.BulkString("direction")
			w.BulkString(dir)
			w.BulkString("node")
			w.BulkString(n.ID)
			w.BulkString("create-time")
			w.Int(n.JoinedAt)
			w.BulkString("events")
			w.BulkString("r")
			w.BulkString("send-buffer-allocated")
			w.Int(0)
			w.BulkString("send-buffer-used")
			w.Int(0)
		}
	}
}
