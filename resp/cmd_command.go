package resp

import (
	"strings"
)

// COMMAND and its subcommands, answered from the command table.

func commandCommands() []*Command {
	f := FlagLoading | FlagStale
	sub := func(name string, arity int, h Handler) *Command {
		return &Command{Name: name, Arity: arity, Flags: f, Handler: h, Group: "server"}
	}
	return []*Command{
		{Name: "command", Arity: -1, Flags: f, Handler: cmdCommand, Group: "server", Subs: subs(
			sub("count", 2, cmdCommandCount),
			sub("info", -2, cmdCommandInfo),
			sub("docs", -2, cmdCommandDocs),
			sub("getkeys", -4, cmdCommandGetKeys),
			sub("list", -2, cmdCommandList),
			sub("help", 2, cmdCommandHelp),
		)},
	}
}

func cmdCommand(c *Client, args [][]byte) {
	all := c.srv.table.All()
	c.w.Array(len(all))
	for _, cmd := range all {
		c.writeCommandInfo(cmd)
	}
}

func cmdCommandCount(c *Client, args [][]byte) { c.w.Int(int64(len(c.srv.table.All()))) }

func cmdCommandInfo(c *Client, args [][]byte) {
	if len(args) == 2 {
		cmdCommand(c, args)
		return
	}
	c.w.Array(len(args) - 2)
	for _, name := range args[2:] {
		if cmd := c.srv.table.lookupFull(name); cmd != nil {
			c.writeCommandInfo(cmd)
		} else {
			c.w.NullArray()
		}
	}
}

// lookupFull finds "get" or a subcommand spelled "config|get".
func (t *Table) lookupFull(name []byte) *Command {
	s := strings.ToLower(string(name))
	if i := strings.IndexByte(s, '|'); i >= 0 {
		parent := t.cmds[s[:i]]
		if parent == nil || parent.Subs == nil {
			return nil
		}
		return parent.Subs[s[i+1:]]
	}
	return t.cmds[s]
}

// aclCategories derives a command's ACL categories from its flags and
// group, as COMMAND INFO reports them.
func aclCategories(cmd *Command) []string {
	var out []string
	if cmd.Flags&FlagWrite != 0 {
		out = append(out, "@write")
	}
	if cmd.Flags&FlagReadonly != 0 {
		out = append(out, "@read")
	}
	switch cmd.Group {
	case "string":
		out = append(out, "@string")
	case "bitmap":
		out = append(out, "@bitmap")
	case "generic":
		out = append(out, "@keyspace")
	case "hash":
		out = append(out, "@hash")
	case "list":
		out = append(out, "@list")
	case "set":
		out = append(out, "@set")
	case "sorted_set":
		out = append(out, "@sortedset")
	case "connection":
		out = append(out, "@connection")
	case "transactions":
		out = append(out, "@transaction")
	}
	if cmd.Flags&FlagAdmin != 0 {
		out = append(out, "@admin")
	}
	if cmd.Flags&FlagPubSub != 0 {
		out = append(out, "@pubsub")
	}
	if cmd.Flags&FlagFast != 0 {
		out = append(out, "@fast")
	} else {
		out = append(out, "@slow")
	}
	if cmd.Flags&FlagBlocking != 0 {
		out = append(out, "@blocking")
	}
	if cmd.Flags&FlagAdmin != 0 {
		out = append(out, "@dangerous")
	}
	return out
}

// writeCommandInfo writes one COMMAND INFO entry in Redis 7's ten-element
// shape: name, arity, flags, first, last, step, ACL categories, tips, key
// specs, subcommands.
func (c *Client) writeCommandInfo(cmd *Command) {
	w := &c.w
	w.Array(10)
	w.BulkString(cmd.FullName())
	w.Int(int64(cmd.Arity))
	flags := cmd.Flags.Names()
	if cmd.KeysFn != nil {
		flags = append(flags, "movablekeys")
	}
	w.Set(len(flags))
	for _, f := range flags {
		w.Status(f)
	}
	// Commands with movable keys still report their fixed first key, as
	// Redis does (ZUNIONSTORE: 1 1 1); cluster clients route on it.
	first, last, step := cmd.First, cmd.Last, cmd.Step
	if first == 0 {
		last, step = 0, 0
	}
	w.Int(int64(first))
	w.Int(int64(last))
	w.Int(int64(step))
	cats := aclCategories(cmd)
	w.Set(len(cats))
	for _, cat := range cats {
		w.Status(cat)
	}
	w.Array(0) // tips
	if first > 0 && cmd.KeysFn == nil {
		w.Array(1)
		c.writeKeySpec(cmd)
	} else {
		w.Array(0)
	}
	names := sortedSubs(cmd)
	w.Array(len(names))
	for _, n := range names {
		c.writeCommandInfo(cmd.Subs[n])
	}
}

// writeKeySpec writes the range key spec of a command with fixed key
// positions.
func (c *Client) writeKeySpec(cmd *Command) {
	w := &c.w
	lastKey := cmd.Last
	if lastKey >= 0 {
		lastKey -= cmd.First
	}
	w.Map(3)
	w.BulkString("flags")
	if cmd.Flags&FlagWrite != 0 {
		w.Set(2)
		w.Status("RW")
		w.Status("update")
	} else {
		w.Set(2)
		w.Status("RO")
		w.Status("access")
	}
	w.BulkString("begin_search")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("index")
	w.BulkString("spec")
	w.Map(1)
	w.BulkString("index")
	w.Int(int64(cmd.First))
	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("range")
	w.BulkString("spec")
	w.Map(3)
	w.BulkString("lastkey")
	w.Int(int64(lastKey))
	w.BulkString("keystep")
	w.Int(int64(max(cmd.Step, 1)))
	w.BulkString("limit")
	w.Int(0)
}

func sortedSubs(cmd *Command) []string {
	names := make([]string, 0, len(cmd.Subs))
	for n := range cmd.Subs {
		names = append(names, n)
	}
	sortStrings(names)
	return names
}

func cmdCommandDocs(c *Client, args [][]byte) {
	var cmds []*Command
	if len(args) == 2 {
		cmds = c.srv.table.All()
	} else {
		for _, name := range args[2:] {
			if cmd := c.srv.table.lookupFull(name); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.w.Map(len(cmds))
	for _, cmd := range cmds {
		c.w.BulkString(cmd.FullName())
		c.writeCommandDoc(cmd)
	}
}

func (c *Client) writeCommandDoc(cmd *Command) {
	n := 1
	if cmd.Summary != "" {
		n++
	}
	if cmd.Since != "" {
		n++
	}
	if len(cmd.Subs) > 0 {
		n++
	}
	c.w.Map(n)
	if cmd.Summary != "" {
		c.w.BulkString("summary")
		c.w.BulkString(cmd.Summary)
	}
	if cmd.Since != "" {
		c.w.BulkString("since")
		c.w.BulkString(cmd.Since)
	}
	c.w.BulkString("group")
	c.w.BulkString(cmd.Group)
	if len(cmd.Subs) > 0 {
		c.w.BulkString("subcommands")
		names := sortedSubs(cmd)
		c.w.Map(len(names))
		for _, sn := range names {
			c.w.BulkString(cmd.Subs[sn].FullName())
			c.writeCommandDoc(cmd.Subs[sn])
		}
	}
}

func cmdCommandGetKeys(c *Client, args [][]byte) {
	target := args[2:]
	cmd := c.srv.table.Lookup(target[0])
	if cmd == nil {
		c.w.Error(errInvalidCommand)
		return
	}
	if cmd.Subs != nil && len(target) > 1 {
		cmd = cmd.Subs[strings.ToLower(string(target[1]))]
		if cmd == nil {
			c.w.Error(errInvalidCommand)
			return
		}
	}
	if cmd.First == 0 && cmd.KeysFn == nil {
		c.w.Error(errNoKeyArgs)
		return
	}
	if (cmd.Arity > 0 && len(target) != cmd.Arity) || len(target) < -cmd.Arity {
		c.w.Error(errInvalidCommandArgs)
		return
	}
	pos := cmd.KeyPositions(target)
	if len(pos) == 0 {
		c.w.Error(errInvalidArgsSpecified)
		return
	}
	c.w.Array(len(pos))
	for _, p := range pos {
		c.w.Bulk(target[p])
	}
}

func cmdCommandList(c *Client, args [][]byte) {
	var filter func(cmd *Command) bool
	switch {
	case len(args) == 2:
	case len(args) == 5 && eq(args[2], "filterby"):
		val := args[4]
		switch {
		case eq(args[3], "module"):
			filter = func(*Command) bool { return false }
		case eq(args[3], "aclcat"):
			want := "@" + lowerName(val)
			filter = func(cmd *Command) bool {
				for _, cat := range aclCategories(cmd) {
					if cat == want {
						return true
					}
				}
				return false
			}
		case eq(args[3], "pattern"):
			filter = func(cmd *Command) bool { return globMatch(val, []byte(cmd.FullName()), true) }
		default:
			c.w.Error(errSyntax)
			return
		}
	default:
		c.w.Error(errSyntax)
		return
	}
	var names []string
	for _, cmd := range c.srv.table.All() {
		if filter == nil || filter(cmd) {
			names = append(names, cmd.FullName())
		}
		for _, sn := range sortedSubs(cmd) {
			if sub := cmd.Subs[sn]; filter == nil || filter(sub) {
				names = append(names, sub.FullName())
			}
		}
	}
	c.w.Array(len(names))
	for _, n := range names {
		c.w.BulkString(n)
	}
}

func cmdCommandHelp(c *Client, args [][]byte) {
	c.help("COMMAND", []string{
		"(no subcommand)",
		"    Return details about all Redis commands.",
		"COUNT",
		"    Return the total number of commands in this Redis server.",
		"LIST",
		"    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]",
		"    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]",
		"    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>",
		"    Return the keys from a full Redis command.",
		"LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
		"    Return a list of all commands in this Redis server.",
	})
}
