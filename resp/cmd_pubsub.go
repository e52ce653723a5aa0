package resp

// Pub/Sub commands; the delivery machinery is in pubsub.go. In a cluster,
// PUBLISH also reaches the subscribers of every other node (as CLUSTER
// DELIVER over peer links) and its reply counts this node's receivers, as
// Redis's does; SPUBLISH/SSUBSCRIBE are routed to the channel's slot owner.

func pubsubCommands() []*Command {
	g := "pubsub"
	sub := FlagPubSub | FlagNoScript | FlagLoading | FlagStale
	pub := FlagPubSub | FlagLoading | FlagStale | FlagFast
	ls := FlagPubSub | FlagLoading | FlagStale
	row := func(name string, arity int, flags Flags, h Handler, since, summary string) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, Handler: h, Group: g, Since: since, Summary: summary}
	}
	shard := func(cmd *Command, last int) *Command {
		cmd.First, cmd.Last, cmd.Step = 1, last, 1
		return cmd
	}
	return []*Command{
		row("subscribe", -2, sub, cmdSubscribe, "2.0.0", "Listen for messages published to the given channels"),
		row("unsubscribe", -1, sub, cmdUnsubscribe, "2.0.0", "Stop listening for messages posted to the given channels"),
		row("psubscribe", -2, sub, cmdPSubscribe, "2.0.0", "Listen for messages published to channels matching the given patterns"),
		row("punsubscribe", -1, sub, cmdPUnsubscribe, "2.0.0", "Stop listening for messages posted to channels matching the given patterns"),
		row("publish", 3, pub, cmdPublish, "2.0.0", "Post a message to a channel"),
		shard(row("ssubscribe", -2, sub, cmdSSubscribe, "7.0.0", "Listen for messages published to the given shard channels"), -1),
		shard(row("sunsubscribe", -1, sub, cmdSUnsubscribe, "7.0.0", "Stop listening for messages posted to the given shard channels"), -1),
		shard(row("spublish", 3, pub, cmdSPublish, "7.0.0", "Post a message to a shard channel"), 1),
		{Name: "pubsub", Arity: -2, Group: g, Since: "2.8.0", Summary: "A container for Pub/Sub commands", Subs: subs(
			row("channels", -2, ls, cmdPubsubChannels, "2.8.0", "List active channels"),
			row("numpat", 2, ls, cmdPubsubNumPat, "2.8.0", "Get the count of unique patterns pattern subscriptions"),
			row("numsub", -2, ls, cmdPubsubNumSub, "2.8.0", "Get the count of subscribers for channels"),
			row("shardchannels", -2, ls, cmdPubsubShardChannels, "7.0.0", "List active shard channels"),
			row("shardnumsub", -2, ls, cmdPubsubShardNumSub, "7.0.0", "Get the count of subscribers for shard channels"),
			row("help", 2, FlagLoading|FlagStale, cmdPubsubHelp, "6.2.0", "Show helpful text about the different subcommands"),
		)},
	}
}

func cmdSubscribe(c *Client, args [][]byte)    { c.subscribe(subChannel, args[1:]) }
func cmdPSubscribe(c *Client, args [][]byte)   { c.subscribe(subPattern, args[1:]) }
func cmdUnsubscribe(c *Client, args [][]byte)  { c.unsubscribe(subChannel, args[1:]) }
func cmdPUnsubscribe(c *Client, args [][]byte) { c.unsubscribe(subPattern, args[1:]) }
func cmdSUnsubscribe(c *Client, args [][]byte) { c.unsubscribe(subShard, args[1:]) }

// cmdSSubscribe: unlike SUBSCRIBE, Redis refuses it inside MULTI/EXEC (a
// "deny blocking" context).
func cmdSSubscribe(c *Client, args [][]byte) {
	if c.inExec {
		c.w.Error(errSSubscribeDenyBlocking)
		return
	}
	c.subscribe(subShard, args[1:])
}

func cmdPublish(c *Client, args [][]byte) {
	n := c.publish(subChannel, args[1], args[2])
	c.srv.forwardPublish(args[1], args[2])
	if !c.closeAfter {
		c.w.Int(n)
	}
}

func cmdSPublish(c *Client, args [][]byte) {
	n := c.publish(subShard, args[1], args[2])
	if !c.closeAfter {
		c.w.Int(n)
	}
}

// pubsubChannels serves PUBSUB CHANNELS and SHARDCHANNELS [pattern].
func (c *Client) pubsubChannels(kind int, args [][]byte) {
	if len(args) > 3 {
		c.w.Error(errSubcommandSyntax(args[0], args[1]))
		return
	}
	var pattern []byte
	if len(args) == 3 {
		pattern = args[2]
	}
	c.w.BulkArray(c.srv.pubsub.channelList(kind, pattern))
}

// pubsubNumSub serves PUBSUB NUMSUB and SHARDNUMSUB [channel ...].
func (c *Client) pubsubNumSub(kind int, args [][]byte) {
	chans := args[2:]
	counts := c.srv.pubsub.numSub(kind, chans)
	c.w.Array(2 * len(chans))
	for i, ch := range chans {
		c.w.Bulk(ch)
		c.w.Int(int64(counts[i]))
	}
}

func cmdPubsubChannels(c *Client, args [][]byte)      { c.pubsubChannels(subChannel, args) }
func cmdPubsubShardChannels(c *Client, args [][]byte) { c.pubsubChannels(subShard, args) }
func cmdPubsubNumSub(c *Client, args [][]byte)        { c.pubsubNumSub(subChannel, args) }
func cmdPubsubShardNumSub(c *Client, args [][]byte)   { c.pubsubNumSub(subShard, args) }

func cmdPubsubNumPat(c *Client, args [][]byte) {
	c.w.Int(int64(c.srv.pubsub.count(subPattern)))
}

func cmdPubsubHelp(c *Client, args [][]byte) {
	c.help("PUBSUB", []string{
		"CHANNELS [<pattern>]",
		"    Return the currently active channels matching a <pattern> (default: '*').",
		"NUMPAT",
		"    Return number of subscriptions to patterns.",
		"NUMSUB [<channel> ...]",
		"    Return the number of subscribers for the specified channels, excluding",
		"    pattern subscriptions(default: no channels).",
		"SHARDCHANNELS [<pattern>]",
		"    Return the currently active shard level channels matching a <pattern> (default: '*').",
		"SHARDNUMSUB [<shardchannel> ...]",
		"    Return the number of subscribers for the specified shard level channel(s)",
	})
}

// forwardPublish sends a PUBLISHed message to every other live cluster
// node, without waiting: delivery to other nodes is asynchronous and at
// most once, like Redis's cluster bus.
func (s *Server) forwardPublish(channel, msg []byte) {
	if s.cluster == nil {
		return
	}
	v := s.cluster.View()
	var live []string
	for i := range v.Nodes {
		if n := &v.Nodes[i]; !n.Myself && n.Connected {
			live = append(live, n.Addr())
			s.links.Send(n.Addr(), []byte("CLUSTER"), []byte("DELIVER"), channel, msg)
		}
	}
	if s.linksView.Swap(v) != v {
		s.links.Retain(live) // close links to nodes gone since the last view
	}
}
