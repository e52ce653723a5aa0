package resp

import "crypto/subtle"

// Connection commands (HELLO, CLIENT and RESET live in cmd_client.go).

func connCommands() []*Command {
	return []*Command{
		{Name: "ping", Arity: -1, Flags: FlagFast, Handler: cmdPing, Group: "connection"},
		{Name: "echo", Arity: 2, Flags: FlagFast, Handler: cmdEcho, Group: "connection"},
		{Name: "quit", Arity: -1, Flags: FlagFast | FlagNoAuth, Handler: cmdQuit, Group: "connection"},
		{Name: "select", Arity: 2, Flags: FlagFast | FlagLoading | FlagStale, Handler: cmdSelect, Group: "connection"},
		{Name: "auth", Arity: -2, Flags: FlagFast | FlagNoAuth | FlagNoScript | FlagLoading | FlagStale, Handler: cmdAuth, Group: "connection"},
	}
}

func cmdPing(c *Client, args [][]byte) {
	if c.pubsubPong(args) { // RESP2 subscribed mode (pubsub.go)
		return
	}
	switch len(args) {
	case 1:
		c.w.Status("PONG")
	case 2:
		c.w.Bulk(args[1])
	default:
		c.w.Error(errWrongArgs("ping"))
	}
}

func cmdEcho(c *Client, args [][]byte) { c.w.Bulk(args[1]) }

func cmdQuit(c *Client, args [][]byte) {
	c.w.OK()
	c.closeAfter = true
}

func cmdSelect(c *Client, args [][]byte) {
	n, ok := argInt(args[1])
	if !ok {
		c.w.Error(errNotInteger)
		return
	}
	if c.srv.cfg.Bool("cluster-enabled") && n != 0 {
		c.w.Error(errSelectCluster)
		return
	}
	if n != 0 {
		c.w.Error(errDBIndex)
		return
	}
	c.w.OK()
}

// checkPassword checks user/password against requirepass; only the
// "default" user exists.
func (c *Client) checkPassword(user, pass []byte) bool {
	want := c.srv.cfg.Get("requirepass")
	if user != nil && string(user) != "default" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(want), pass) == 1
}

func cmdAuth(c *Client, args [][]byte) {
	if len(args) > 3 {
		c.w.Error(errSyntax)
		return
	}
	var user []byte
	pass := args[1]
	if len(args) == 3 {
		user, pass = args[1], args[2]
	}
	if c.srv.cfg.Get("requirepass") == "" && user == nil {
		c.w.Error(errNoPassSet)
		return
	}
	if !c.checkPassword(user, pass) {
		c.w.Error(errWrongPass)
		return
	}
	c.authed.Store(true)
	c.w.OK()
}
