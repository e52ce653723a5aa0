package integration

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests: the same commands go to a kvnode and to a real
// redis-server, and the replies are compared byte for byte, in RESP2 and
// again in RESP3 after HELLO 3. Replies that legitimately differ are
// normalised or excluded here, explicitly and narrowly.

// Tolerances for replies that depend on when each server ran a command.
const (
	secondsSlack = 1   // TTL, EXPIRETIME
	millisSlack  = 500 // PTTL, PEXPIRETIME
)

// diffTimeout bounds one differential test.
const diffTimeout = 90 * time.Second

// typeOnly lists the commands whose replies are compared by reply type and
// nullness only (an error reply is still compared byte for byte), and why.
var typeOnly = map[string]string{
	"dump":            "the payload encoding is the server's own",
	"time":            "clock",
	"info":            "server state and counters",
	"hello":           "server version and connection id",
	"lastsave":        "clock",
	"object idletime": "clock",
	"object freq":     "LFU counter",
	"client id":       "connection counter",
	"client info":     "connection details",
	"client list":     "connection details",
}

// diffSide is one server of a differential run.
type diffSide struct {
	p        *proc
	c        *rawClient
	lastDump string // the payload of the last DUMP reply, for $DUMP
	inMulti  bool   // the connection is inside MULTI (by this server's replies)
}

// mismatch is one command whose replies differ.
type mismatch struct {
	where string // corpus line or random seed and step
	pass  string // RESP2 or RESP3
	args  []string
	kv    string // kvnode's reply (raw, or normalised with a note)
	redis string
}

// String renders the mismatch for the test log and the report file.
func (m mismatch) String() string {
	return fmt.Sprintf("%s [%s] %s\n    kvnode: %s\n    redis:  %s", m.where, m.pass, quoteArgs(m.args), m.kv, m.redis)
}

// differ runs commands on both servers and collects mismatches.
type differ struct {
	t          *testing.T
	kv, rd     *diffSide
	pass       string
	proto      int
	mismatches []mismatch
	compared   int
	crashes    int
	deadline   time.Time // the test fails when it runs past this
	// aux is a second connection to redis-server, in the pass's protocol,
	// that reads a key's contents before a random command (randomCmds) so
	// the members kvnode returns can be checked. It never writes.
	aux *rawClient
	// dirty says the connections may hold state a corpus group must not
	// inherit (MULTI, WATCH, subscriptions, protocol): the next group
	// starts with RESET (and HELLO 3 in the RESP3 pass).
	dirty   bool
	markers int // PING markers sent after multi-reply commands
}

// newDiffer returns a differ comparing kvnode kv with redis-server rd.
func newDiffer(t *testing.T, kv, rd *proc) *differ {
	return &differ{t: t, kv: &diffSide{p: kv}, rd: &diffSide{p: rd}, deadline: time.Now().Add(diffTimeout)}
}

// connect opens fresh connections for a pass; with proto 3 it sends HELLO 3
// and reports false when kvnode does not switch.
func (d *differ) connect(proto int) bool {
	d.t.Helper()
	for _, s := range []*diffSide{d.kv, d.rd} {
		if s.c != nil {
			s.c.Close()
		}
		s.c = dial(d.t, s.p)
		s.lastDump = ""
		s.inMulti = false
	}
	if d.aux != nil {
		d.aux.Close()
	}
	d.aux = dial(d.t, d.rd.p)
	d.dirty = false
	d.proto = proto
	d.pass = "RESP" + strconv.Itoa(proto)
	if proto != 3 {
		return true
	}
	if r := do(d.t, d.aux, "HELLO", "3"); !strings.HasPrefix(r, "%") {
		d.t.Fatalf("redis-server refused HELLO 3: %q", r)
	}
	rr := do(d.t, d.rd.c, "HELLO", "3")
	if !strings.HasPrefix(rr, "%") {
		d.t.Fatalf("redis-server refused HELLO 3: %q", rr)
	}
	kr, err := d.kv.c.Do("HELLO", "3")
	if err != nil || len(kr) == 0 || kr[0] != '%' {
		d.record("connect", []string{"HELLO", "3"}, fmt.Sprintf("%q (%v)", kr, err), fmt.Sprintf("%q", clip([]byte(rr), 40)))
		d.t.Errorf("kvnode does not accept HELLO 3 (%q, %v): the RESP3 pass cannot run", kr, err)
		return false
	}
	return true
}

// record adds a mismatch of the current pass.
func (d *differ) record(where string, args []string, kv, redis string) {
	d.mismatches = append(d.mismatches, mismatch{where: where, pass: d.pass, args: args, kv: kv, redis: redis})
}

// maxCrashes bounds how often a differential test restarts a crashed
// kvnode before it gives up.
const maxCrashes = 10

// send runs args on one side and returns the raw reply. A connection error
// on redis-server ends the test; on kvnode it is returned, after restarting
// a crashed kvnode (on the same directory) or reopening the connection.
func (d *differ) send(s *diffSide, args []string) ([]byte, error) {
	d.t.Helper()
	sent := make([]string, len(args))
	for i, a := range args {
		sent[i] = a
		if a == "$DUMP" {
			sent[i] = s.lastDump
		}
	}
	var r []byte
	var err error
	if multiReply[strings.ToLower(args[0])] && !s.inMulti {
		r, err = d.doMulti(s, sent)
	} else {
		r, err = s.c.Do(sent...)
	}
	if err != nil {
		if s == d.rd {
			d.t.Fatalf("redis-server: %s: %v", quoteArgs(args), err)
		}
		return nil, d.recover(s, err)
	}
	switch strings.ToLower(args[0]) {
	case "multi":
		s.inMulti = s.inMulti || string(r) == "+OK\r\n"
	case "exec", "discard", "reset":
		s.inMulti = false
	}
	if strings.EqualFold(args[0], "dump") && len(r) > 0 && (r[0] == '$') {
		if p, err := parseReply(r); err == nil {
			s.lastDump = p.str
		}
	}
	if strings.EqualFold(args[0], "dump") && isErr(r) {
		// A failed DUMP must not leave the previous payload (of another
		// key, maybe of another type) for the next RESTORE.
		s.lastDump = ""
	}
	return r, nil
}

// recover handles a failed kvnode request: it restarts kvnode when it
// crashed, reopens the connection, and returns the error to report.
func (d *differ) recover(s *diffSide, err error) error {
	d.t.Helper()
	s.c.Close()
	if s.p.waitExit(2 * time.Second) {
		d.crashes++
		crash := fmt.Errorf("kvnode crashed (%v): %s", err, s.p.crashSummary())
		d.t.Errorf("%v", crash)
		if d.crashes > maxCrashes {
			d.t.Fatalf("kvnode crashed %d times: giving up", d.crashes)
		}
		s.p.Restart(d.t)
		err = crash
	} else {
		err = fmt.Errorf("connection error: %v", err)
	}
	s.c = dial(d.t, s.p)
	s.inMulti = false
	d.dirty = true // redis-server's connection may still be in MULTI or subscribed
	if d.proto == 3 {
		do(d.t, s.c, "HELLO", "3")
	}
	return err
}

// multiReply lists the commands that may answer with several replies (one
// per channel, or a message pushed to this very connection before the
// reply): send follows them with a PING marker and returns every reply
// before the marker's, concatenated.
var multiReply = map[string]bool{
	"subscribe": true, "unsubscribe": true, "psubscribe": true, "punsubscribe": true,
	"ssubscribe": true, "sunsubscribe": true, "publish": true, "spublish": true,
}

// doMulti sends args and a PING marker on s and returns the raw replies
// that came before the marker's reply. PING is allowed in every mode; it
// answers a bulk string, or ["pong", marker] in RESP2 subscribed mode.
func (d *differ) doMulti(s *diffSide, args []string) ([]byte, error) {
	d.markers++
	marker := fmt.Sprintf("kvnode-diff-marker-%d", d.markers)
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	if err := s.c.SendBytes(b...); err != nil {
		return nil, err
	}
	if err := s.c.SendBytes([]byte("PING"), []byte(marker)); err != nil {
		return nil, err
	}
	bulk := fmt.Sprintf("$%d\r\n%s\r\n", len(marker), marker)
	var out []byte
	for i := 0; i < 1000; i++ {
		r, err := s.c.Read()
		if err != nil {
			return nil, err
		}
		if string(r) == bulk || string(r) == "*2\r\n$4\r\npong\r\n"+bulk {
			return out, nil
		}
		out = append(out, r...)
	}
	return nil, errors.New("no reply to the PING marker after 1000 replies")
}

// resetConns sends RESET on both connections (and HELLO 3 again in the
// RESP3 pass, as RESET returns to RESP2), so that a corpus group does not
// inherit MULTI, WATCH or subscriptions from the one before.
func (d *differ) resetConns(where string) {
	d.t.Helper()
	d.both(where, []string{"RESET"}, "+RESET\r\n")
	d.rehello(where)
	d.dirty = false
}

// rehello switches both connections back to RESP3 after a RESET in the
// RESP3 pass.
func (d *differ) rehello(where string) {
	d.t.Helper()
	if d.proto != 3 {
		return
	}
	if r, _ := d.send(d.rd, []string{"HELLO", "3"}); len(r) == 0 || r[0] != '%' {
		d.t.Fatalf("redis-server refused HELLO 3: %q", r)
	}
	if r, err := d.send(d.kv, []string{"HELLO", "3"}); err != nil || len(r) == 0 || r[0] != '%' {
		d.record(where, []string{"HELLO", "3"}, fmt.Sprintf("%q (%v)", clip(r, 100), err), "a map")
	}
}

// flush empties both databases; it reports false if kvnode did not.
func (d *differ) flush(where string) bool {
	d.t.Helper()
	return d.both(where, []string{"FLUSHALL"}, "+OK\r\n")
}

// both sends args to both servers and checks that both reply want
// (redis-server must); it reports false if kvnode did not.
func (d *differ) both(where string, args []string, want string) bool {
	d.t.Helper()
	if r, _ := d.send(d.rd, args); string(r) != want {
		d.t.Fatalf("redis-server %s: %q, want %q", quoteArgs(args), r, want)
	}
	r, err := d.send(d.kv, args)
	if err != nil || string(r) != want {
		got := fmt.Sprintf("%q", r)
		if err != nil {
			got = "<" + err.Error() + ">"
		}
		d.record(where, args, got, fmt.Sprintf("%q", want))
		return false
	}
	return true
}

// clearKeys deletes keys on both servers: a cheap way back to a common
// state after a mismatch. It reports false if kvnode failed.
func (d *differ) clearKeys(where string, keys []string) bool {
	d.t.Helper()
	args := append([]string{"DEL"}, keys...)
	if r, _ := d.send(d.rd, args); len(r) == 0 || r[0] != ':' {
		d.t.Fatalf("redis-server %s: %q", quoteArgs(args), r)
	}
	r, err := d.send(d.kv, args)
	if err != nil || len(r) == 0 || r[0] != ':' {
		d.record(where, args, fmt.Sprintf("%q (%v)", r, err), "an integer")
		return false
	}
	return true
}

// run sends args to both servers, compares the replies and reports whether
// they matched.
func (d *differ) run(where string, args []string) bool {
	d.t.Helper()
	if time.Now().After(d.deadline) {
		d.t.Fatalf("still running after %v (%d commands compared): is kvnode stuck?", diffTimeout, d.compared)
	}
	d.compared++
	name := strings.ToLower(args[0])
	switch name {
	case "multi", "watch", "hello", "subscribe", "psubscribe", "ssubscribe":
		d.dirty = true
	}
	inMulti := d.rd.inMulti // replies inside MULTI are +QUEUED: nothing to normalise
	var snap *snapshot
	if _, random := randomCmds[name]; random && !inMulti {
		snap = d.snapshot(args)
	}
	kr, kerr := d.send(d.kv, args)
	rr, _ := d.send(d.rd, args)
	if name == "reset" {
		defer d.rehello(where)
	}
	if kerr != nil {
		d.record(where, args, "<"+kerr.Error()+">", fmt.Sprintf("%q", clip(rr, 600)))
		return false
	}
	if pos, ok := scanCursorAt[name]; ok && len(args) > pos && !inMulti && !isErr(kr) && !isErr(rr) {
		if args[pos] != "0" { // cursors are the server's own
			return true
		}
		kk, kerr := d.scanAll(d.kv, args, kr)
		rk, rerr := d.scanAll(d.rd, args, rr)
		if kerr != nil || rerr != nil || !slices.Equal(kk, rk) {
			d.record(where, args, fmt.Sprintf("elements of a full iteration %q (%v; first reply %q)", kk, kerr, clip(kr, 200)),
				fmt.Sprintf("elements of a full iteration %q (%v)", rk, rerr))
			return false
		}
		return true
	}
	if snap != nil && string(kr) != string(rr) && !isErr(kr) && !isErr(rr) {
		if ok, note := sameRandom(args, kr, rr, snap); !ok {
			d.record(where, args, fmt.Sprintf("%q (%s)", clip(kr, 600), note), fmt.Sprintf("%q", clip(rr, 600)))
			return false
		}
		return true
	}
	if ok, note := sameReply(args, kr, rr); !ok {
		k, r := fmt.Sprintf("%q", clip(kr, 600)), fmt.Sprintf("%q", clip(rr, 600))
		if note != "" {
			k += " (" + note + ")"
		}
		d.record(where, args, k, r)
		return false
	}
	return true
}

// scanCursorAt maps the SCAN family to the position of the cursor.
var scanCursorAt = map[string]int{"scan": 1, "sscan": 2, "hscan": 2, "zscan": 2}

// scanAll completes a SCAN, SSCAN, HSCAN or ZSCAN iteration started with
// first, returning the sorted distinct elements: keys or members, and for
// HSCAN and ZSCAN field/value and member/score pairs (an iteration may
// return an element twice, and the order is the server's own).
func (d *differ) scanAll(s *diffSide, args []string, first []byte) ([]string, error) {
	name := strings.ToLower(args[0])
	pos := scanCursorAt[name]
	pairs := name == "hscan" || name == "zscan"
	seen := map[string]bool{}
	reply := first
	for i := 0; ; i++ {
		p, err := parseReply(reply)
		if err != nil {
			return nil, err
		}
		if (p.kind != '*') || len(p.elems) != 2 || p.elems[1].kind != '*' {
			return nil, fmt.Errorf("not a SCAN reply: %q", clip(reply, 100))
		}
		els := p.elems[1].elems
		if pairs && len(els)%2 != 0 {
			return nil, fmt.Errorf("odd number of elements in %q", clip(reply, 100))
		}
		for j := 0; j < len(els); j++ {
			e := string(els[j].kind) + els[j].str
			if pairs {
				j++
				e += " = " + string(els[j].kind) + els[j].str
			}
			seen[e] = true
		}
		cursor := p.elems[0].str
		if cursor == "0" {
			break
		}
		if i > 10000 {
			return nil, errors.New("SCAN did not end after 10000 calls")
		}
		next := append(append(slices.Clone(args[:pos]), cursor), args[pos+1:]...)
		if reply, err = s.c.Do(next...); err != nil {
			return nil, err
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}

// sameReply compares two raw replies to args, normalising the ones that
// legitimately differ; note says how a difference was judged.
func sameReply(args []string, kr, rr []byte) (bool, string) {
	if string(kr) == string(rr) {
		return true, ""
	}
	if isErr(kr) || isErr(rr) {
		return false, ""
	}
	name := strings.ToLower(args[0])
	full := name
	if len(args) > 1 {
		full = name + " " + strings.ToLower(args[1])
	}
	if unsubscribeAll[name] && len(args) == 1 {
		return sameUnsubscribeAll(kr, rr)
	}
	kp, err1 := parseReply(kr)
	rp, err2 := parseReply(rr)
	if err1 != nil || err2 != nil {
		return false, ""
	}
	_, only := typeOnly[full]
	if _, ok := typeOnly[name]; ok || only {
		return kp.kind == rp.kind && kp.null == rp.null, "compared by reply type and nullness"
	}
	switch {
	case (name == "ttl" || name == "expiretime") && bothTimes(kp, rp):
		return within(kp, rp, secondsSlack), fmt.Sprintf("±%d allowed", secondsSlack)
	case (name == "pttl" || name == "pexpiretime") && bothTimes(kp, rp):
		return within(kp, rp, millisSlack), fmt.Sprintf("±%d allowed", millisSlack)
	case name == "keys":
		return kp.kind == rp.kind && slices.Equal(sortedStr(kp), sortedStr(rp)), "compared sorted"
	case unordered[name] || unordered[full]:
		// Redis leaves the order of these replies unspecified (its
		// hash-table or insertion order); kvnode answers in its own.
		return kp.kind == rp.kind && slices.Equal(sortedStr(kp), sortedStr(rp)), "compared sorted"
	case name == "hgetall":
		// Field order is unspecified as above; pairs stay together.
		return kp.kind == rp.kind && slices.Equal(sortedPairs(kp), sortedPairs(rp)), "compared as sorted pairs"
	case full == "config get":
		return kp.kind == rp.kind && slices.Equal(sortedPairs(kp), sortedPairs(rp)), "compared as sorted pairs"
	}
	return false, ""
}

// unordered lists the commands (and PUBSUB subcommands) whose reply is an
// aggregate of scalars in an order Redis leaves unspecified; they are
// compared as sorted multisets (with the reply type).
var unordered = map[string]bool{
	"hkeys": true, "hvals": true,
	"smembers": true, "sinter": true, "sunion": true, "sdiff": true,
	"pubsub channels": true, "pubsub shardchannels": true,
}

// bothTimes reports whether both replies are non-negative integers: times,
// not the -1 (no expiry) or -2 (no key) answers, which must match exactly.
func bothTimes(a, b *reply) bool {
	for _, r := range []*reply{a, b} {
		if n, err := strconv.ParseInt(r.str, 10, 64); r.kind != ':' || err != nil || n < 0 {
			return false
		}
	}
	return true
}

// within reports whether two integer replies are at most slack apart.
func within(a, b *reply, slack int64) bool {
	x, err1 := strconv.ParseInt(a.str, 10, 64)
	y, err2 := strconv.ParseInt(b.str, 10, 64)
	return err1 == nil && err2 == nil && x-y <= slack && y-x <= slack
}

// sortedStr returns the sorted scalar elements of an aggregate.
func sortedStr(r *reply) []string {
	out := make([]string, 0, len(r.elems))
	for _, e := range r.elems {
		out = append(out, string(e.kind)+e.str)
	}
	sort.Strings(out)
	return out
}

// sortedPairs returns the key/value pairs of a flat map or array, sorted.
func sortedPairs(r *reply) []string {
	var out []string
	for i := 0; i+1 < len(r.elems); i += 2 {
		out = append(out, r.elems[i].str+"\x00"+r.elems[i+1].str)
	}
	if len(r.elems)%2 == 1 {
		out = append(out, "odd element count")
	}
	sort.Strings(out)
	return out
}

// report fails the test with every mismatch and writes them, grouped by
// command, to a file in the test's temporary directory (and to
// $KVNODE_DIFF_OUT/<test>.txt when that is set).
func (d *differ) report() {
	d.t.Helper()
	if len(d.mismatches) == 0 {
		return
	}
	for _, m := range d.mismatches {
		d.t.Errorf("reply differs: %s", m)
	}
	byCmd := map[string][]mismatch{}
	for _, m := range d.mismatches {
		name := strings.ToUpper(m.args[0])
		if len(m.args) > 1 && (name == "OBJECT" || name == "CLIENT" || name == "CONFIG") {
			name += " " + strings.ToUpper(m.args[1])
		}
		byCmd[name] = append(byCmd[name], m)
	}
	names := make([]string, 0, len(byCmd))
	for n := range byCmd {
		names = append(names, n)
	}
	sort.Strings(names)
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s: %d of %d compared commands differ\n\n", d.t.Name(), len(d.mismatches), d.compared)
	summary := make([]string, 0, len(names))
	for _, n := range names {
		summary = append(summary, fmt.Sprintf("%s×%d", n, len(byCmd[n])))
		fmt.Fprintf(&sb, "== %s (%d)\n", n, len(byCmd[n]))
		for _, m := range byCmd[n] {
			fmt.Fprintf(&sb, "%s\n", m)
		}
		sb.WriteString("\n")
	}
	paths := []string{filepath.Join(d.t.TempDir(), "mismatches.txt")}
	if dir := os.Getenv("KVNODE_DIFF_OUT"); dir != "" {
		paths = append(paths, filepath.Join(dir, strings.ReplaceAll(d.t.Name(), "/", "_")+".txt"))
	}
	for _, p := range paths {
		if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
			d.t.Errorf("write %s: %v", p, err)
		}
	}
	d.t.Errorf("%d of %d compared commands differ, by command: %s (list in %s)",
		len(d.mismatches), d.compared, strings.Join(summary, " "), strings.Join(paths, " and "))
}

// corpusCmd is one command of the corpus with its line number.
type corpusCmd struct {
	line int
	args []string
}

// parseCorpus reads the corpus: groups separated by blank lines, #
// comments, one redis-cli-quoted command a line.
func parseCorpus(text string) ([][]corpusCmd, error) {
	var groups [][]corpusCmd
	var cur []corpusCmd
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			if len(cur) > 0 {
				groups = append(groups, cur)
				cur = nil
			}
		case strings.HasPrefix(trimmed, "#"):
		default:
			args, err := splitCLI(trimmed)
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", i+1, err)
			}
			cur = append(cur, corpusCmd{line: i + 1, args: args})
		}
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	return groups, nil
}

// splitCLI splits a line into arguments like redis-cli (sdssplitargs).
func splitCLI(line string) ([]string, error) {
	var args []string
	i := 0
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' }
	hex := func(c byte) (byte, bool) {
		switch {
		case c >= '0' && c <= '9':
			return c - '0', true
		case c >= 'a' && c <= 'f':
			return c - 'a' + 10, true
		case c >= 'A' && c <= 'F':
			return c - 'A' + 10, true
		}
		return 0, false
	}
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			return args, nil
		}
		var cur []byte
		switch line[i] {
		case '"':
			i++
			for {
				if i >= len(line) {
					return nil, errors.New("unbalanced double quotes")
				}
				c := line[i]
				if c == '\\' && i+3 < len(line) && line[i+1] == 'x' {
					h, ok1 := hex(line[i+2])
					l, ok2 := hex(line[i+3])
					if ok1 && ok2 {
						cur = append(cur, h<<4|l)
						i += 4
						continue
					}
				}
				if c == '\\' && i+1 < len(line) {
					e := line[i+1]
					switch e {
					case 'n':
						e = '\n'
					case 'r':
						e = '\r'
					case 't':
						e = '\t'
					case 'b':
						e = '\b'
					case 'a':
						e = '\a'
					}
					cur = append(cur, e)
					i += 2
					continue
				}
				if c == '"' {
					i++
					if i < len(line) && !isSpace(line[i]) {
						return nil, errors.New("closing quote must be followed by a space")
					}
					break
				}
				cur = append(cur, c)
				i++
			}
		case '\'':
			i++
			for {
				if i >= len(line) {
					return nil, errors.New("unbalanced single quotes")
				}
				c := line[i]
				if c == '\\' && i+1 < len(line) && line[i+1] == '\'' {
					cur = append(cur, '\'')
					i += 2
					continue
				}
				if c == '\'' {
					i++
					if i < len(line) && !isSpace(line[i]) {
						return nil, errors.New("closing quote must be followed by a space")
					}
					break
				}
				cur = append(cur, c)
				i++
			}
		default:
			for i < len(line) && !isSpace(line[i]) {
				cur = append(cur, line[i])
				i++
			}
		}
		args = append(args, string(cur))
	}
}

// startPair starts the kvnode and the redis-server a differential test
// compares. Redis gets one database, as kvnode has, and kvnode's default
// cluster-node-timeout (2000 ms, so that a dead node is marked failed
// within about a second; Redis's default is 15000). With
// KVNODE_DIFF_SELF=1 a second redis-server stands in for kvnode, which
// checks that the corpus and the normalisations are deterministic.
func startPair(t *testing.T) (kv, rd *proc) {
	t.Helper()
	if os.Getenv("KVNODE_DIFF_SELF") == "1" {
		return startRedis(t, redisOracleArgs...), startRedis(t, redisOracleArgs...)
	}
	return startNode(t), startRedis(t, redisOracleArgs...)
}

// redisOracleArgs configure the redis-server a differential test compares
// against like a default kvnode.
var redisOracleArgs = []string{"--databases", "1", "--cluster-node-timeout", "2000"}

// loadCorpus parses testdata/name and fails t when it holds fewer than
// minGroups groups or minCmds commands (a truncated file); it returns the
// groups and the number of commands.
func loadCorpus(t *testing.T, name string, minGroups, minCmds int) ([][]corpusCmd, int) {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	groups, err := parseCorpus(string(text))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	total := 0
	for _, g := range groups {
		total += len(g)
	}
	if len(groups) < minGroups || total < minCmds {
		t.Fatalf("%s parsed into %d groups and %d commands: too few, is it truncated?", name, len(groups), total)
	}
	return groups, total
}

// runGroups runs a parsed corpus file on both servers, each group on
// empty databases and fresh connections after one that left state behind.
func (d *differ) runGroups(file string, groups [][]corpusCmd) {
	for _, g := range groups {
		where := fmt.Sprintf("%s:%d", file, g[0].line)
		if d.dirty {
			d.resetConns(where)
		}
		d.flush(where)
		for _, c := range g {
			d.run(fmt.Sprintf("%s:%d", file, c.line), c.args)
		}
	}
}

// TestDifferentialCorpus runs testdata/corpus.txt on kvnode and redis-server
// in RESP2 and RESP3 and reports every reply that differs.
func TestDifferentialCorpus(t *testing.T) {
	t.Parallel()
	groups, total := loadCorpus(t, "corpus.txt", 30, 1000)
	kv, rd := startPair(t)
	d := newDiffer(t, kv, rd)
	defer d.report()
	for _, proto := range []int{2, 3} {
		if !d.connect(proto) {
			continue
		}
		d.runGroups("corpus.txt", groups)
	}
	if d.compared < total {
		t.Errorf("compared %d commands, the corpus has %d", d.compared, total)
	}
}

// TestDifferentialRandom runs random command sequences from fixed seeds on
// kvnode and redis-server, in RESP2 and RESP3. Every seed starts on empty
// databases, and after a mismatch the key space is cleared on both, so one
// difference does not cascade.
func TestDifferentialRandom(t *testing.T) {
	t.Parallel()
	const seeds, perSeed = 24, 400
	kv, rd := startPair(t)
	d := newDiffer(t, kv, rd)
	defer d.report()
	now := time.Now().Unix()
	generated, passes := 0, 0
	distinct := map[string]int{} // upper-case name -> how often
	for _, proto := range []int{2, 3} {
		if !d.connect(proto) {
			continue
		}
		passes++
		d.flush(fmt.Sprintf("RESP%d pass", proto))
		for seed := uint64(1); seed <= seeds; seed++ {
			g := newCmdGen(seed, now)
			d.clearKeys(fmt.Sprintf("seed %d", seed), g.keySpace())
			for i := 0; i < perSeed; i++ {
				args := g.next()
				generated++
				distinct[strings.ToUpper(args[0])]++
				if !d.run(fmt.Sprintf("seed %d #%d", seed, i), args) {
					d.clearKeys(fmt.Sprintf("seed %d #%d (resync)", seed, i), g.keySpace())
				}
			}
		}
	}
	if want := passes * seeds * perSeed; generated != want || passes == 0 {
		t.Errorf("generated %d commands, want %d", generated, want)
	}
	if len(distinct) < 45+len(genTypeCommands) {
		t.Errorf("the generator produced only %d distinct commands", len(distinct))
	}
	typed := 0
	for _, name := range genTypeCommands {
		if distinct[name] == 0 {
			t.Errorf("the generator never produced %s", name)
		}
		typed += distinct[name]
	}
	if typed*100 < generated*40 {
		t.Errorf("only %d of %d generated commands are data-type commands, want 40%% or more", typed, generated)
	}
	t.Logf("generated %d commands (%d data-type commands), %d distinct", generated, typed, len(distinct))
}
