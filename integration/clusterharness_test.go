package integration

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The cluster harness: cluster nodes of two flavours (a real redis-server
// as the control, and kvnode), started on client ports whose cluster bus
// port (client port + 10000, Redis's default, which `redis-cli --cluster
// create` and a two-argument CLUSTER MEET assume) is free too, plus helpers
// to read CLUSTER INFO, CLUSTER SLOTS and to run redis-cli.

const (
	clusterPortLo = 12000 // lowest client port handed to a cluster node
	clusterPortHi = 22000 // first client port not handed out: bus ports stay below 32000
	busOffset     = 10000 // bus port = client port + busOffset

	clusterNodeTimeout = "2000" // --cluster-node-timeout of every test node, in ms
)

// flavour is a kind of cluster node a scenario runs against.
type flavour struct {
	name string // subtest name: "redis" or "kvnode"
	// convergeLimit bounds the time from the last CLUSTER MEET until every
	// node of the convergence test agrees: kvnode must be fast, Redis's own
	// gossip is given more time (it is the control, not the yardstick).
	convergeLimit time.Duration
}

var (
	redisFlavour  = flavour{name: "redis", convergeLimit: 30 * time.Second}
	kvnodeFlavour = flavour{name: "kvnode", convergeLimit: 2 * time.Second}
	// clusterFlavours are run as subtests of every cluster scenario, the
	// control first.
	clusterFlavours = []flavour{redisFlavour, kvnodeFlavour}
)

// procName is the harness's process name of the flavour.
func (f flavour) procName() string {
	if f.name == "kvnode" {
		return "kvnode"
	}
	return "redis-server"
}

// bin returns the flavour's server binary.
func (f flavour) bin(t testing.TB) string {
	t.Helper()
	if f.name == "kvnode" {
		return kvnodeBin
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server is not installed (scripts/test installs it): ", err)
	}
	return bin
}

// clusterArgs returns the options that make a node of the flavour a
// cluster node with its bus on port+busOffset. A redis-server gets an
// append-only file so that it keeps its keys across kill -9, as kvnode
// always does.
func (f flavour) clusterArgs(dir string, port int) []string {
	a := []string{"--cluster-enabled", "yes", "--cluster-port", strconv.Itoa(port + busOffset),
		"--cluster-node-timeout", clusterNodeTimeout}
	if f.name != "kvnode" {
		a = append(a, "--cluster-config-file", filepath.Join(dir, "nodes.conf"), "--appendonly", "yes")
	}
	return a
}

// portFree reports whether nothing listens on the loopback TCP port and,
// when udp is set, nothing is bound to the UDP port either (kvnode's serf
// gossip uses both on the bus port).
func portFree(port int, udp bool) bool {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	ln.Close()
	if udp {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return false
		}
		pc.Close()
	}
	return true
}

// freeClusterPorts returns the first of n consecutive client ports in
// [clusterPortLo, clusterPortHi) such that each port and its bus port
// (port+busOffset) are free now and were handed to no other test of this
// run; it reserves all of them in the harness's table.
func freeClusterPorts(t testing.TB, n int) int {
	t.Helper()
	ports.Lock()
	defer ports.Unlock()
	if ports.used == nil {
		ports.used = make(map[int]bool)
	}
next:
	for i := 0; i < 1000; i++ {
		base := clusterPortLo + rand.IntN(clusterPortHi-clusterPortLo-n+1)
		for p := base; p < base+n; p++ {
			if ports.used[p] || ports.used[p+busOffset] || !portFree(p, false) || !portFree(p+busOffset, true) {
				continue next
			}
		}
		for p := base; p < base+n; p++ {
			ports.used[p], ports.used[p+busOffset] = true, true
		}
		return base
	}
	t.Fatalf("no %d free client+bus port pairs in [%d, %d)", n, clusterPortLo, clusterPortHi)
	return 0
}

// watchProc makes the end of t kill p, check its output for panics and
// races, and print its log tail when t failed.
func watchProc(t testing.TB, p *proc) {
	t.Cleanup(func() {
		p.kill()
		p.checkOutput(t)
		p.mu.Lock()
		started := p.starts > 0
		p.mu.Unlock()
		if t.Failed() && started {
			t.Logf("%s on port %d, dir %s: tail of its log:\n%s", p.name, p.port, p.dir, p.logTail(8<<10))
		}
	})
}

// startClusterNode starts one cluster node of flavour f with its own
// directory, on a client port whose bus port is free as well; it retries
// on other ports when a chosen one was taken meanwhile.
func startClusterNode(t testing.TB, f flavour) *proc {
	t.Helper()
	base := t.TempDir()
	bin := f.bin(t)
	var lastErr error
	for try := 0; try < 5; try++ {
		port := freeClusterPorts(t, 1)
		dir := filepath.Join(base, fmt.Sprintf("%s-%d", f.name, port))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		name := f.procName()
		p := &proc{
			t:       t,
			name:    name,
			bin:     bin,
			port:    port,
			dir:     dir,
			logPath: filepath.Join(dir, name+".log"),
			outPath: filepath.Join(dir, "output.txt"),
			extra:   f.clusterArgs(dir, port),
		}
		watchProc(t, p)
		err := p.start()
		if err == nil {
			return p
		}
		lastErr = err
		if !errors.Is(err, errAddrInUse) {
			break
		}
	}
	t.Fatalf("cannot start a %s cluster node: %v", f.name, lastErr)
	return nil
}

// startClusterNodes starts n empty cluster nodes of flavour f.
func startClusterNodes(t testing.TB, f flavour, n int) []*proc {
	t.Helper()
	nodes := make([]*proc, n)
	for i := range nodes {
		nodes[i] = startClusterNode(t, f)
	}
	return nodes
}

// ansiEscape matches the colour escapes redis-cli --cluster prints even
// when its output is not a terminal.
var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*m")

// runCLI runs a redis tool (redis-cli, redis-benchmark) with args, bounded
// by ctx; it returns the combined output without colour escapes.
func runCLI(ctx context.Context, tool string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	text := ansiEscape.ReplaceAllString(string(out), "")
	if ctx.Err() != nil {
		err = fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return text, err
}

// cli runs redis-cli with args and fails the test when it exits non-zero.
func cli(t testing.TB, ctx context.Context, args ...string) string {
	t.Helper()
	out, err := runCLI(ctx, "redis-cli", args...)
	if err != nil {
		t.Fatalf("redis-cli %s: %v\n%s", quoteArgs(args), err, out)
	}
	return out
}

// clusterCheckOK are the lines `redis-cli --cluster check` prints for a
// healthy cluster.
var clusterCheckOK = []string{
	"[OK] All nodes agree about slots configuration.",
	"[OK] All 16384 slots covered.",
}

// clusterCheck runs `redis-cli --cluster check` against p and returns its
// output and whether it passed: exit status 0 and both [OK] lines.
func clusterCheck(ctx context.Context, p *proc) (string, bool) {
	out, err := runCLI(ctx, "redis-cli", "--cluster", "check", p.Addr())
	if err != nil {
		return fmt.Sprintf("%s\n(exit: %v)", out, err), false
	}
	for _, ok := range clusterCheckOK {
		if !strings.Contains(out, ok) {
			return out, false
		}
	}
	return out, true
}

// query sends one command on a new RESP2 connection to addr and returns
// the raw reply.
func query(addr string, args ...string) (string, error) {
	c, err := dialRaw(addr, ioTimeout)
	if err != nil {
		return "", err
	}
	defer c.Close()
	r, err := c.Do(args...)
	return string(r), err
}

// clusterInfo returns the text of CLUSTER INFO on addr.
func clusterInfo(addr string) (string, error) {
	raw, err := query(addr, "CLUSTER", "INFO")
	if err != nil {
		return "", err
	}
	r, err := parseReply([]byte(raw))
	if err != nil {
		return "", fmt.Errorf("CLUSTER INFO: %v in %q", err, raw)
	}
	if r.kind != '$' {
		return "", fmt.Errorf("CLUSTER INFO: want a bulk string, got %q", raw)
	}
	return r.str, nil
}

// infoField returns the value of name in an INFO-style text.
func infoField(text, name string) string {
	for _, line := range strings.Split(text, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	return ""
}

// clusterSlotsRaw returns the raw RESP2 reply of CLUSTER SLOTS on p.
func clusterSlotsRaw(p *proc) ([]byte, error) {
	c, err := dialRaw(p.Addr(), ioTimeout)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.SendBytes([]byte("CLUSTER"), []byte("SLOTS")); err != nil {
		return nil, err
	}
	return readReplyFast(c)
}

// slotRange is one entry of CLUSTER SLOTS: a slot range and its primary.
type slotRange struct {
	from, to int
	ip       string
	port     int
	id       string
	replicas int
}

// parseClusterSlots decodes a raw CLUSTER SLOTS reply, checking each
// entry's shape (start, end, then [ip, port, id, ...] per node).
func parseClusterSlots(raw []byte) ([]slotRange, error) {
	r, err := parseReply(raw)
	if err != nil {
		return nil, err
	}
	if r.kind != '*' {
		return nil, fmt.Errorf("CLUSTER SLOTS: want an array, got %.200q", raw)
	}
	out := make([]slotRange, 0, len(r.elems))
	for i, e := range r.elems {
		if e.kind != '*' || len(e.elems) < 3 || e.elems[0].kind != ':' || e.elems[1].kind != ':' {
			return nil, fmt.Errorf("CLUSTER SLOTS entry %d: bad shape", i)
		}
		node := e.elems[2]
		if node.kind != '*' || len(node.elems) < 3 || node.elems[0].kind != '$' || node.elems[1].kind != ':' || node.elems[2].kind != '$' {
			return nil, fmt.Errorf("CLUSTER SLOTS entry %d: bad primary shape", i)
		}
		var sr slotRange
		sr.from, _ = strconv.Atoi(e.elems[0].str)
		sr.to, _ = strconv.Atoi(e.elems[1].str)
		sr.ip = node.elems[0].str
		sr.port, _ = strconv.Atoi(node.elems[1].str)
		sr.id = node.elems[2].str
		sr.replicas = len(e.elems) - 3
		out = append(out, sr)
	}
	return out, nil
}

// parseReply parses one raw reply, in time linear in its size (CLUSTER
// SLOTS of an interleaved cluster is megabytes). An attribute (|) before a
// reply is read and dropped.
func parseReply(raw []byte) (*reply, error) {
	br := bufio.NewReader(bytes.NewReader(raw))
	r, err := decodeFrom(br)
	if err != nil {
		return nil, err
	}
	if br.Buffered() > 0 {
		return nil, fmt.Errorf("%d bytes after the reply", br.Buffered())
	}
	return r, nil
}

// decodeFrom reads one reply from br.
func decodeFrom(br *bufio.Reader) (*reply, error) {
	line, err := readLine(br)
	if err != nil {
		return nil, err
	}
	kind, body := line[0], string(line[1:len(line)-2])
	r := &reply{kind: kind}
	switch kind {
	case '+', '-', ':', ',', '#', '(':
		r.str = body
	case '_':
		r.null = true
	case '$', '!', '=':
		n, err := strconv.Atoi(body)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			r.null = true
			break
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(br, b); err != nil {
			return nil, err
		}
		r.str = string(b[:n])
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(body)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			r.null = true
			break
		}
		if kind == '%' || kind == '|' {
			n *= 2
		}
		r.elems = make([]*reply, n)
		for i := range r.elems {
			if r.elems[i], err = decodeFrom(br); err != nil {
				return nil, err
			}
		}
		if kind == '|' { // the attribute describes the reply after it
			return decodeFrom(br)
		}
	default:
		return nil, fmt.Errorf("unknown reply type %q", kind)
	}
	return r, nil
}

// waitUntil polls cond every interval until it reports done or limit
// passes; it returns how long it took and cond's last explanation.
func waitUntil(limit, interval time.Duration, cond func() (bool, string)) (time.Duration, bool, string) {
	start := time.Now()
	for {
		ok, why := cond()
		if ok {
			return time.Since(start), true, why
		}
		if time.Since(start) > limit {
			return time.Since(start), false, why
		}
		time.Sleep(interval)
	}
}

// clusterAgrees reports whether every node answers cluster_state:ok and
// the same CLUSTER SLOTS bytes, and if not, why; it returns the agreed
// reply. It asks all nodes at once, so that one round is short next to
// the convergence limit it helps measure.
func clusterAgrees(nodes []*proc) (bool, string, []byte) {
	type answer struct {
		state string
		slots []byte
		err   error
	}
	answers := make([]answer, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := &answers[i]
			info, err := clusterInfo(n.Addr())
			if err != nil {
				a.err = err
				return
			}
			if a.state = infoField(info, "cluster_state"); a.state != "ok" {
				return
			}
			a.slots, a.err = clusterSlotsRaw(n)
		}()
	}
	wg.Wait()
	for i, a := range answers {
		switch {
		case a.err != nil:
			return false, fmt.Sprintf("node %d: %v", nodes[i].port, a.err), nil
		case a.state != "ok":
			return false, fmt.Sprintf("node %d: cluster_state:%s", nodes[i].port, a.state), nil
		case !bytes.Equal(a.slots, answers[0].slots):
			return false, fmt.Sprintf("CLUSTER SLOTS differs between nodes %d and %d: %s",
				nodes[0].port, nodes[i].port, firstDiff(answers[0].slots, a.slots)), nil
		}
	}
	return true, "", answers[0].slots
}

// firstDiff describes where two byte strings first differ.
func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-80)
	return fmt.Sprintf("lengths %d and %d, first difference at byte %d: %q vs %q", len(a), len(b), i,
		a[lo:min(len(a), i+80)], b[lo:min(len(b), i+80)])
}

// myID returns CLUSTER MYID of the node at addr.
func myID(addr string) (string, error) {
	raw, err := query(addr, "CLUSTER", "MYID")
	if err != nil {
		return "", err
	}
	r, err := parseReply([]byte(raw))
	if err != nil || r.kind != '$' || len(r.str) != 40 {
		return "", fmt.Errorf("CLUSTER MYID: want a 40-character bulk string, got %q", raw)
	}
	return r.str, nil
}

// nodeIDs returns CLUSTER MYID of every node.
func nodeIDs(t testing.TB, nodes []*proc) []string {
	t.Helper()
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		id, err := myID(n.Addr())
		if err != nil {
			t.Fatalf("node %d: %v", n.port, err)
		}
		ids[i] = id
	}
	return ids
}

// readReplyFast reads one complete reply from c like Read, framing it by
// scanning a growing buffer rather than line by line: replies of
// megabytes (CLUSTER SLOTS of an interleaved cluster) take milliseconds,
// also under the race detector.
func readReplyFast(c *rawClient) ([]byte, error) {
	if err := c.conn.SetReadDeadline(time.Now().Add(c.timeout)); err != nil {
		return nil, err
	}
	buf := make([]byte, 0, 64<<10)
	pos, need := 0, 1 // scan position; elements still to frame
	for need > 0 {
		// Frame as many whole elements as the buffer holds.
		for need > 0 {
			nl := bytes.IndexByte(buf[pos:], '\n')
			if nl < 0 {
				break
			}
			line := buf[pos : pos+nl+1]
			if len(line) < 3 || line[len(line)-2] != '\r' {
				return buf, fmt.Errorf("reply line %q does not end with CRLF", line)
			}
			body := string(line[1 : len(line)-2])
			end := pos + len(line)
			switch line[0] {
			case '+', '-', ':', ',', '#', '_', '(':
			case '$', '!', '=':
				n, err := strconv.Atoi(body)
				if err != nil || n < -1 {
					return buf, fmt.Errorf("bad bulk length in %q", line)
				}
				if n >= 0 {
					end += n + 2
				}
			case '*', '~', '>', '%':
				n, err := strconv.Atoi(body)
				if err != nil || n < -1 {
					return buf, fmt.Errorf("bad aggregate length in %q", line)
				}
				if line[0] == '%' {
					n *= 2
				}
				need += max(n, 0)
			default:
				return buf, fmt.Errorf("unknown reply type in %q", line)
			}
			if end > len(buf) {
				break // a bulk whose payload is not all here yet
			}
			pos = end
			need--
		}
		if need == 0 {
			break
		}
		if len(buf) == cap(buf) {
			buf = append(buf, make([]byte, len(buf))...)[:len(buf)]
		}
		n, err := c.br.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil && n == 0 {
			return buf, err
		}
	}
	if pos != len(buf) {
		return buf, fmt.Errorf("%d bytes after the reply", len(buf)-pos)
	}
	return buf, nil
}
