package integration

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kvnode/kvnode/slots"
)

// Cluster mode end to end: a three-node cluster made by `redis-cli
// --cluster create`, driven with redis-cli -c, raw RESP, go-redis's
// ClusterClient, redis-py's RedisCluster and redis-benchmark --cluster,
// and a node killed with kill -9. Every scenario runs against a real
// redis-server cluster (the control, subtest "redis") and a kvnode cluster
// (subtest "kvnode").

// testCluster is a three-primary cluster formed by redis-cli --cluster
// create, with redis-cli's default slot layout.
type testCluster struct {
	f     flavour
	nodes []*proc
	ids   []string // CLUSTER MYID of each node, once created
	// written holds every key the scenarios wrote through a cluster client
	// and its value, read back again after the kill -9.
	written map[string]string
}

// defaultLayout is how `redis-cli --cluster create` spreads the slots over
// three primaries: node i owns defaultLayout[i].
var defaultLayout = [3][2]int{{0, 5460}, {5461, 10922}, {10923, 16383}}

// owner returns the index of the node owning slot under defaultLayout.
func (c *testCluster) owner(slot int) int {
	for i, r := range defaultLayout {
		if slot >= r[0] && slot <= r[1] {
			return i
		}
	}
	panic(fmt.Sprintf("slot %d out of range", slot))
}

// ownerOfKey returns the node that owns key.
func (c *testCluster) ownerOfKey(key string) *proc {
	return c.nodes[c.owner(slots.KeySlot([]byte(key)))]
}

// keysOwnedBy returns n keys "prefix:i" whose slots node owns.
func (c *testCluster) keysOwnedBy(prefix string, node, n int) []string {
	var keys []string
	for i := 0; len(keys) < n; i++ {
		k := fmt.Sprintf("%s:%d", prefix, i)
		if c.owner(slots.KeySlot([]byte(k))) == node {
			keys = append(keys, k)
		}
	}
	return keys
}

// addrs returns every node's host:port.
func (c *testCluster) addrs() []string {
	a := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		a[i] = n.Addr()
	}
	return a
}

// verifyOnOwners reads every key of kv straight from the node that owns
// its slot (no redirection involved) and checks the value.
func (c *testCluster) verifyOnOwners(t *testing.T, kv map[string]string) {
	t.Helper()
	byOwner := make(map[int][]string)
	for k := range kv {
		o := c.owner(slots.KeySlot([]byte(k)))
		byOwner[o] = append(byOwner[o], k)
	}
	bad := 0
	for o, keys := range byOwner {
		conn := dial(t, c.nodes[o])
		for start := 0; start < len(keys); start += 500 {
			batch := keys[start:min(len(keys), start+500)]
			for _, k := range batch {
				if err := conn.SendBytes([]byte("GET"), []byte(k)); err != nil {
					t.Fatalf("GET %s on node %d: %v", k, c.nodes[o].port, err)
				}
			}
			for _, k := range batch {
				raw, err := conn.Read()
				if err != nil {
					t.Fatalf("GET %s on node %d: %v", k, c.nodes[o].port, err)
				}
				if want := bulk(kv[k]); string(raw) != want {
					if bad++; bad <= 5 {
						t.Errorf("GET %s on its owner %d (slot %d): got %q, want %q", k, c.nodes[o].port, slots.KeySlot([]byte(k)), raw, want)
					}
				}
			}
		}
	}
	if bad > 5 {
		t.Errorf("... %d of %d keys wrong on their owners", bad, len(kv))
	}
}

// remember records written keys for the later re-reads.
func (c *testCluster) remember(kv map[string]string) {
	for k, v := range kv {
		c.written[k] = v
	}
}

// clusterStep is one scenario on the shared cluster.
type clusterStep struct {
	name string
	run  func(t *testing.T, c *testCluster)
	// essential: when it fails the later steps are not run (they would
	// only repeat its failure).
	essential bool
}

// clusterSteps run in order on one cluster per flavour; kill9_restart
// comes last because it disturbs the cluster.
var clusterSteps = []clusterStep{
	{"create_check", testCreateCheck, true},
	{"state_ok", testStateOK, true},
	{"slots_identical", testSlotsIdentical, false},
	{"moved", testMoved, false},
	{"crossslot", testCrossSlot, false},
	{"hashtags", testHashTags, false},
	{"redis_cli_follows_moved", testRedisCLIFollows, false},
	{"goredis_cluster_client", testGoRedisCluster, false},
	{"redispy_cluster", testRedisPyCluster, false},
	{"benchmark", testBenchmarkCluster, false},
	{"pubsub_across_nodes", testPubSubAcrossNodes, false},
	{"kill9_restart", testKill9Restart, false},
}

// TestCluster runs the cluster scenarios against a real redis-server
// cluster and a kvnode cluster, one three-node cluster per flavour.
func TestCluster(t *testing.T) {
	for _, f := range clusterFlavours {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			c := &testCluster{f: f, nodes: startClusterNodes(t, f, 3), written: make(map[string]string)}
			for _, s := range clusterSteps {
				if !t.Run(s.name, func(t *testing.T) { s.run(t, c) }) && s.essential {
					t.Fatalf("%s failed: the later steps need it", s.name)
				}
			}
		})
	}
}

// testCreateCheck forms the cluster with `redis-cli --cluster create` and
// checks it with `redis-cli --cluster check`; CLUSTER SLOTS must show the
// default layout with the nodes' own IDs.
func testCreateCheck(t *testing.T, c *testCluster) {
	ctx := testCtx(t, 60*time.Second)
	args := append([]string{"--cluster", "create"}, c.addrs()...)
	args = append(args, "--cluster-yes")
	start := time.Now()
	out := cli(t, ctx, args...)
	t.Logf("redis-cli --cluster create took %v", time.Since(start).Round(time.Millisecond))
	for _, want := range append([]string{">>> Sending CLUSTER MEET messages to join the cluster"}, clusterCheckOK...) {
		if !strings.Contains(out, want) {
			t.Errorf("redis-cli --cluster create: no %q in its output:\n%s", want, out)
		}
	}
	if out, ok := clusterCheck(ctx, c.nodes[0]); !ok {
		t.Fatalf("redis-cli --cluster check %s failed:\n%s", c.nodes[0].Addr(), out)
	}
	c.ids = nodeIDs(t, c.nodes)
	raw, err := clusterSlotsRaw(c.nodes[0])
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseClusterSlots(raw)
	if err != nil {
		t.Fatalf("%v\n%q", err, raw)
	}
	if len(got) != 3 {
		t.Fatalf("CLUSTER SLOTS has %d ranges, want 3: %+v", len(got), got)
	}
	for i, r := range defaultLayout {
		want := slotRange{from: r[0], to: r[1], ip: "127.0.0.1", port: c.nodes[i].port, id: c.ids[i]}
		if got[i] != want {
			t.Errorf("CLUSTER SLOTS range %d = %+v, want %+v", i, got[i], want)
		}
	}
}

// testStateOK waits until every node reports cluster_state:ok, then checks
// the other CLUSTER INFO fields of a healthy three-primary cluster.
func testStateOK(t *testing.T, c *testCluster) {
	took, ok, why := waitUntil(10*time.Second, 50*time.Millisecond, func() (bool, string) {
		for _, n := range c.nodes {
			info, err := clusterInfo(n.Addr())
			if err != nil {
				return false, err.Error()
			}
			if st := infoField(info, "cluster_state"); st != "ok" {
				return false, fmt.Sprintf("node %d: cluster_state:%s\n%s", n.port, st, info)
			}
		}
		return true, ""
	})
	if !ok {
		t.Fatalf("not every node reports cluster_state:ok after %v: %s", took, why)
	}
	for _, n := range c.nodes {
		info, err := clusterInfo(n.Addr())
		if err != nil {
			t.Fatal(err)
		}
		for field, want := range map[string]string{
			"cluster_state":          "ok",
			"cluster_slots_assigned": "16384",
			"cluster_slots_ok":       "16384",
			"cluster_slots_pfail":    "0",
			"cluster_slots_fail":     "0",
			"cluster_known_nodes":    "3",
			"cluster_size":           "3",
		} {
			if got := infoField(info, field); got != want {
				t.Errorf("node %d: CLUSTER INFO %s:%s, want %s", n.port, field, got, want)
			}
		}
	}
}

// testSlotsIdentical checks that every node returns the same CLUSTER SLOTS
// bytes.
func testSlotsIdentical(t *testing.T, c *testCluster) {
	took, ok, why := waitUntil(10*time.Second, 50*time.Millisecond, func() (bool, string) {
		ok, why, _ := clusterAgrees(c.nodes)
		return ok, why
	})
	if !ok {
		t.Fatalf("nodes still disagree after %v: %s", took, why)
	}
}

// testMoved checks the exact MOVED redirection for key foo (slot 12182,
// the third node's) from both non-owners, for a read and a write.
func testMoved(t *testing.T, c *testCluster) {
	if s := slots.KeySlot([]byte("foo")); s != 12182 || c.owner(s) != 2 {
		t.Fatalf("slot of foo = %d (owner %d), want 12182 on the third node", s, c.owner(s))
	}
	want := "-MOVED 12182 " + c.nodes[2].Addr() + "\r\n"
	for _, n := range c.nodes[:2] {
		conn := dial(t, n)
		expect(t, conn, want, "GET", "foo")
		expect(t, conn, want, "SET", "foo", "bar")
	}
	owner := dial(t, c.nodes[2])
	expect(t, owner, "+OK\r\n", "SET", "foo", "bar")
	expect(t, owner, bulk("bar"), "GET", "foo")
	// A key of the first node asked at the second.
	if s := slots.KeySlot([]byte("bar")); c.owner(s) != 0 {
		t.Fatalf("slot of bar = %d: not the first node's", s)
	}
	expect(t, dial(t, c.nodes[1]), fmt.Sprintf("-MOVED %d %s\r\n", slots.KeySlot([]byte("bar")), c.nodes[0].Addr()), "GET", "bar")
}

// crossSlotErr is Redis's reply to a command whose keys are in different
// slots.
const crossSlotErr = "-CROSSSLOT Keys in request don't hash to the same slot\r\n"

// testCrossSlot sends multi-key commands over two slots to the owner of
// the first key: CROSSSLOT, and nothing written.
func testCrossSlot(t *testing.T, c *testCluster) {
	sa, sb := slots.KeySlot([]byte("a")), slots.KeySlot([]byte("b"))
	if sa == sb || c.owner(sa) == c.owner(sb) {
		t.Fatalf("a (slot %d) and b (slot %d) should be on different nodes", sa, sb)
	}
	conn := dial(t, c.nodes[c.owner(sa)])
	expect(t, conn, crossSlotErr, "MSET", "a", "1", "b", "2")
	expect(t, conn, crossSlotErr, "MGET", "a", "b")
	expect(t, conn, crossSlotErr, "DEL", "a", "b")
	expect(t, conn, ":0\r\n", "EXISTS", "a")
	// One slot, two keys: fine.
	expect(t, conn, "+OK\r\n", "MSET", "a", "1", "a", "2")
	expect(t, conn, bulk("2"), "GET", "a")
}

// testHashTags writes and reads two keys sharing the hash tag {user} in
// one MSET, on the owner and through redis-cli -c from another node.
func testHashTags(t *testing.T, c *testCluster) {
	s := slots.KeySlot([]byte("user"))
	if slots.KeySlot([]byte("{user}a")) != s || slots.KeySlot([]byte("{user}b")) != s {
		t.Fatal("{user}a and {user}b should hash like user")
	}
	o := c.owner(s)
	conn := dial(t, c.nodes[o])
	expect(t, conn, "+OK\r\n", "MSET", "{user}a", "1", "{user}b", "2")
	expect(t, conn, "*2\r\n$1\r\n1\r\n$1\r\n2\r\n", "MGET", "{user}a", "{user}b")
	other := c.nodes[(o+1)%3]
	expect(t, dial(t, other), fmt.Sprintf("-MOVED %d %s\r\n", s, c.nodes[o].Addr()), "MSET", "{user}a", "1", "{user}b", "2")
	ctx := testCtx(t, 30*time.Second)
	port := strconv.Itoa(other.port)
	if out := cli(t, ctx, "-c", "-p", port, "MSET", "{user}c", "3", "{user}d", "4"); out != "OK\n" {
		t.Errorf("redis-cli -c MSET {user}c 3 {user}d 4 from %s: %q, want \"OK\\n\"", port, out)
	}
	if out := cli(t, ctx, "-c", "-p", port, "MGET", "{user}a", "{user}b", "{user}c", "{user}d"); out != "1\n2\n3\n4\n" {
		t.Errorf("redis-cli -c MGET of the {user} keys from %s: %q, want \"1\\n2\\n3\\n4\\n\"", port, out)
	}
}

// testRedisCLIFollows writes a key of every node through redis-cli -c
// entering at every node, and reads each back entering at every node.
func testRedisCLIFollows(t *testing.T, c *testCluster) {
	ctx := testCtx(t, 60*time.Second)
	for e, entry := range c.nodes {
		for o := range c.nodes {
			key := c.keysOwnedBy(fmt.Sprintf("follow:%d", e), o, 1)[0]
			val := fmt.Sprintf("via-%d-to-%d", entry.port, o)
			if out := cli(t, ctx, "-c", "-p", strconv.Itoa(entry.port), "SET", key, val); out != "OK\n" {
				t.Errorf("redis-cli -c -p %d SET %s: %q, want \"OK\\n\"", entry.port, key, out)
			}
			for _, r := range c.nodes {
				if out := cli(t, ctx, "-c", "-p", strconv.Itoa(r.port), "GET", key); out != val+"\n" {
					t.Errorf("redis-cli -c -p %d GET %s (slot %d): %q, want %q", r.port, key, slots.KeySlot([]byte(key)), out, val+"\n")
				}
			}
			c.written[key] = val
		}
	}
}

// clientKeys is how many keys each cluster client writes and reads.
const clientKeys = 3000

// testGoRedisCluster writes and reads clientKeys keys with go-redis's
// ClusterClient, given one node's address only, and checks that each key
// landed on its slot's owner.
func testGoRedisCluster(t *testing.T, c *testCluster) {
	ctx := testCtx(t, 60*time.Second)
	rdb := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:        []string{c.nodes[0].Addr()},
		DialTimeout:  5 * time.Second,
		ReadTimeout:  ioTimeout,
		WriteTimeout: ioTimeout,
	})
	defer rdb.Close()
	var mu sync.Mutex
	masters := map[string]bool{}
	if err := rdb.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		mu.Lock()
		masters[m.Options().Addr] = true
		mu.Unlock()
		return m.Ping(ctx).Err()
	}); err != nil {
		t.Fatalf("ForEachMaster PING: %v", err)
	}
	if len(masters) != 3 {
		t.Errorf("go-redis found masters %v, want the 3 nodes", masters)
	}

	kv := make(map[string]string, clientKeys)
	for i := 0; i < clientKeys; i++ {
		kv[fmt.Sprintf("go:%d", i)] = fmt.Sprintf("goval-%d", i)
	}
	const workers = 8
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < clientKeys; i += workers {
				k := fmt.Sprintf("go:%d", i)
				if err := rdb.Set(ctx, k, kv[k], 0).Err(); err != nil {
					errs <- fmt.Errorf("SET %s: %w", k, err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Read back: one pipeline, which the client splits by node.
	cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := 0; i < clientKeys; i++ {
			p.Get(ctx, fmt.Sprintf("go:%d", i))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("pipelined GETs: %v", err)
	}
	bad := 0
	for i, cmd := range cmds {
		k := fmt.Sprintf("go:%d", i)
		if v, err := cmd.(*redis.StringCmd).Result(); err != nil || v != kv[k] {
			if bad++; bad <= 5 {
				t.Errorf("GET %s = %q, %v; want %q", k, v, err, kv[k])
			}
		}
	}
	if v, err := rdb.Get(ctx, "go:missing").Result(); !errors.Is(err, redis.Nil) {
		t.Errorf("GET go:missing = %q, %v; want redis.Nil", v, err)
	}
	c.verifyOnOwners(t, kv)
	c.remember(kv)
}

// redisPyScript writes and reads keys with redis-py's RedisCluster; it
// prints the primaries it found and "ok N" with the number of values read
// back right.
const redisPyScript = `
import sys
from redis.cluster import RedisCluster
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rc = RedisCluster(host=host, port=port, socket_timeout=10, socket_connect_timeout=5)
for i in range(n):
    rc.set("py:%d" % i, "pyval-%d" % i)
good = 0
for i in range(n):
    v = rc.get("py:%d" % i)
    if v == ("pyval-%d" % i).encode():
        good += 1
    elif n - good < 5:
        print("mismatch py:%d %r" % (i, v))
print("primaries " + " ".join(sorted("%s:%d" % (p.host, p.port) for p in rc.get_primaries())))
print("ok %d" % good)
rc.close()
`

// pythonWithRedis is the interpreter the Debian package python3-redis
// installs the module for (python3 on PATH may be another one).
const pythonWithRedis = "/usr/bin/python3"

// testRedisPyCluster writes and reads clientKeys keys with redis-py's
// RedisCluster and checks that each landed on its slot's owner.
func testRedisPyCluster(t *testing.T, c *testCluster) {
	ctx := testCtx(t, 90*time.Second)
	cmd := exec.CommandContext(ctx, pythonWithRedis, "-c", redisPyScript, "127.0.0.1", strconv.Itoa(c.nodes[0].port), strconv.Itoa(clientKeys))
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("redis-py RedisCluster (%s, module from the Debian package python3-redis, which scripts/test installs): %v\n%s", pythonWithRedis, err, out)
	}
	text := string(out)
	if want := fmt.Sprintf("ok %d\n", clientKeys); !strings.Contains(text, want) {
		t.Errorf("redis-py did not read back all %d values:\n%s", clientKeys, text)
	}
	if want := "primaries " + strings.Join(slices.Sorted(slices.Values(c.addrs())), " ") + "\n"; !strings.Contains(text, want) {
		t.Errorf("redis-py: want %q in its output:\n%s", want, text)
	}
	kv := make(map[string]string, clientKeys)
	for i := 0; i < clientKeys; i++ {
		kv[fmt.Sprintf("py:%d", i)] = fmt.Sprintf("pyval-%d", i)
	}
	c.verifyOnOwners(t, kv)
	c.remember(kv)
}

// benchLine matches redis-benchmark -q's final line of a test.
var benchLine = regexp.MustCompile(`(?m)(SET|GET): ([0-9.]+) requests per second`)

// testBenchmarkCluster runs redis-benchmark in cluster mode: both tests
// must complete with no error.
func testBenchmarkCluster(t *testing.T, c *testCluster) {
	ctx := testCtx(t, 90*time.Second)
	out, err := runCLI(ctx, "redis-benchmark", "--cluster", "-h", "127.0.0.1", "-p", strconv.Itoa(c.nodes[0].port),
		"-t", "set,get", "-n", "20000", "-q")
	if err != nil {
		t.Fatalf("redis-benchmark --cluster: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Cluster has 3 master nodes") {
		t.Errorf("redis-benchmark did not see 3 masters:\n%s", out)
	}
	if strings.Contains(strings.ToLower(out), "error") {
		t.Errorf("redis-benchmark reported errors:\n%s", out)
	}
	seen := map[string]string{}
	for _, m := range benchLine.FindAllStringSubmatch(out, -1) {
		seen[m[1]] = m[2]
	}
	if seen["SET"] == "" || seen["GET"] == "" {
		t.Errorf("redis-benchmark did not complete both tests:\n%s", out)
	}
	t.Logf("redis-benchmark --cluster: SET %s rps, GET %s rps", seen["SET"], seen["GET"])
}

// testKill9Restart kills a node with kill -9 after writing keys it owns,
// restarts it on its directory and checks its node ID, the cluster's
// health and every key written so far.
func testKill9Restart(t *testing.T, c *testCluster) {
	const victim = 1
	v := c.nodes[victim]
	before, err := clusterSlotsRaw(c.nodes[0])
	if err != nil {
		t.Fatal(err)
	}
	kv := map[string]string{}
	conn := dial(t, v)
	for _, k := range c.keysOwnedBy("crash", victim, 300) {
		kv[k] = "crash-value-" + k
		expect(t, conn, "+OK\r\n", "SET", k, kv[k])
	}
	conn.Close()
	c.remember(kv)

	v.Kill9(t)
	v.Restart(t)
	id, err := myID(v.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if id != c.ids[victim] {
		t.Errorf("CLUSTER MYID after kill -9 and restart = %s, want %s (the ID must live in the node's dir)", id, c.ids[victim])
	}
	took, ok, why := waitUntil(30*time.Second, 200*time.Millisecond, func() (bool, string) {
		if ok, why, _ := clusterAgrees(c.nodes); !ok {
			return false, why
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		out, ok := clusterCheck(ctx, c.nodes[0])
		return ok, "redis-cli --cluster check:\n" + out
	})
	if !ok {
		t.Fatalf("cluster not healthy %v after the restart: %s", took, why)
	}
	t.Logf("cluster healthy again %v after the restart", took.Round(time.Millisecond))
	after, err := clusterSlotsRaw(c.nodes[0])
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Errorf("CLUSTER SLOTS changed across the restart: %s", firstDiff(before, after))
	}
	c.verifyOnOwners(t, c.written)
	ctx := testCtx(t, 30*time.Second)
	for _, k := range c.keysOwnedBy("crash", victim, 3) {
		if out := cli(t, ctx, "-c", "-p", strconv.Itoa(c.nodes[0].port), "GET", k); out != kv[k]+"\n" {
			t.Errorf("redis-cli -c GET %s via the first node: %q, want %q", k, out, kv[k]+"\n")
		}
	}
}
