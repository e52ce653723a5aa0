package resp

import (
	"sort"
	"strings"
)

// Flags are a command's Redis command flags.
type Flags uint32

// Command flags, as COMMAND INFO names them.
const (
	FlagWrite Flags = 1 << iota
	FlagReadonly
	FlagDenyOOM
	FlagAdmin
	FlagPubSub
	FlagNoScript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagSkipMonitor
	FlagSkipSlowlog
	FlagFast
	FlagNoAuth
	FlagMayReplicate
	FlagNoMulti
	FlagAllowBusy
	FlagNoAsyncLoading
)

var flagNames = []string{
	"write", "readonly", "denyoom", "admin", "pubsub", "noscript", "blocking",
	"loading", "stale", "skip_monitor", "skip_slowlog", "fast", "no_auth",
	"may_replicate", "no_multi", "allow_busy", "no_async_loading",
}

// Names returns the flag names in COMMAND INFO order.
func (f Flags) Names() []string {
	var out []string
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// Handler runs one command; it writes exactly one reply to c.
type Handler func(c *Client, args [][]byte)

// Command is one row of the command table: everything dispatch, routing,
// MULTI and COMMAND INFO need to know about a command.
type Command struct {
	Name  string // lower case
	Arity int    // Redis arity: N exact, -N at least N (the name counts)
	Flags Flags
	// Key positions: first, last (negative counts from the end), step.
	// First 0 means no keys unless KeysFn is set.
	First, Last, Step int
	// KeysFn returns key positions for commands whose keys have no fixed
	// shape; it may return nil for a malformed request.
	KeysFn  func(args [][]byte) []int
	Handler Handler
	Group   string // COMMAND DOCS group: string, generic, connection, server, …
	Summary string
	Since   string
	// Subs holds the subcommands of a container command (CONFIG GET …).
	Subs map[string]*Command

	fullName string // "config|get" for subcommands
}

// FullName is the name Redis uses in errors: "get", "config|get".
func (cmd *Command) FullName() string {
	if cmd.fullName != "" {
		return cmd.fullName
	}
	return cmd.Name
}

// KeyPositions returns the argument indexes holding keys.
func (cmd *Command) KeyPositions(args [][]byte) []int {
	if cmd.KeysFn != nil {
		return cmd.KeysFn(args)
	}
	if cmd.First <= 0 || cmd.First >= len(args) {
		return nil
	}
	last := cmd.Last
	if last < 0 {
		last = len(args) + last
	}
	last = min(last, len(args)-1)
	step := max(cmd.Step, 1)
	out := make([]int, 0, (last-cmd.First)/step+1)
	for i := cmd.First; i <= last; i += step {
		out = append(out, i)
	}
	return out
}

// Table is the command table.
type Table struct {
	cmds map[string]*Command
}

func newTable(groups ...[]*Command) *Table {
	t := &Table{cmds: make(map[string]*Command)}
	for _, g := range groups {
		for _, c := range g {
			if _, dup := t.cmds[c.Name]; dup {
				panic("resp: command registered twice: " + c.Name)
			}
			for _, s := range c.Subs {
				s.fullName = c.Name + "|" + s.Name
				if s.Group == "" {
					s.Group = c.Group
				}
			}
			t.cmds[c.Name] = c
		}
	}
	return t
}

// Lookup finds a command by name, case-insensitively.
func (t *Table) Lookup(name []byte) *Command {
	var buf [32]byte
	if len(name) <= len(buf) {
		for i, c := range name {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[i] = c
		}
		return t.cmds[string(buf[:len(name)])]
	}
	return t.cmds[strings.ToLower(string(name))]
}

// All returns every command, sorted by name.
func (t *Table) All() []*Command {
	out := make([]*Command, 0, len(t.cmds))
	for _, c := range t.cmds {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// resolve finds the command to run for args, including subcommands, and
// returns the error text to send instead when there is none or the arity
// is wrong.
func (t *Table) resolve(args [][]byte) (*Command, string) {
	cmd := t.Lookup(args[0])
	if cmd == nil {
		return nil, errUnknownCommand(args)
	}
	if cmd.Subs != nil {
		if len(args) == 1 {
			if cmd.Handler != nil {
				return cmd, "" // COMMAND alone
			}
			return nil, errWrongArgs(cmd.Name)
		}
		sub := cmd.Subs[strings.ToLower(string(args[1]))]
		if sub == nil {
			return nil, errUnknownSubcommand(cmd.Name, args[1])
		}
		cmd = sub
	}
	if (cmd.Arity > 0 && len(args) != cmd.Arity) || len(args) < -cmd.Arity {
		return nil, errWrongArgs(cmd.FullName())
	}
	return cmd, ""
}

// subs builds a subcommand map.
func subs(cmds ...*Command) map[string]*Command {
	m := make(map[string]*Command, len(cmds))
	for _, c := range cmds {
		m[c.Name] = c
	}
	return m
}

func sortStrings(s []string) { sort.Strings(s) }
