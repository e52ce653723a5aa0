package resp

import (
	"math"
	"strings"
	"time"

	"github.com/kvnode/kvnode/engine"
)

// DUMP, RESTORE and the OBJECT container command.

func dumpCommands() []*Command {
	ro := FlagReadonly
	sub := func(name string, arity int, flags Flags, first int, h Handler, since, summary string) *Command {
		c := &Command{Name: name, Arity: arity, Flags: flags, Handler: h, Group: "generic", Since: since, Summary: summary}
		if first > 0 {
			c.First, c.Last, c.Step = first, first, 1
		}
		return c
	}
	return []*Command{
		{Name: "dump", Arity: 2, Flags: ro, First: 1, Last: 1, Step: 1, Handler: cmdDump, Group: "generic",
			Since: "2.6.0", Summary: "Return a serialized version of the value stored at the specified key."},
		{Name: "restore", Arity: -4, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: 1, Step: 1, Handler: cmdRestore, Group: "generic",
			Since: "2.6.0", Summary: "Create a key using the provided serialized value, previously obtained using DUMP."},
		{Name: "object", Arity: -2, Group: "generic", Since: "2.2.3", Summary: "A container for object introspection commands", Subs: subs(
			sub("encoding", 3, ro, 2, cmdObjectEncoding, "2.2.3", "Inspect the internal encoding of a Redis object"),
			sub("freq", 3, ro, 2, cmdObjectFreq, "4.0.0", "Get the logarithmic access frequency counter of a Redis object"),
			sub("idletime", 3, ro, 2, cmdObjectIdletime, "2.2.3", "Get the time since a Redis object was last accessed"),
			sub("refcount", 3, ro, 2, cmdObjectRefcount, "2.2.3", "Get the number of references to the value of the key"),
			sub("help", 2, FlagLoading|FlagStale, 0, cmdObjectHelp, "6.2.0", "Show helpful text about the different subcommands"),
		)},
	}
}

func cmdDump(c *Client, args [][]byte) {
	data, ok, err := c.db.Dump(args[1])
	if err != nil {
		c.replyErr(err)
		return
	}
	c.srv.hit(ok)
	if !ok {
		c.w.Null()
		return
	}
	c.w.Bulk(data)
}

// cmdRestore is RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s]
// [FREQ f], checking in Redis' order: options, existing key, TTL, payload.
// IDLETIME and FREQ are validated and then ignored: kvnode keeps no
// LRU/LFU data.
func cmdRestore(c *Client, args [][]byte) {
	var replace, absTTL bool
	idle, freq := int64(-1), int64(-1)
	for i := 4; i < len(args); i++ {
		a, more := args[i], len(args)-i-1
		switch {
		case eq(a, "replace"):
			replace = true
		case eq(a, "absttl"):
			absTTL = true
		case eq(a, "idletime") && more >= 1 && freq == -1:
			n, ok := argInt(args[i+1])
			if !ok {
				c.w.Error(errNotInteger)
				return
			}
			if n < 0 {
				c.w.Error(errRestoreIdletime)
				return
			}
			idle = n
			i++
		case eq(a, "freq") && more >= 1 && idle == -1:
			n, ok := argInt(args[i+1])
			if !ok {
				c.w.Error(errNotInteger)
				return
			}
			if n < 0 || n > 255 {
				c.w.Error(errRestoreFreq)
				return
			}
			freq = n
			i++
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	ttl, ok := argInt(args[2])
	if !ok || ttl < 0 {
		// Redis refuses an existing key before it looks at the TTL.
		if !replace {
			n, err := c.db.Exists(args[1:2])
			if err != nil {
				c.replyErr(err)
				return
			}
			if n > 0 {
				c.w.Error(errBusyKey)
				return
			}
		}
		if !ok {
			c.w.Error(errNotInteger)
		} else {
			c.w.Error(errRestoreTTL)
		}
		return
	}
	at := ttl
	if ttl != 0 && !absTTL {
		now := time.Now().UnixMilli()
		if ttl > math.MaxInt64-now {
			// Redis' ttl+now overflows into the past: the key expires at
			// once (not created, and REPLACE deletes the old one).
			at = -1
		} else {
			at = ttl + now
		}
	}
	if err := c.db.Restore(args[1], args[3], at, replace); err != nil {
		c.replyErr(err)
		return
	}
	c.w.OK()
}

// objectLookup finds key for an OBJECT subcommand; when it returns false
// the reply (null or error) has been written.
func objectLookup(c *Client, key []byte) (engine.ObjectInfo, bool) {
	info, ok, err := c.db.Object(key)
	if err != nil {
		c.replyErr(err)
		return info, false
	}
	c.srv.hit(ok)
	if !ok {
		c.w.Null()
	}
	return info, ok
}

// maxmemoryPolicy returns the configured eviction policy ("" when kvnode
// has no such option).
func (c *Client) maxmemoryPolicy() string {
	return strings.ToLower(c.srv.cfg.Get("maxmemory-policy"))
}

func cmdObjectEncoding(c *Client, args [][]byte) {
	if info, ok := objectLookup(c, args[2]); ok {
		c.w.BulkString(info.Encoding)
	}
}

// sharedRefcount is the REFCOUNT Redis reports for shared objects
// (OBJ_SHARED_REFCOUNT, INT_MAX).
const sharedRefcount = math.MaxInt32

func cmdObjectRefcount(c *Client, args [][]byte) {
	info, ok := objectLookup(c, args[2])
	if !ok {
		return
	}
	// Redis shares the integers 0..9999 unless maxmemory is set with an
	// LRU or LFU policy, which needs a private object per key.
	pol := c.maxmemoryPolicy()
	noShared := c.srv.cfg.Int("maxmemory") != 0 && (strings.HasSuffix(pol, "-lru") || strings.HasSuffix(pol, "-lfu"))
	if info.SharedInt && !noShared {
		c.w.Int(sharedRefcount)
		return
	}
	c.w.Int(1)
}

// cmdObjectIdletime answers 0: kvnode keeps no last-access time (reads do
// not write to the store).
func cmdObjectIdletime(c *Client, args [][]byte) {
	if _, ok := objectLookup(c, args[2]); !ok {
		return
	}
	if strings.HasSuffix(c.maxmemoryPolicy(), "-lfu") {
		c.w.Error(errLFUSelected)
		return
	}
	c.w.Int(0)
}

// cmdObjectFreq errors as Redis does without an LFU policy; with one it
// answers 0, since kvnode keeps no access counter.
func cmdObjectFreq(c *Client, args [][]byte) {
	if _, ok := objectLookup(c, args[2]); !ok {
		return
	}
	if !strings.HasSuffix(c.maxmemoryPolicy(), "-lfu") {
		c.w.Error(errLFUNotSelected)
		return
	}
	c.w.Int(0)
}

// objectHelp is OBJECT HELP's text between the header and HELP lines, as
// Redis 7.0 words it.
var objectHelp = []string{
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
}

func cmdObjectHelp(c *Client, args [][]byte) {
	c.help("OBJECT", objectHelp)
}
