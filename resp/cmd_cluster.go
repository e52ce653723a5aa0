package resp

import (
	"errors"
	"strconv"

	"github.com/kvnode/kvnode/cluster"
	"github.com/kvnode/kvnode/slots"
)

// CLUSTER, READONLY, READWRITE and ASKING. In standalone mode every one of
// them answers Redis's "cluster support disabled" error; the replies'
// formats are in cluster_format.go, the cluster's state in package cluster.

func clusterCommands() []*Command {
	g := "cluster"
	row := func(name string, arity int, flags Flags, h Handler, since, summary string) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, Handler: onlyInCluster(h), Group: g, Since: since, Summary: summary}
	}
	adm := FlagAdmin | FlagNoAsyncLoading | FlagStale
	info := FlagLoading | FlagStale
	return []*Command{
		{Name: "cluster", Arity: -2, Group: g, Since: "3.0.0", Summary: "A container for Redis Cluster commands", Subs: subs(
			row("addslots", -3, adm, cmdClusterAddSlots, "3.0.0", "Assigns new hash slots to a node"),
			row("addslotsrange", -4, adm, cmdClusterAddSlotsRange, "7.0.0", "Assigns new hash slot ranges to a node"),
			row("bumpepoch", 2, adm, cmdClusterBumpEpoch, "3.0.0", "Advances the cluster config epoch"),
			row("count-failure-reports", 3, adm, cmdClusterFailureReports, "3.0.0", "Returns the number of active failure reports active for a node"),
			row("countkeysinslot", 3, FlagStale, cmdClusterCountKeys, "3.0.0", "Returns the number of keys in a hash slot"),
			row("delslots", -3, adm, cmdClusterDelSlots, "3.0.0", "Sets hash slots as unbound for a node"),
			row("delslotsrange", -4, adm, cmdClusterDelSlotsRange, "7.0.0", "Sets hash slot ranges as unbound for a node"),
			row("deliver", 4, FlagPubSub|FlagLoading|FlagStale|FlagFast, cmdClusterDeliver, "7.0.0", "kvnode: delivers a message published on another node to this node's subscribers"),
			row("flushslots", 2, adm, cmdClusterFlushSlots, "3.0.0", "Deletes all slots information from a node"),
			row("forget", 3, adm, cmdClusterForget, "3.0.0", "Removes a node from the nodes table"),
			row("getkeysinslot", 4, FlagStale, cmdClusterGetKeys, "3.0.0", "Returns the key names in a hash slot"),
			row("help", 2, info, cmdClusterHelp, "5.0.0", "Returns helpful text about the different subcommands"),
			row("info", 2, FlagStale, cmdClusterInfo, "3.0.0", "Returns information about the state of a node"),
			row("keyslot", 3, FlagStale, cmdClusterKeySlot, "3.0.0", "Returns the hash slot for a key"),
			row("links", 2, FlagStale, cmdClusterLinks, "7.0.0", "Returns a list of all TCP links to and from peer nodes"),
			row("meet", -4, adm, cmdClusterMeet, "3.0.0", "Forces a node to handshake with another node"),
			row("myid", 2, FlagStale, cmdClusterMyID, "3.0.0", "Returns the ID of a node"),
			row("myshardid", 2, FlagStale, cmdClusterMyShardID, "7.2.0", "Returns the shard ID of a node"),
			row("nodes", 2, FlagStale, cmdClusterNodes, "3.0.0", "Returns the cluster configuration for a node"),
			row("reset", -2, adm|FlagNoScript, cmdClusterReset, "3.0.0", "Resets a node"),
			row("saveconfig", 2, adm, cmdClusterSaveConfig, "3.0.0", "Forces a node to save the cluster configuration to disk"),
			row("set-config-epoch", 3, adm, cmdClusterSetConfigEpoch, "3.0.0", "Sets the configuration epoch for a new node"),
			row("shards", 2, FlagLoading|FlagStale, cmdClusterShards, "7.0.0", "Returns the mapping of cluster slots to shards"),
			row("slots", 2, FlagLoading|FlagStale, cmdClusterSlots, "3.0.0", "Returns the mapping of cluster slots to nodes"),
		)},
		{Name: "readonly", Arity: 1, Flags: FlagFast | FlagLoading | FlagStale, Handler: onlyInCluster(cmdReadOnly), Group: g, Since: "3.0.0", Summary: "Enables read-only queries for a connection to a Redis Cluster replica node"},
		{Name: "readwrite", Arity: 1, Flags: FlagFast | FlagLoading | FlagStale, Handler: onlyInCluster(cmdReadWrite), Group: g, Since: "3.0.0", Summary: "Enables read-write queries for a connection to a Reids Cluster replica node"},
		{Name: "asking", Arity: 1, Flags: FlagFast, Handler: onlyInCluster(cmdAsking), Group: g, Since: "3.0.0", Summary: "Signals that a cluster client is following an -ASK redirect"},
	}
}

// onlyInCluster refuses h on a standalone node, as Redis does.
func onlyInCluster(h Handler) Handler {
	return func(c *Client, args [][]byte) {
		if c.srv.cluster == nil {
			c.w.Error(errClusterDisabled)
			return
		}
		h(c, args)
	}
}

// parseSlot reads a slot argument as Redis's getSlotOrReply does.
func parseSlot(b []byte) (int, bool) {
	n, ok := argInt(b)
	if !ok || n < 0 || n >= slots.Count {
		return 0, false
	}
	return int(n), true
}

// slotList parses ADDSLOTS/DELSLOTS arguments: every one a valid slot,
// else the error text.
func slotList(args [][]byte) ([]int, string) {
	out := make([]int, 0, len(args))
	for _, a := range args {
		s, ok := parseSlot(a)
		if !ok {
			return nil, errInvalidSlot
		}
		out = append(out, s)
	}
	return out, ""
}

// slotRanges parses ADDSLOTSRANGE/DELSLOTSRANGE start end pairs into the
// slots they cover.
func slotRanges(name string, args [][]byte) ([]int, string) {
	if len(args)%2 != 0 {
		return nil, errWrongArgs(name)
	}
	var out []int
	for i := 0; i < len(args); i += 2 {
		from, ok1 := parseSlot(args[i])
		to, ok2 := parseSlot(args[i+1])
		if !ok1 || !ok2 {
			return nil, errInvalidSlot
		}
		if from > to {
			return nil, errSlotRangeOrder(int64(from), int64(to))
		}
		for s := from; s <= to; s++ {
			out = append(out, s)
		}
	}
	return out, ""
}

// checkSlots walks the slots in order as Redis's checkSlotAssignmentsOrReply
// does: a slot must be free (ADDSLOTS) or served (DELSLOTS) in the current
// view, and given once.
func checkSlots(c *Client, ss []int, del bool) string {
	m := c.srv.cluster.View().Map
	seen := make(map[int]bool, len(ss))
	for _, s := range ss {
		owned := m.Owner(s) != slots.NoNode
		switch {
		case del && !owned:
			return errSlotUnassigned(s)
		case !del && owned:
			return errSlotBusy(s)
		case seen[s]:
			return errSlotTwice(s)
		}
		seen[s] = true
	}
	return ""
}

// changeSlots runs ADDSLOTS/DELSLOTS and their RANGE forms once parsed.
func changeSlots(c *Client, ss []int, e string, del bool) {
	if e == "" {
		e = checkSlots(c, ss, del)
	}
	if e != "" {
		c.w.Error(e)
		return
	}
	if del {
		replySlotErr(c, c.srv.cluster.DelSlots(ss))
	} else {
		replySlotErr(c, c.srv.cluster.AddSlots(ss))
	}
}

func cmdClusterAddSlots(c *Client, args [][]byte) {
	ss, e := slotList(args[2:])
	changeSlots(c, ss, e, false)
}

func cmdClusterAddSlotsRange(c *Client, args [][]byte) {
	ss, e := slotRanges("cluster|addslotsrange", args[2:])
	changeSlots(c, ss, e, false)
}

func cmdClusterDelSlots(c *Client, args [][]byte) {
	ss, e := slotList(args[2:])
	changeSlots(c, ss, e, true)
}

func cmdClusterDelSlotsRange(c *Client, args [][]byte) {
	ss, e := slotRanges("cluster|delslotsrange", args[2:])
	changeSlots(c, ss, e, true)
}

func cmdClusterFlushSlots(c *Client, args [][]byte) {
	if c.db.KeyCount() != 0 {
		c.w.Error(errFlushSlotsNotEmpty)
		return
	}
	replySlotErr(c, c.srv.cluster.FlushSlots())
}

func cmdClusterBumpEpoch(c *Client, args [][]byte) {
	bumped, e := c.srv.cluster.BumpEpoch()
	word := "STILL"
	if bumped {
		word = "BUMPED"
	}
	c.w.Status(word + " " + strconv.FormatUint(e, 10))
}

func cmdClusterSetConfigEpoch(c *Client, args [][]byte) {
	e, ok := argInt(args[2])
	if !ok {
		c.w.Error(errNotInteger)
		return
	}
	if e < 0 {
		c.w.Error(errInvalidEpoch(e))
		return
	}
	switch err := c.srv.cluster.SetConfigEpoch(uint64(e)); {
	case err == nil:
		c.w.OK()
	case errors.Is(err, cluster.ErrEpochNotAlone):
		c.w.Error(errEpochNotAlone)
	case errors.Is(err, cluster.ErrEpochNonZero):
		c.w.Error(errEpochNonZero)
	default:
		c.srv.log.Warn("CLUSTER SET-CONFIG-EPOCH failed", "err", err)
		c.w.Error(errInternal)
	}
}

func cmdClusterFailureReports(c *Client, args [][]byte) {
	n, err := c.srv.cluster.FailureReports(string(args[2]))
	if err != nil {
		c.w.Error(errUnknownNode(args[2]))
		return
	}
	c.w.Int(int64(n))
}

func cmdClusterCountKeys(c *Client, args [][]byte) {
	n, ok := argInt(args[2])
	if !ok {
		c.w.Error(errNotInteger)
		return
	}
	if n < 0 || n >= slots.Count {
		c.w.Error(errInvalidSlotShort)
		return
	}
	c.w.Int(c.db.SlotKeyCount(int(n)))
}

func cmdClusterGetKeys(c *Client, args [][]byte) {
	slot, ok1 := argInt(args[2])
	count, ok2 := argInt(args[3])
	if !ok1 || !ok2 {
		c.w.Error(errNotInteger)
		return
	}
	if slot < 0 || slot >= slots.Count || count < 0 {
		c.w.Error(errInvalidSlotOrCount)
		return
	}
	keys, err := c.db.SlotKeys(int(slot), int(min(count, 1<<30)))
	if err != nil {
		c.w.Error(engineError(err))
		return
	}
	c.w.BulkArray(keys)
}

func cmdClusterForget(c *Client, args [][]byte) {
	switch err := c.srv.cluster.Forget(string(args[2])); {
	case err == nil:
		c.w.OK()
	case errors.Is(err, cluster.ErrForgetMyself):
		c.w.Error(errForgetMyself)
	default:
		c.w.Error(errUnknownNode(args[2]))
	}
}

func cmdClusterKeySlot(c *Client, args [][]byte) {
	c.w.Int(int64(slots.KeySlot(args[2])))
}

func cmdClusterMeet(c *Client, args [][]byte) {
	if len(args) > 5 {
		c.w.Error(errSubcommandSyntax(args[0], args[1]))
		return
	}
	port, ok := argInt(args[3])
	if !ok {
		c.w.Error(errMeetPort(args[3]))
		return
	}
	bus := port + 10000
	if len(args) == 5 {
		if bus, ok = argInt(args[4]); !ok {
			c.w.Error(errMeetBusPort(args[4]))
			return
		}
	}
	if port <= 0 || port > 65535 || bus <= 0 || bus > 65535 {
		c.w.Error(errMeetAddr(args[2], args[3]))
		return
	}
	if err := c.srv.cluster.Meet(string(args[2]), int(bus)); err != nil {
		c.w.Error(errMeetAddr(args[2], args[3]))
		return
	}
	c.w.OK()
}

func cmdClusterMyID(c *Client, args [][]byte) {
	c.w.BulkString(c.srv.cluster.View().Me().ID)
}

func cmdClusterMyShardID(c *Client, args [][]byte) {
	c.w.BulkString(c.srv.cluster.View().Me().ShardID)
}

func cmdClusterReset(c *Client, args [][]byte) {
	hard := false
	if len(args) > 3 {
		c.w.Error(errSubcommandSyntax(args[0], args[1]))
		return
	}
	if len(args) == 3 {
		switch {
		case eq(args[2], "hard"):
			hard = true
		case eq(args[2], "soft"):
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	if c.srv.cluster.View().Me().Primary && c.db.KeyCount() != 0 {
		c.w.Error(errResetWithKeys)
		return
	}
	if err := c.srv.cluster.Reset(hard); err != nil {
		c.srv.log.Error("CLUSTER RESET failed", "err", err)
		c.w.Error(errInternal)
		return
	}
	c.w.OK()
}

func cmdClusterSaveConfig(c *Client, args [][]byte) {
	if err := c.srv.cluster.SaveConfig(); err != nil {
		c.w.Error(errSaveClusterConfig(err))
		return
	}
	c.w.OK()
}

func cmdClusterInfo(c *Client, args [][]byte) { writeClusterInfo(&c.w, c.srv.cluster.View()) }

func cmdClusterNodes(c *Client, args [][]byte) { writeClusterNodes(&c.w, c.srv.cluster.View()) }

func cmdClusterSlots(c *Client, args [][]byte) { writeClusterSlots(&c.w, c.srv.cluster.View()) }

func cmdClusterShards(c *Client, args [][]byte) { writeClusterShards(&c.w, c.srv.cluster.View()) }

func cmdClusterLinks(c *Client, args [][]byte) { writeClusterLinks(&c.w, c.srv.cluster.View()) }

// cmdClusterDeliver is how PUBLISH reaches the other nodes: the publishing
// node sends CLUSTER DELIVER channel message to each of them, which hands
// the message to its local subscribers only (no further propagation).
func cmdClusterDeliver(c *Client, args [][]byte) {
	c.w.Int(c.publish(subChannel, args[2], args[3]))
}

// clusterHelp is CLUSTER HELP's text between the header and HELP lines.
var clusterHelp = []string{
	"ADDSLOTS <slot> [<slot> ...]",
	"    Assign slots to current node.",
	"ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
	"    Assign slots which are between <start-slot> and <end-slot> to current node.",
	"BUMPEPOCH",
	"    Advance the cluster config epoch.",
	"COUNT-FAILURE-REPORTS <node-id>",
	"    Return number of failure reports for <node-id>.",
	"COUNTKEYSINSLOT <slot>",
	"    Return the number of keys in <slot>.",
	"DELSLOTS <slot> [<slot> ...]",
	"    Delete slots information from current node.",
	"DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
	"    Delete slots information which are between <start-slot> and <end-slot> from current node.",
	"DELIVER <channel> <message>",
	"    Deliver a message published on another node to this node's subscribers (kvnode).",
	"FLUSHSLOTS",
	"    Delete current node own slots information.",
	"FORGET <node-id>",
	"    Remove a node from the cluster.",
	"GETKEYSINSLOT <slot> <count>",
	"    Return key names stored by current node in a slot.",
	"INFO",
	"    Return information about the cluster.",
	"KEYSLOT <key>",
	"    Return the hash slot for <key>.",
	"LINKS",
	"    Return information about all network links between this node and its peers.",
	"    Output format is an array where each array element is a map containing attributes of a link",
	"MEET <ip> <port> [<bus-port>]",
	"    Connect nodes into a working cluster.",
	"MYID",
	"    Return the node id.",
	"MYSHARDID",
	"    Return the node's shard id.",
	"NODES",
	"    Return cluster configuration seen by node. Output format:",
	"    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
	"RESET [HARD|SOFT]",
	"    Reset current node (default: soft).",
	"SAVECONFIG",
	"    Force saving cluster configuration on disk.",
	"SET-CONFIG-EPOCH <epoch>",
	"    Set config epoch of current node.",
	"SHARDS",
	"    Return information about slot range mappings and the nodes associated with them.",
	"SLOTS",
	"    Return information about slots range mappings. Each range is made of:",
	"    start, end, master and replicas IP addresses, ports and ids",
}

func cmdClusterHelp(c *Client, args [][]byte) {
	c.help("CLUSTER", clusterHelp)
}

func cmdReadOnly(c *Client, args [][]byte) {
	c.readonly = true
	c.w.OK()
}

func cmdReadWrite(c *Client, args [][]byte) {
	c.readonly = false
	c.w.OK()
}

func cmdAsking(c *Client, args [][]byte) {
	c.asking = true
	c.w.OK()
}

// replySlotErr answers the outcome of a slot change.
func replySlotErr(c *Client, err error) {
	var se *cluster.SlotError
	switch {
	case err == nil:
		c.w.OK()
	case errors.As(err, &se) && errors.Is(err, cluster.ErrSlotBusy):
		c.w.Error(errSlotBusy(se.Slot))
	case errors.As(err, &se) && errors.Is(err, cluster.ErrSlotUnassigned):
		c.w.Error(errSlotUnassigned(se.Slot))
	default:
		c.srv.log.Warn("cluster command failed", "err", err)
		c.w.Error(errInternal)
	}
}
