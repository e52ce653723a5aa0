package resp

import (
	"errors"
	"strings"
)

// CONFIG GET/SET/RESETSTAT/REWRITE over the option table in config.go.

func configCommands() []*Command {
	f := FlagAdmin | FlagNoScript | FlagLoading | FlagStale
	sub := func(name string, arity int, h Handler) *Command {
		return &Command{Name: name, Arity: arity, Flags: f, Handler: h, Group: "server"}
	}
	return []*Command{
		{Name: "config", Arity: -2, Group: "server", Subs: subs(
			sub("get", -3, cmdConfigGet),
			sub("set", -4, cmdConfigSet),
			sub("resetstat", 2, cmdConfigResetStat),
			sub("rewrite", 2, cmdConfigRewrite),
			sub("help", 2, cmdConfigHelp),
		)},
	}
}

func cmdConfigGet(c *Client, args [][]byte) {
	type pair struct{ shown, name string }
	seen := map[string]bool{}
	var out []pair
	for _, pat := range args[2:] {
		if !strings.ContainsAny(string(pat), "[*?") {
			// An exact name is looked up directly and echoed as the
			// client spelled it, as Redis 7.0 does.
			if p := findParam(lowerName(pat)); p != nil && !seen[p.Name] {
				seen[p.Name] = true
				out = append(out, pair{string(pat), p.Name})
			}
			continue
		}
		for _, n := range c.srv.cfg.Match(string(pat)) {
			if !seen[n] {
				seen[n] = true
				out = append(out, pair{n, n})
			}
		}
	}
	c.w.Map(len(out))
	for _, p := range out {
		c.w.BulkString(p.shown)
		c.w.BulkString(c.srv.cfg.Get(p.name))
	}
}

func cmdConfigSet(c *Client, args [][]byte) {
	if len(args)%2 != 0 {
		c.w.Error(errWrongArgs("config|set"))
		return
	}
	type change struct {
		p *Param
		v string
	}
	var changes []change
	seen := map[string]bool{}
	// Check every pair first: CONFIG SET applies all of them or none.
	for i := 2; i < len(args); i += 2 {
		name := lowerName(args[i])
		p := findParam(name)
		if p == nil {
			c.w.Error(errConfigUnknown(args[i]))
			return
		}
		if !p.Mutable {
			c.w.Error(errConfigSet(p.Name, "can't set immutable config"))
			return
		}
		if seen[p.Name] {
			c.w.Error(errConfigSet(p.Name, "duplicate parameter"))
			return
		}
		seen[p.Name] = true
		v, err := p.Check(string(args[i+1]))
		if err != nil {
			c.w.Error(errConfigSet(p.Name, err.Error()))
			return
		}
		changes = append(changes, change{p, v})
	}
	for _, ch := range changes {
		if err := c.srv.cfg.Set(ch.p.Name, ch.v); err != nil {
			c.w.Error(errConfigSet(ch.p.Name, err.Error()))
			return
		}
		if ch.p.Name == "loglevel" {
			if lv := logLevel.Load(); lv != nil {
				lv.Set(LogLevel(ch.v))
			}
		}
	}
	c.w.OK()
}

func cmdConfigResetStat(c *Client, args [][]byte) {
	c.srv.resetStats()
	c.w.OK()
}

// resetStats zeroes the counters CONFIG RESETSTAT resets in Redis.
func (s *Server) resetStats() {
	st := &s.stats
	for _, a := range []interface{ Store(int64) }{
		&st.connsReceived, &st.connsRejected, &st.commands, &st.netInput,
		&st.netOutput, &st.keyspaceHits, &st.keyspaceMisses,
		&s.db.Stats().ExpiredKeys,
	} {
		a.Store(0)
	}
	s.errs.reset()
}

func cmdConfigRewrite(c *Client, args [][]byte) {
	err := c.srv.cfg.Rewrite()
	switch {
	case errors.Is(err, errNoConfigFile):
		c.w.Error(errConfigNoFile)
	case err != nil:
		c.srv.log.Warn("CONFIG REWRITE failed", "err", err)
		c.w.Error("ERR Rewriting config file: " + strings.ReplaceAll(err.Error(), "\n", " "))
	default:
		c.w.OK()
	}
}

func cmdConfigHelp(c *Client, args [][]byte) {
	c.help("CONFIG", []string{
		"GET <pattern>",
		"    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>",
		"    Set the configuration <directive> to <value>.",
		"RESETSTAT",
		"    Reset statistics reported by the INFO command.",
		"REWRITE",
		"    Rewrite the configuration file.",
	})
}
