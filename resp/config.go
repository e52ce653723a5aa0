package resp

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Options use redis-server's names, so a Redis user already knows them.
// The same table serves the command line, the config file (redis.conf
// syntax), CONFIG GET/SET/REWRITE and --help.

// Param is one configuration option.
type Param struct {
	Name    string
	Default string
	Help    string
	// Mutable options can be changed by CONFIG SET.
	Mutable bool
	// Check normalizes a value or rejects it.
	Check func(v string) (string, error)
}

func checkYesNo(v string) (string, error) {
	switch strings.ToLower(v) {
	case "yes", "no":
		return strings.ToLower(v), nil
	}
	return "", errors.New("argument must be 'yes' or 'no'")
}

func checkGossipKey(v string) (string, error) {
	if _, err := GossipKey(v); err != nil {
		return "", err
	}
	return v, nil
}

// GossipKey decodes cluster-gossip-key: empty, or base64 of 16, 24 or 32
// bytes (Serf's AES key sizes).
func GossipKey(v string) ([]byte, error) {
	if v == "" {
		return nil, nil
	}
	k, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, errors.New("cluster-gossip-key must be base64")
	}
	if n := len(k); n != 16 && n != 24 && n != 32 {
		return nil, errors.New("cluster-gossip-key must decode to 16, 24 or 32 bytes")
	}
	return k, nil
}

func checkInt(lo, hi int64) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := parseMemory(v)
		if err != nil {
			return "", errors.New("argument couldn't be parsed into an integer")
		}
		if n < lo || n > hi {
			return "", fmt.Errorf("argument must be between %d and %d inclusive", lo, hi)
		}
		return strconv.FormatInt(n, 10), nil
	}
}

func checkEnum(vals ...string) func(string) (string, error) {
	return func(v string) (string, error) {
		for _, x := range vals {
			if strings.EqualFold(v, x) {
				return x, nil
			}
		}
		return "", errors.New("argument(s) must be one of the following: " + strings.Join(vals, ", "))
	}
}

func checkAny(v string) (string, error) { return v, nil }

// parseMemory parses an integer with an optional k/kb/m/mb/g/gb unit, as
// redis.conf does.
func parseMemory(v string) (int64, error) {
	l := strings.ToLower(v)
	mult := int64(1)
	for _, u := range []struct {
		s string
		m int64
	}{{"kb", 1024}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1000}, {"m", 1000000}, {"g", 1000000000}} {
		if strings.HasSuffix(l, u.s) {
			mult, l = u.m, strings.TrimSuffix(l, u.s)
			break
		}
	}
	n, err := strconv.ParseInt(l, 10, 64)
	if err != nil {
		return 0, err
	}
	return n * mult, nil
}

// Params is the option table.
var Params = []*Param{
	{Name: "port", Default: "6379", Help: "TCP port for clients", Check: checkInt(0, 65535)},
	{Name: "bind", Default: "127.0.0.1", Help: "addresses to listen on (space separated)", Check: checkAny},
	{Name: "dir", Default: "./kvnode-data", Help: "data directory", Check: checkAny},
	{Name: "requirepass", Default: "", Help: "password clients must AUTH with", Mutable: true, Check: checkAny},
	{Name: "appendonly", Default: "yes", Help: "accepted for compatibility: data is always persisted", Mutable: true, Check: checkYesNo},
	{Name: "appendfsync", Default: "everysec", Help: "always | everysec | no: when writes are synced to disk", Check: checkEnum("always", "everysec", "no")},
	{Name: "loglevel", Default: "notice", Help: "debug | verbose | notice | warning", Mutable: true, Check: checkEnum("debug", "verbose", "notice", "warning")},
	{Name: "logfile", Default: "", Help: "log file (empty: standard output)", Check: checkAny},
	{Name: "maxclients", Default: "10000", Help: "most simultaneous clients", Mutable: true, Check: checkInt(1, 1000000)},
	{Name: "proto-max-bulk-len", Default: "536870912", Help: "largest bulk string a client may send", Mutable: true, Check: checkInt(1<<20, 1<<40)},
	{Name: "cluster-enabled", Default: "no", Help: "run as a Redis Cluster node", Check: checkYesNo},
	{Name: "cluster-port", Default: "0", Help: "cluster bus (gossip) port, TCP and UDP (0: port+10000)", Check: checkInt(0, 65535)},
	{Name: "cluster-node-timeout", Default: "2000", Help: "ms from which failure detection timings derive (default: a dead node is marked fail within ~1 s on loopback; Redis' default is 15000)", Check: checkInt(100, 1<<31)},
	{Name: "cluster-announce-ip", Default: "", Help: "IP announced to clients and peers (empty: the first bind address)", Check: checkAny},
	{Name: "cluster-require-full-coverage", Default: "yes", Help: "yes: the cluster is down while any slot is unserved", Mutable: true, Check: checkYesNo},
	{Name: "cluster-gossip-key", Default: "", Help: "base64 key (16, 24 or 32 bytes) encrypting the cluster bus", Check: checkGossipKey},
	{Name: "cluster-config-file", Default: "nodes.conf", Help: "accepted for compatibility: the cluster state lives in DIR/cluster-state.json", Check: checkAny},
	{Name: "databases", Default: "1", Help: "number of databases (kvnode has db 0 only)", Check: checkInt(1, 1)},
	{Name: "save", Default: "", Help: "accepted for compatibility: writes are persisted as they happen", Mutable: true, Check: checkAny},
	{Name: "slowlog-log-slower-than", Default: "10000", Help: "µs above which a command is logged in SLOWLOG", Mutable: true, Check: checkInt(-1, 1<<62)},
	{Name: "slowlog-max-len", Default: "128", Help: "entries kept in SLOWLOG", Mutable: true, Check: checkInt(0, 1<<31)},
}

// Config holds the current option values. Reads are lock-free (every
// command reads a few options, e.g. proto-max-bulk-len per argument): Set
// publishes a new immutable snapshot.
type Config struct {
	mu   sync.Mutex // serializes Set
	vals atomic.Pointer[configValues]
	file string // the config file given at start, for CONFIG REWRITE
}

// configValues is one immutable snapshot of the options, with the numeric
// ones parsed.
type configValues struct {
	s map[string]string
	n map[string]int64
	// The options read on every request, looked up once per snapshot.
	passwordSet                             bool
	protoMaxBulk, slowlogSlower, slowlogMax int64
}

func (v *configValues) with(name, value string) *configValues {
	out := &configValues{s: make(map[string]string, len(v.s)), n: make(map[string]int64, len(v.n))}
	for k, x := range v.s {
		out.s[k] = x
	}
	for k, x := range v.n {
		out.n[k] = x
	}
	out.s[name] = value
	delete(out.n, name)
	if n, err := strconv.ParseInt(value, 10, 64); err == nil {
		out.n[name] = n
	}
	out.passwordSet = out.s["requirepass"] != ""
	out.protoMaxBulk = out.n["proto-max-bulk-len"]
	out.slowlogSlower, out.slowlogMax = out.n["slowlog-log-slower-than"], out.n["slowlog-max-len"]
	return out
}

// DefaultConfig returns the defaults.
func DefaultConfig() *Config {
	v := &configValues{s: make(map[string]string), n: make(map[string]int64)}
	for _, p := range Params {
		v = v.with(p.Name, p.Default)
	}
	c := &Config{}
	c.vals.Store(v)
	return c
}

func findParam(name string) *Param {
	for _, p := range Params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Set checks and sets one option.
func (c *Config) Set(name, value string) error {
	p := findParam(strings.ToLower(name))
	if p == nil {
		return fmt.Errorf("unknown option '%s'", name)
	}
	v, err := p.Check(value)
	if err != nil {
		return fmt.Errorf("option '%s': %w", p.Name, err)
	}
	c.mu.Lock()
	c.vals.Store(c.vals.Load().with(p.Name, v))
	c.mu.Unlock()
	return nil
}

// Get returns an option's value.
func (c *Config) Get(name string) string { return c.vals.Load().s[name] }

// Int returns a numeric option (0 when the value is not a number).
func (c *Config) Int(name string) int64 { return c.vals.Load().n[name] }

// PasswordSet reports whether requirepass is set.
func (c *Config) PasswordSet() bool { return c.vals.Load().passwordSet }

// ProtoMaxBulkLen returns proto-max-bulk-len.
func (c *Config) ProtoMaxBulkLen() int64 { return c.vals.Load().protoMaxBulk }

// Slowlog returns slowlog-log-slower-than and slowlog-max-len.
func (c *Config) Slowlog() (slowerThan, maxLen int64) {
	v := c.vals.Load()
	return v.slowlogSlower, v.slowlogMax
}

// Bool returns a yes/no option.
func (c *Config) Bool(name string) bool { return c.Get(name) == "yes" }

// File returns the config file the node started with ("" for none).
func (c *Config) File() string { return c.file }

// ParseArgs reads `[CONFIG-FILE] [--name value …]`: the file first, then
// the command-line options on top of it.
func ParseArgs(args []string) (*Config, error) {
	c := DefaultConfig()
	if len(args) > 0 && !strings.HasPrefix(args[0], "--") {
		c.file = args[0]
		f, err := os.Open(args[0])
		if err != nil {
			return nil, fmt.Errorf("read config file: %w", err)
		}
		err = c.load(f, args[0])
		f.Close()
		if err != nil {
			return nil, err
		}
		args = args[1:]
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") {
			return nil, fmt.Errorf("unexpected argument %q (options look like --port 6379)", a)
		}
		name := a[2:]
		var vals []string
		for i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
			i++
			vals = append(vals, args[i])
		}
		if len(vals) == 0 && name != "save" && name != "requirepass" && name != "logfile" {
			return nil, fmt.Errorf("option --%s needs a value", name)
		}
		if err := c.Set(name, strings.Join(vals, " ")); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// load applies a redis.conf-style text: one directive a line, the option
// name then its value (several words are joined by a space), `#` comments,
// quoting as in Redis' sdssplitargs. name labels errors.
func (c *Config) load(r io.Reader, name string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		parts, ok := splitArgs([]byte(line))
		if !ok || len(parts) == 0 {
			return fmt.Errorf("%s:%d: unbalanced quotes", name, n)
		}
		vals := make([]string, len(parts)-1)
		for i, p := range parts[1:] {
			vals[i] = string(p)
		}
		if err := c.Set(string(parts[0]), strings.Join(vals, " ")); err != nil {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read config %s: %w", name, err)
	}
	return nil
}

// Usage is the --help text.
func Usage() string {
	var sb strings.Builder
	sb.WriteString("Usage: kvnode [CONFIG-FILE] [--option value ...]\n\n")
	sb.WriteString("The config file uses redis.conf syntax (\"port 7000\", one directive a line, # comments);\n")
	sb.WriteString("command-line options override it.\n\nOptions:\n")
	for _, p := range Params {
		def := p.Default
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(&sb, "  --%-26s %s (default %s)\n", p.Name+" VALUE", p.Help, def)
	}
	return sb.String()
}

// errNoConfigFile is Rewrite's error when the node started without a file.
var errNoConfigFile = errors.New("no config file")

// Match returns the names of options matching a CONFIG GET glob, sorted.
func (c *Config) Match(pattern string) []string {
	var out []string
	for _, p := range Params {
		if globMatch([]byte(strings.ToLower(pattern)), []byte(p.Name), false) {
			out = append(out, p.Name)
		}
	}
	sort.Strings(out)
	return out
}

// Rewrite writes the current values into the config file the node was
// started with, keeping comments and unknown lines.
func (c *Config) Rewrite() error {
	if c.file == "" {
		return errNoConfigFile
	}
	old, err := os.ReadFile(c.file)
	if err != nil {
		return fmt.Errorf("read config file: %w", err)
	}
	done := map[string]bool{}
	var out []string
	for _, line := range strings.Split(strings.TrimRight(string(old), "\n"), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || t[0] == '#' {
			out = append(out, line)
			continue
		}
		name := strings.ToLower(strings.Fields(t)[0])
		if findParam(name) == nil || done[name] {
			if findParam(name) == nil {
				out = append(out, line)
			}
			continue
		}
		done[name] = true
		out = append(out, name+" "+quoteConf(c.Get(name)))
	}
	for _, p := range Params {
		if !done[p.Name] && c.Get(p.Name) != p.Default {
			out = append(out, p.Name+" "+quoteConf(c.Get(p.Name)))
		}
	}
	tmp := c.file + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
		return fmt.Errorf("write config file: %w", err)
	}
	if err := os.Rename(tmp, c.file); err != nil {
		return fmt.Errorf("replace config file: %w", err)
	}
	return nil
}

func quoteConf(v string) string {
	if v == "" || strings.ContainsAny(v, " \"'\\") {
		return strconv.Quote(v)
	}
	return v
}
