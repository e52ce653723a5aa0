package resp

import (
	"strconv"
	"strings"
	"time"
)

// HELLO, RESET and the CLIENT container command.

func clientCommands() []*Command {
	conn := "connection"
	sub := func(name string, arity int, flags Flags, h Handler) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, Handler: h, Group: conn}
	}
	adm := FlagAdmin | FlagNoScript | FlagLoading | FlagStale
	ls := FlagNoScript | FlagLoading | FlagStale
	return []*Command{
		{Name: "hello", Arity: -1, Flags: FlagNoScript | FlagNoAuth | FlagFast | FlagLoading | FlagStale, Handler: cmdHello, Group: conn},
		{Name: "reset", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagNoAuth | FlagFast, Handler: cmdReset, Group: conn},
		{Name: "client", Arity: -2, Group: conn, Subs: subs(
			sub("id", 2, ls, cmdClientID),
			sub("setname", 3, ls, cmdClientSetName),
			sub("getname", 2, ls, cmdClientGetName),
			sub("list", -2, adm, cmdClientList),
			sub("info", 2, ls, cmdClientInfo),
			sub("setinfo", 4, ls, cmdClientSetInfo),
			sub("kill", -3, adm, cmdClientKill),
			sub("no-evict", 3, adm, cmdClientNoEvict),
			sub("no-touch", 3, ls, cmdClientNoTouch),
			sub("reply", 3, ls, cmdClientReply),
			sub("help", 2, ls, cmdClientHelp),
			sub("unblock", -3, adm, cmdClientUnblock),
		)},
	}
}

// validClientAttr reports whether a client name or library attribute
// holds only printable characters other than space, as Redis requires.
func validClientAttr(b []byte) bool {
	for _, ch := range b {
		if ch < '!' || ch > '~' {
			return false
		}
	}
	return true
}

func cmdHello(c *Client, args [][]byte) {
	proto := c.w.proto
	if len(args) >= 2 {
		v, ok := argInt(args[1])
		if !ok {
			c.w.Error(errProtoVersion)
			return
		}
		if v < 2 || v > 3 {
			c.w.Error(errNoProto)
			return
		}
		proto = int(v)
	}
	var user, pass, name []byte
	setName := false
	for j := 2; j < len(args); j++ {
		more := len(args) - 1 - j
		switch {
		case eq(args[j], "auth") && more >= 2:
			user, pass = args[j+1], args[j+2]
			j += 2
		case eq(args[j], "setname") && more >= 1:
			name, setName = args[j+1], true
			j++
		default:
			c.w.Error(errHelloOption(args[j]))
			return
		}
	}
	if user != nil {
		if !c.checkPassword(user, pass) {
			c.w.Error(errWrongPass)
			return
		}
		c.authed.Store(true)
	}
	if !c.authed.Load() && c.srv.cfg.Get("requirepass") != "" {
		c.w.Error(errHelloNoAuth)
		return
	}
	if setName {
		if !validClientAttr(name) {
			c.w.Error(errClientName)
			return
		}
		c.mu.Lock()
		c.mu.name = string(name)
		c.mu.Unlock()
	}
	c.setProto(proto)
	mode := "standalone"
	if c.srv.cfg.Bool("cluster-enabled") {
		mode = "cluster"
	}
	c.w.Map(7)
	c.w.BulkString("server")
	c.w.BulkString("redis")
	c.w.BulkString("version")
	c.w.BulkString(Version)
	c.w.BulkString("proto")
	c.w.Int(int64(proto))
	c.w.BulkString("id")
	c.w.Int(c.id)
	c.w.BulkString("mode")
	c.w.BulkString(mode)
	c.w.BulkString("role")
	c.w.BulkString("master")
	c.w.BulkString("modules")
	c.w.Array(0)
}

func cmdReset(c *Client, args [][]byte) {
	c.multi = nil
	c.unwatchAll()
	c.unsubscribeAll()
	c.replyMode = replyOn
	c.skip, c.skipNext = false, false
	c.noEvict, c.noTouch = false, false
	c.asking, c.readonly = false, false // Redis's clearClientConnectionState
	c.setFlags()
	c.setProto(2)
	c.mu.Lock()
	c.mu.name = ""
	c.mu.Unlock()
	c.authed.Store(false)
	c.w.Status("RESET")
}

func cmdClientID(c *Client, args [][]byte) { c.w.Int(c.id) }

func cmdClientSetName(c *Client, args [][]byte) {
	if !validClientAttr(args[2]) {
		c.w.Error(errClientName)
		return
	}
	c.mu.Lock()
	c.mu.name = string(args[2])
	c.mu.Unlock()
	c.w.OK()
}

func cmdClientGetName(c *Client, args [][]byte) {
	n := c.name()
	if n == "" {
		c.w.Null()
		return
	}
	c.w.BulkString(n)
}

func cmdClientSetInfo(c *Client, args [][]byte) {
	attr := lowerName(args[2])
	if attr != "lib-name" && attr != "lib-ver" {
		c.w.Error(errClientSetInfoAttr(args[2]))
		return
	}
	if !validClientAttr(args[3]) {
		c.w.Error(errClientSetInfoValue(attr))
		return
	}
	c.mu.Lock()
	if attr == "lib-name" {
		c.mu.libName = string(args[3])
	} else {
		c.mu.libVer = string(args[3])
	}
	c.mu.Unlock()
	c.w.OK()
}

// info formats one CLIENT LIST line (without the newline).
func (c *Client) info(now time.Time) string {
	c.mu.Lock()
	name, libName, libVer := c.mu.name, c.mu.libName, c.mu.libVer
	proto, flags := c.mu.proto, c.mu.flags
	sub, psub, ssub := c.mu.sub, c.mu.psub, c.mu.ssub
	c.mu.Unlock()
	cmd := "NULL"
	if lc := c.lastCmd.Load(); lc != nil {
		cmd = lc.FullName()
	}
	rbs, obuf, omem := c.rbs.Load(), c.obuf.Load(), c.outMem()
	var sb strings.Builder
	sb.Grow(256)
	sb.WriteString("id=" + itoa(c.id))
	sb.WriteString(" addr=" + c.raddr)
	sb.WriteString(" laddr=" + c.laddr)
	sb.WriteString(" fd=" + strconv.Itoa(c.fd))
	sb.WriteString(" name=" + name)
	sb.WriteString(" age=" + itoa(int64(now.Sub(c.created)/time.Second)))
	sb.WriteString(" idle=" + itoa((now.UnixMilli()-c.lastActive.Load())/1000))
	sb.WriteString(" flags=" + flags)
	sb.WriteString(" db=0 sub=" + strconv.Itoa(sub) + " psub=" + strconv.Itoa(psub) + " ssub=" + strconv.Itoa(ssub))
	sb.WriteString(" multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0")
	sb.WriteString(" rbs=" + itoa(rbs) + " rbp=0 obl=0 oll=0 omem=" + itoa(omem))
	sb.WriteString(" tot-mem=" + itoa(rbs+obuf+omem))
	sb.WriteString(" events=r cmd=" + cmd + " user=default redir=-1")
	sb.WriteString(" resp=" + strconv.Itoa(proto))
	sb.WriteString(" lib-name=" + libName + " lib-ver=" + libVer)
	return sb.String()
}

func cmdClientInfo(c *Client, args [][]byte) {
	c.w.Verbatim(c.info(time.Now()) + "\n")
}

func cmdClientList(c *Client, args [][]byte) {
	var ids map[int64]bool
	typ := ""
	for i := 2; i < len(args); i++ {
		switch {
		case eq(args[i], "type") && i+1 < len(args):
			typ = lowerName(args[i+1])
			switch typ {
			case "normal", "master", "replica", "slave", "pubsub":
			default:
				c.w.Error(errUnknownClientType(args[i+1]))
				return
			}
			i++
		case eq(args[i], "id") && i+1 < len(args):
			if ids == nil {
				ids = map[int64]bool{}
			}
			for i++; i < len(args); i++ {
				id, ok := argInt(args[i])
				if !ok || id <= 0 {
					c.w.Error(errInvalidClientID)
					return
				}
				ids[id] = true
			}
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	now := time.Now()
	var sb strings.Builder
	for _, cl := range c.srv.clientList() {
		if ids != nil && !ids[cl.id] || typ != "" && typ != cl.clientType() {
			continue
		}
		sb.WriteString(cl.info(now))
		sb.WriteByte('\n')
	}
	c.w.Verbatim(sb.String())
}

func cmdClientKill(c *Client, args [][]byte) {
	if len(args) == 3 {
		// old form: CLIENT KILL addr:port
		for _, cl := range c.srv.clientList() {
			if cl.raddr == string(args[2]) {
				c.killClient(cl)
				c.w.OK()
				return
			}
		}
		c.w.Error(errNoSuchClient)
		return
	}
	if len(args)%2 != 0 {
		c.w.Error(errSyntax)
		return
	}
	var (
		id           int64
		addr, laddr  string
		typ, user    string
		skipMe       = true
		maxAge       int64
		hasID, hasMA bool
	)
	for i := 2; i < len(args); i += 2 {
		v := args[i+1]
		switch {
		case eq(args[i], "id"):
			n, ok := argInt(v)
			if !ok || n <= 0 {
				c.w.Error(errClientKillID)
				return
			}
			id, hasID = n, true
		case eq(args[i], "type"):
			typ = lowerName(v)
			switch typ {
			case "normal", "master", "replica", "slave", "pubsub":
			default:
				c.w.Error(errUnknownClientType(v))
				return
			}
		case eq(args[i], "addr"):
			addr = string(v)
		case eq(args[i], "laddr"):
			laddr = string(v)
		case eq(args[i], "user"):
			if string(v) != "default" {
				c.w.Error(errNoSuchUser(v))
				return
			}
			user = string(v)
		case eq(args[i], "skipme"):
			switch {
			case eq(v, "yes"):
				skipMe = true
			case eq(v, "no"):
				skipMe = false
			default:
				c.w.Error(errSyntax)
				return
			}
		case eq(args[i], "maxage"):
			n, ok := argInt(v)
			if !ok || n < 0 {
				c.w.Error(errSyntax)
				return
			}
			maxAge, hasMA = n, true
		default:
			c.w.Error(errSyntax)
			return
		}
	}
	now := time.Now()
	var n int64
	for _, cl := range c.srv.clientList() {
		switch {
		case hasID && cl.id != id,
			addr != "" && cl.raddr != addr,
			laddr != "" && cl.laddr != laddr,
			typ != "" && typ != cl.clientType(),
			user != "" && user != "default",
			skipMe && cl == c,
			hasMA && int64(now.Sub(cl.created)/time.Second) < maxAge:
			continue
		}
		c.killClient(cl)
		n++
	}
	c.w.Int(n)
}

// clientType is the client's CLIENT LIST/KILL TYPE: kvnode has no master
// or replica connections yet, so "pubsub" or "normal".
func (c *Client) clientType() string {
	if c.isPubSub() {
		return "pubsub"
	}
	return "normal"
}

// killClient closes cl; the calling client is closed after its reply.
func (c *Client) killClient(cl *Client) {
	if cl == c {
		c.closeAfter = true
		return
	}
	cl.kill()
}

// onOff parses an ON|OFF argument, replying with a syntax error otherwise.
func (c *Client) onOff(arg []byte) (v, ok bool) {
	switch {
	case eq(arg, "on"):
		return true, true
	case eq(arg, "off"):
		return false, true
	}
	c.w.Error(errSyntax)
	return false, false
}

func cmdClientNoEvict(c *Client, args [][]byte) {
	if v, ok := c.onOff(args[2]); ok {
		c.noEvict = v
		c.setFlags()
		c.w.OK()
	}
}

func cmdClientNoTouch(c *Client, args [][]byte) {
	if v, ok := c.onOff(args[2]); ok {
		c.noTouch = v
		c.setFlags()
		c.w.OK()
	}
}

func cmdClientReply(c *Client, args [][]byte) {
	switch {
	case eq(args[2], "on"):
		c.replyMode = replyOn
		c.skip = false
		c.w.OK()
	case eq(args[2], "off"):
		c.replyMode = replyOff
	case eq(args[2], "skip"):
		if c.replyMode == replyOn {
			c.skipNext = true
		}
	default:
		c.w.Error(errSyntax)
	}
}

func cmdClientHelp(c *Client, args [][]byte) {
	c.help("CLIENT", []string{
		"GETNAME",
		"    Return the name of the current connection.",
		"ID",
		"    Return the ID of the current connection.",
		"INFO",
		"    Return information about the current client connection.",
		"KILL <ip:port>",
		"    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]",
		"    Kill connections. Options are:",
		"    * ADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made from the specified address",
		"    * LADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made to specified local address",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Kill connections by type.",
		"    * USER <username>",
		"      Kill connections authenticated by <username>.",
		"    * SKIPME (YES|NO)",
		"      Skip killing current connection (default: yes).",
		"    * ID <client-id>",
		"      Kill connections by client id.",
		"    * MAXAGE <maxage>",
		"      Kill connections older than the specified age.",
		"LIST [options ...]",
		"    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Return clients of specified type.",
		"    * ID <client-id> [<client-id> ...]",
		"      Return clients of specified IDs only.",
		"REPLY (ON|OFF|SKIP)",
		"    Control the replies sent to the current connection.",
		"SETNAME <name>",
		"    Assign the name <name> to the current connection.",
		"SETINFO <option> <value>",
		"    Set client meta attr. Options are:",
		"    * LIB-NAME: the client lib name.",
		"    * LIB-VER: the client lib version.",
		"NO-EVICT (ON|OFF)",
		"    Protect current client connection from eviction.",
		"NO-TOUCH (ON|OFF)",
		"    Will not touch LRU/LFU stats when this mode is on.",
	})
}

// help writes a HELP reply: a header line, the given lines and Redis'
// closing HELP line, as status strings.
func (c *Client) help(cmd string, lines []string) {
	c.w.Array(len(lines) + 3)
	c.w.Status(cmd + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.w.Status(l)
	}
	c.w.Status("HELP")
	c.w.Status("    Prints this help.")
}
