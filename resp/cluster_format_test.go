package resp

import (
	"bufio"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/kvnode/kvnode/cluster"
	"github.com/kvnode/kvnode/slots"
)

// Golden tests of the CLUSTER reply formatters (cluster_format.go).
//
// testdata/cluster/<scenario>.<command>.resp<2|3> are raw replies captured
// from real Redis 7.0.15 clusters by testdata/cluster/capture.sh (see the
// README there). For each scenario the test rebuilds the cluster.View from
// the captured CLUSTER NODES text and checks that the formatters reproduce
// the captures byte for byte, with these explicit normalisations only:
//   - order: lines of CLUSTER NODES, shards of CLUSTER SHARDS and links of
//     CLUSTER LINKS follow Redis' hash-table order; we print them sorted by
//     node ID, so the capture's top-level items are sorted the same way
//     (each item itself is compared byte for byte);
//   - CLUSTER INFO: the per-message-type cluster_stats_messages_<type>_*
//     lines, which our gossip cannot count, are dropped from the capture;
//   - CLUSTER LINKS: create-time, send-buffer-allocated and
//     send-buffer-used are set to 0 in the capture (Redis has distinct times
//     for the two links of a peer and real buffers; we report one JoinedAt
//     and no buffers).
//
// Values the View carries (ping/pong times, epochs, replication offsets,
// the CLUSTER INFO counters) are taken from the captures themselves.
//
// testdata/cluster/synthetic-*.golden hold the output for hand-built Views;
// go test ./resp -run Cluster -update rewrites them.

var update = flag.Bool("update", false, "rewrite testdata/cluster/*.golden from the current output")

const cfDir = "testdata/cluster"

// cfRead returns the content of testdata/cluster/name, or ok=false if the
// file does not exist.
func cfRead(t *testing.T, name string) (string, bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(cfDir, name))
	if os.IsNotExist(err) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b), true
}

// cfWrite runs f on a fresh Writer for the protocol and returns the bytes.
func cfWrite(proto int, f func(w *Writer)) string {
	w := &Writer{proto: proto}
	f(w)
	return string(w.b)
}

// cfUnframe returns the text inside a RESP2 bulk string or a RESP3 "txt"
// verbatim string.
func cfUnframe(t *testing.T, raw string) string {
	t.Helper()
	i := strings.Index(raw, "\r\n")
	if i < 0 || (raw[0] != '$' && raw[0] != '=') || !strings.HasSuffix(raw, "\r\n") {
		t.Fatalf("not a bulk/verbatim reply: %q", raw)
	}
	body := raw[i+2 : len(raw)-2]
	if raw[0] == '=' {
		body = strings.TrimPrefix(body, "txt:")
	}
	return body
}

// cfElements splits an aggregate reply into its header line and the raw
// bytes of each top-level element.
func cfElements(t *testing.T, raw string) (string, []string) {
	t.Helper()
	r := bufio.NewReader(strings.NewReader(raw))
	hdr, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(hdr[1:]))
	if err != nil {
		t.Fatalf("header %q: %v", hdr, err)
	}
	var elems []string
	for i := 0; i < n; i++ {
		e, err := readReply(r)
		if err != nil {
			t.Fatalf("element %d: %v", i, err)
		}
		elems = append(elems, e)
	}
	if r.Buffered() != 0 {
		t.Fatalf("trailing bytes after %d elements", n)
	}
	return hdr, elems
}

var cfIDRe = regexp.MustCompile(`\$40\r\n([0-9a-f]{40})\r\n`)

// cfSortByFirstID sorts elements by the first node ID each contains (the
// primary of a shard, the peer of a link); stable, so a peer's "to" link
// stays before its "from" link.
func cfSortByFirstID(elems []string) {
	sort.SliceStable(elems, func(i, j int) bool {
		return cfIDRe.FindStringSubmatch(elems[i])[1] < cfIDRe.FindStringSubmatch(elems[j])[1]
	})
}

// cfSortLines sorts the "\n"-terminated lines of a CLUSTER NODES body (by
// node ID, the first field).
func cfSortLines(body string) string {
	lines := strings.SplitAfter(body, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	sort.Strings(lines)
	return strings.Join(lines, "")
}

// cfViewFromNodes builds the View a CLUSTER NODES body describes. A
// replica's own ConfigEpoch is left 0: Redis prints its primary's epoch,
// which the formatter must look up.
func cfViewFromNodes(t *testing.T, body string) *cluster.View {
	t.Helper()
	v := &cluster.View{Self: -1}
	for _, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			t.Fatalf("short CLUSTER NODES line %q", line)
		}
		n := cluster.NodeView{ID: f[0]}
		addr := f[1]
		if i := strings.IndexByte(addr, ','); i >= 0 {
			addr, n.Hostname = addr[:i], addr[i+1:]
		}
		at := strings.IndexByte(addr, '@')
		colon := strings.LastIndexByte(addr[:at], ':')
		n.IP = addr[:colon]
		n.Port = cfAtoi(t, addr[colon+1:at])
		n.BusPort = cfAtoi(t, addr[at+1:])
		for _, fl := range strings.Split(f[2], ",") {
			switch fl {
			case "myself":
				n.Myself = true
				v.Self = len(v.Nodes)
			case "master":
				n.Primary = true
			case "slave":
			case "fail?":
				n.PFail = true
			case "fail":
				n.Fail = true
			case "handshake":
				n.Handshake = true
			case "noaddr":
				n.NoAddr = true
			case "nofailover":
				n.NoFailover = true
			default:
				t.Fatalf("unknown flag %q", fl)
			}
		}
		if f[3] != "-" {
			n.PrimaryID = f[3]
		}
		n.PingSent = int64(cfAtoi(t, f[4]))
		n.PongRecv = int64(cfAtoi(t, f[5]))
		if n.Primary {
			n.ConfigEpoch = uint64(cfAtoi(t, f[6]))
		}
		n.Connected = f[7] == "connected"
		for _, s := range f[8:] {
			if s[0] == '[' {
				s = strings.Trim(s, "[]")
				if i := strings.Index(s, "->-"); i >= 0 {
					if n.Migrating == nil {
						n.Migrating = map[int]string{}
					}
					n.Migrating[cfAtoi(t, s[:i])] = s[i+3:]
				} else if i := strings.Index(s, "-<-"); i >= 0 {
					if n.Importing == nil {
						n.Importing = map[int]string{}
					}
					n.Importing[cfAtoi(t, s[:i])] = s[i+3:]
				} else {
					t.Fatalf("bad slot entry %q", s)
				}
				continue
			}
			set, err := slots.ParseSet(s)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range set.Ranges() {
				n.Slots.AddRange(r.From, r.To)
			}
		}
		v.Nodes = append(v.Nodes, n)
	}
	if v.Self < 0 {
		t.Fatal("no myself line")
	}
	return v
}

func cfAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("number %q: %v", s, err)
	}
	return n
}

var cfOffsetRe = regexp.MustCompile(`(?s)\$2\r\nid\r\n\$40\r\n([0-9a-f]{40})\r\n.*?\$18\r\nreplication-offset\r\n:(\d+)\r\n`)

// cfSetOffsets copies each node's replication-offset from a captured
// CLUSTER SHARDS reply into the View.
func cfSetOffsets(t *testing.T, v *cluster.View, shards string) {
	t.Helper()
	for _, m := range cfOffsetRe.FindAllStringSubmatch(shards, -1) {
		n := v.Lookup(m[1])
		if n == nil {
			t.Fatalf("SHARDS names unknown node %s", m[1])
		}
		n.ReplOffset = int64(cfAtoi(t, m[2]))
	}
}

var cfPerTypeRe = regexp.MustCompile(`^cluster_stats_messages_[a-z-]+_(sent|received):`)

// cfSetInfo copies the counters of a captured CLUSTER INFO body into the
// View. cluster_known_nodes and cluster_my_epoch are not copied: the
// formatter derives them from the nodes.
func cfSetInfo(t *testing.T, v *cluster.View, body string) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		k, val, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("bad INFO line %q", l)
		}
		switch k {
		case "cluster_state":
			v.OK = val == "ok"
		case "cluster_slots_assigned":
			v.Assigned = cfAtoi(t, val)
		case "cluster_slots_ok":
			v.OKSlots = cfAtoi(t, val)
		case "cluster_slots_pfail":
			v.PFailSlots = cfAtoi(t, val)
		case "cluster_slots_fail":
			v.FailSlots = cfAtoi(t, val)
		case "cluster_size":
			v.Size = cfAtoi(t, val)
		case "cluster_current_epoch":
			v.CurrentEpoch = uint64(cfAtoi(t, val))
		case "cluster_stats_messages_sent":
			v.MessagesSent = int64(cfAtoi(t, val))
		case "cluster_stats_messages_received":
			v.MessagesReceived = int64(cfAtoi(t, val))
		}
	}
}

// cfDropPerType removes the per-message-type stats lines from an INFO body.
func cfDropPerType(body string) string {
	var out []string
	for _, l := range strings.SplitAfter(body, "\r\n") {
		if !cfPerTypeRe.MatchString(l) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

var cfLinkNumRe = regexp.MustCompile(`(\r\n(?:create-time|send-buffer-allocated|send-buffer-used)\r\n):\d+\r\n`)

// TestClusterFormatCaptures checks the formatters against every capture of
// real Redis 7.0.15 in testdata/cluster.
func TestClusterFormatCaptures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(cfDir, "*.nodes.resp2"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures in %s: %v", cfDir, err)
	}
	for _, f := range files {
		sc := strings.TrimSuffix(filepath.Base(f), ".nodes.resp2")
		t.Run(sc, func(t *testing.T) { cfCheckScenario(t, sc) })
	}
}

// cfCheckScenario checks one scenario's captures. The RESP2 and RESP3
// captures were taken a moment apart (times, offsets and counters moved),
// so each protocol's View is built from that protocol's own captures.
func cfCheckScenario(t *testing.T, sc string) {
	for _, proto := range []int{2, 3} {
		suffix := ".resp" + strconv.Itoa(proto)

		raw, ok := cfRead(t, sc+".nodes"+suffix)
		if !ok {
			t.Fatalf("%s.nodes%s missing", sc, suffix)
		}
		body := cfUnframe(t, raw)
		v := cfViewFromNodes(t, body)
		if shards, ok := cfRead(t, sc+".shards"+suffix); ok {
			cfSetOffsets(t, v, shards)
		}
		if info, ok := cfRead(t, sc+".info"+suffix); ok {
			cfSetInfo(t, v, cfUnframe(t, info))
		}

		// NODES: the frame is exactly Writer.Verbatim of the body; the
		// body, lines sorted by ID, is exactly clusterNodesText.
		if got := cfWrite(proto, func(w *Writer) { w.Verbatim(body) }); got != raw {
			t.Errorf("NODES RESP%d frame:\n got %q\nwant %q", proto, got, raw)
		}
		if got, want := clusterNodesText(v), cfSortLines(body); got != want {
			t.Errorf("NODES RESP%d:\n got %q\nwant %q", proto, got, want)
		}
		if got, want := cfWrite(proto, func(w *Writer) { writeClusterNodes(w, v) }),
			cfWrite(proto, func(w *Writer) { w.Verbatim(cfSortLines(body)) }); got != want {
			t.Errorf("writeClusterNodes RESP%d:\n got %q\nwant %q", proto, got, want)
		}

		if raw, ok := cfRead(t, sc+".slots"+suffix); ok {
			if got := cfWrite(proto, func(w *Writer) { writeClusterSlots(w, v) }); got != raw {
				t.Errorf("SLOTS RESP%d:\n got %q\nwant %q", proto, got, raw)
			}
		}

		if raw, ok := cfRead(t, sc+".shards"+suffix); ok {
			hdr, elems := cfElements(t, raw)
			cfSortByFirstID(elems)
			want := hdr + strings.Join(elems, "")
			if got := cfWrite(proto, func(w *Writer) { writeClusterShards(w, v) }); got != want {
				t.Errorf("SHARDS RESP%d:\n got %q\nwant %q", proto, got, want)
			}
		}

		if raw, ok := cfRead(t, sc+".info"+suffix); ok {
			body := cfUnframe(t, raw)
			if got := cfWrite(proto, func(w *Writer) { w.Verbatim(body) }); got != raw {
				t.Errorf("INFO RESP%d frame:\n got %q\nwant %q", proto, got, raw)
			}
			want := cfDropPerType(body)
			if got := clusterInfoText(v); got != want {
				t.Errorf("INFO RESP%d:\n got %q\nwant %q", proto, got, want)
			}
			if got, want := cfWrite(proto, func(w *Writer) { writeClusterInfo(w, v) }),
				cfWrite(proto, func(w *Writer) { w.Verbatim(want) }); got != want {
				t.Errorf("writeClusterInfo RESP%d:\n got %q\nwant %q", proto, got, want)
			}
		}

		if raw, ok := cfRead(t, sc+".links"+suffix); ok {
			hdr, elems := cfElements(t, raw)
			for i, e := range elems {
				if n := len(cfLinkNumRe.FindAllString(e, -1)); n != 3 {
					t.Fatalf("LINKS element %d: %d normalisable fields, want 3: %q", i, n, e)
				}
				elems[i] = cfLinkNumRe.ReplaceAllString(e, "$1:0\r\n")
			}
			cfSortByFirstID(elems)
			want := hdr + strings.Join(elems, "")
			// JoinedAt is 0 in v: create-time is normalised to 0.
			if got := cfWrite(proto, func(w *Writer) { writeClusterLinks(w, v) }); got != want {
				t.Errorf("LINKS RESP%d:\n got %q\nwant %q", proto, got, want)
			}
		}
	}
}

// cfID makes a 40-hex-char node ID from a short tag.
func cfID(tag string) string {
	return tag + strings.Repeat("0", 40-len(tag))
}

// cfSynthetic returns the hand-built Views of the golden tests.
func cfSynthetic() map[string]*cluster.View {
	views := map[string]*cluster.View{}

	// empty: a lone node that serves no slot.
	views["empty"] = &cluster.View{
		Nodes: []cluster.NodeView{{
			ID: cfID("e1"), IP: "127.0.0.1", Port: 7000, BusPort: 17000,
			Myself: true, Primary: true, Connected: true, JoinedAt: 1700000000000,
		}},
	}

	// interleaved: five primaries; slots 0-99 go round-robin one slot at a
	// time, the rest in five blocks, 16380-16383 unassigned. Myself (c)
	// migrates and imports slots; b has a hostname, e an IPv6 address.
	iv := &cluster.View{Self: 2, CurrentEpoch: 5, OK: false, Assigned: 16380,
		OKSlots: 16380, Size: 5, MessagesSent: 1234, MessagesReceived: 1230}
	tags := []string{"a", "b", "c", "d", "e"}
	for i, tag := range tags {
		n := cluster.NodeView{
			ID: cfID(tag + "1"), IP: "10.0.0." + strconv.Itoa(i+1), Port: 7000 + i, BusPort: 17000 + i,
			Primary: true, Connected: true, ConfigEpoch: uint64(i + 1),
			PongRecv: 1700000000100 + int64(i), JoinedAt: 1700000000000 + int64(i),
		}
		for s := i; s < 100; s += 5 {
			n.Slots.Add(s)
		}
		n.Slots.AddRange(100+3256*i, min(100+3256*(i+1)-1, 16379))
		iv.Nodes = append(iv.Nodes, n)
	}
	iv.Nodes[1].Hostname = "b.example"
	iv.Nodes[4].IP = "::1"
	me := &iv.Nodes[2]
	me.Myself, me.PongRecv = true, 0
	me.Migrating = map[int]string{2: iv.Nodes[0].ID, 7: iv.Nodes[1].ID}
	me.Importing = map[int]string{3: iv.Nodes[3].ID, 7: iv.Nodes[4].ID}
	// Listed out of ID order: the formatters sort.
	iv.Nodes[0], iv.Nodes[3] = iv.Nodes[3], iv.Nodes[0]
	views["interleaved"] = iv

	// failover: p2 has failed but its replica has not taken over yet;
	// every other flag and health appears once.
	fv := &cluster.View{CurrentEpoch: 9, OK: false, Assigned: 16384,
		OKSlots: 16384 - 5462, FailSlots: 5462, Size: 3, MessagesSent: 99, MessagesReceived: 98}
	node := func(tag string, port int, primary bool, of string) cluster.NodeView {
		n := cluster.NodeView{ID: cfID(tag), IP: "192.168.1.10", Port: port, BusPort: port + 10000,
			Primary: primary, Connected: true, PongRecv: 1700000005000, JoinedAt: 1700000001000}
		if of != "" {
			n.PrimaryID = cfID(of)
		}
		return n
	}
	p1 := node("f1", 7001, true, "")
	p1.Myself, p1.ConfigEpoch, p1.PongRecv, p1.ReplOffset = true, 7, 0, 5000
	p1.Slots.AddRange(0, 5460)
	r1a := node("f1a", 7004, false, "f1")
	r1a.ReplOffset, r1a.ConfigEpoch = 5000, 4 // printed epoch is p1's
	// r1b is still loading (replication offset 0).
	r1b := node("f1b", 7007, false, "f1")
	p2 := node("f2", 7002, true, "")
	p2.Fail, p2.Connected, p2.ConfigEpoch, p2.ReplOffset = true, false, 8, 4000
	p2.PingSent, p2.PongRecv = 1700000002000, 1700000001500
	p2.Slots.AddRange(5461, 10922)
	r2 := node("f2a", 7005, false, "f2")
	r2.ReplOffset, r2.NoFailover, r2.Hostname = 4000, true, "r2.example"
	p3 := node("f3", 7003, true, "")
	p3.ConfigEpoch, p3.ReplOffset = 9, 3000
	p3.Slots.AddRange(10923, 16383)
	r3 := node("f3a", 7006, false, "f3")
	r3.PFail, r3.Connected, r3.ReplOffset, r3.PingSent = true, false, 2900, 1700000004000
	r3b := node("f3b", 7008, false, "f3")
	r3b.NoAddr, r3b.Connected, r3b.ReplOffset = true, false, 3000
	hs := node("f9", 7009, true, "")
	hs.Handshake, hs.Connected, hs.PongRecv, hs.JoinedAt = true, false, 0, 0
	fv.Nodes = []cluster.NodeView{r3b, p3, hs, r2, p2, r1b, r1a, p1, r3}
	fv.Self = 7
	views["failover"] = fv
	return views
}

// cfAll renders every CLUSTER reply of v for one protocol.
func cfAll(proto int, v *cluster.View) string {
	var b strings.Builder
	for _, c := range []struct {
		name string
		f    func(w *Writer)
	}{
		{"NODES", func(w *Writer) { writeClusterNodes(w, v) }},
		{"SLOTS", func(w *Writer) { writeClusterSlots(w, v) }},
		{"SHARDS", func(w *Writer) { writeClusterShards(w, v) }},
		{"INFO", func(w *Writer) { writeClusterInfo(w, v) }},
		{"LINKS", func(w *Writer) { writeClusterLinks(w, v) }},
	} {
		b.WriteString("### CLUSTER " + c.name + "\n")
		b.WriteString(cfWrite(proto, c.f))
		b.WriteString("\n")
	}
	return b.String()
}

// TestClusterFormatGolden compares the replies for the synthetic Views with
// testdata/cluster/synthetic-<view>.resp<2|3>.golden (-update rewrites).
func TestClusterFormatGolden(t *testing.T) {
	for name, v := range cfSynthetic() {
		for _, proto := range []int{2, 3} {
			file := "synthetic-" + name + ".resp" + strconv.Itoa(proto) + ".golden"
			got := cfAll(proto, v)
			if *update {
				if err := os.WriteFile(filepath.Join(cfDir, file), []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, ok := cfRead(t, file)
			if !ok {
				t.Fatalf("%s missing; run go test ./resp -run ClusterFormatGolden -update", file)
			}
			if got != want {
				t.Errorf("%s differs:\n got %q\nwant %q", file, got, want)
			}
		}
	}
}

// TestClusterFormatDetails pins the Redis 7.0.15 details the captures
// showed, independently of the golden files.
func TestClusterFormatDetails(t *testing.T) {
	v := cfSynthetic()["failover"]
	text := clusterNodesText(v)
	for _, want := range []string{
		// no hostname: no trailing comma; replica: primary's epoch
		cfID("f1a") + " 192.168.1.10:7004@17004 slave " + cfID("f1") + " 0 1700000005000 7 connected\n",
		cfID("f2a") + " 192.168.1.10:7005@17005,r2.example slave,nofailover " + cfID("f2") + " ",
		cfID("f2") + " 192.168.1.10:7002@17002 master,fail - 1700000002000 1700000001500 8 disconnected 5461-10922\n",
		cfID("f9") + " 192.168.1.10:7009@17009 handshake - 0 0 0 disconnected\n",
		cfID("f1") + " 192.168.1.10:7001@17001 myself,master - 0 0 7 connected 0-5460\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("CLUSTER NODES lacks %q:\n%s", want, text)
		}
	}
	if got := strings.Count(text, "\n"); got != len(v.Nodes) {
		t.Errorf("%d lines, want %d", got, len(v.Nodes))
	}

	iv := cfSynthetic()["interleaved"]
	me := clusterNodesText(iv)
	if !strings.Contains(me, " 2 7 12 17 ") || !strings.Contains(me, " [2->-"+cfID("a1")+"] [3-<-"+cfID("d1")+"] [7->-"+cfID("b1")+"]\n") {
		t.Errorf("myself line: %s", me)
	}
	if !strings.Contains(me, " ::1:7004@17004 ") {
		t.Errorf("IPv6 address must be printed unbracketed: %s", me)
	}

	slots2 := cfWrite(2, func(w *Writer) { writeClusterSlots(w, v) })
	if strings.Contains(slots2, cfID("f1b")) || strings.Contains(slots2, cfID("f3a")) {
		t.Errorf("SLOTS lists a loading or failed replica: %q", slots2)
	}
	if !strings.Contains(slots2, cfID("f3b")) {
		t.Errorf("SLOTS lacks the available noaddr replica: %q", slots2)
	}
	shards3 := cfWrite(3, func(w *Writer) { writeClusterShards(w, v) })
	for _, h := range []string{"$7\r\nloading\r\n", "$4\r\nfail\r\n", "$6\r\nonline\r\n", "$8\r\nhostname\r\n$10\r\nr2.example\r\n"} {
		if !strings.Contains(shards3, h) {
			t.Errorf("SHARDS lacks %q", h)
		}
	}
	if strings.Contains(shards3, cfID("f9")) {
		t.Errorf("SHARDS lists a node in handshake")
	}
	info := clusterInfoText(v)
	if !strings.HasPrefix(info, "cluster_state:fail\r\n") || !strings.HasSuffix(info, "total_cluster_links_buffer_limit_exceeded:0\r\n") ||
		!strings.Contains(info, "\r\ncluster_known_nodes:9\r\n") || !strings.Contains(info, "\r\ncluster_my_epoch:7\r\n") {
		t.Errorf("CLUSTER INFO: %q", info)
	}
}
