package integration

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestClusterScript drives scripts/cluster like a developer would: up 3 on
// a non-default port base with the state in a temporary CLUSTER_DIR,
// redis-cli -c writes and reads through every node, status, up again (a
// no-op), down (every node gone), up (the same nodes again, same IDs, same
// data), then clean. The redis subtest runs it with REDIS_SERVER=1, the
// kvnode one with KVNODE_BIN set to the binary TestMain built.
func TestClusterScript(t *testing.T) {
	for _, f := range clusterFlavours {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			testClusterScript(t, f)
		})
	}
}

// scriptEnv returns the environment for scripts/cluster: this process's,
// less the variables the script reads, plus env.
func scriptEnv(env ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "PORT", "CLUSTER_DIR", "KVNODE_BIN", "REDIS_SERVER", "CLUSTER_NODE_TIMEOUT":
			continue
		}
		out = append(out, kv)
	}
	return append(out, env...)
}

// pidGone reports whether pid no longer runs: no such process, or a zombie
// nobody reaped yet.
func pidGone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || strings.HasPrefix(s[i+1:], " Z")
}

// testClusterScript runs the scripts/cluster scenario on flavour f.
func testClusterScript(t *testing.T, f flavour) {
	script := filepath.Join(moduleRoot, "scripts", "cluster")
	state := filepath.Join(t.TempDir(), "cluster")
	base := freeClusterPorts(t, 3)
	env := scriptEnv("CLUSTER_DIR="+state, "PORT="+strconv.Itoa(base), "CLUSTER_NODE_TIMEOUT="+clusterNodeTimeout)
	if f.name == "kvnode" {
		env = append(env, "KVNODE_BIN="+kvnodeBin)
	} else {
		env = append(env, "REDIS_SERVER=1")
	}
	run := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, script, args...)
		cmd.WaitDelay = 5 * time.Second
		cmd.Env = env
		cmd.Dir = moduleRoot
		out, err := cmd.CombinedOutput()
		text := ansiEscape.ReplaceAllString(string(out), "")
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return text, err
	}
	nodePorts := []int{base, base + 1, base + 2}
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range nodePorts {
				for _, name := range []string{"node.log", "output.log"} {
					if b, err := os.ReadFile(filepath.Join(state, strconv.Itoa(p), name)); err == nil && len(b) > 0 {
						t.Logf("==> node %d %s (tail) <==\n%s", p, name, tail(b, 4<<10))
					}
				}
			}
		}
		if _, err := os.Stat(state); err == nil {
			if out, err := run("down"); err != nil {
				t.Errorf("cleanup: scripts/cluster down: %v\n%s", err, out)
			}
		}
	})

	out, err := run("up", "3")
	if err != nil {
		t.Fatalf("scripts/cluster up 3: %v\n%s", err, out)
	}
	if want := fmt.Sprintf("redis-cli -c -p %d", base); !strings.Contains(out, want) {
		t.Errorf("scripts/cluster up 3 does not say how to connect (%q):\n%s", want, out)
	}
	pids := make([]int, len(nodePorts))
	ids := make([]string, len(nodePorts))
	for i, p := range nodePorts {
		b, err := os.ReadFile(filepath.Join(state, strconv.Itoa(p), "pid"))
		if err != nil {
			t.Fatalf("no pid file for node %d: %v", p, err)
		}
		if pids[i], err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil || pidGone(pids[i]) {
			t.Fatalf("node %d: pid file %q: not a running process (%v)", p, b, err)
		}
		addr := fmt.Sprintf("127.0.0.1:%d", p)
		info, err := clusterInfo(addr)
		if err != nil {
			t.Fatal(err)
		}
		if st := infoField(info, "cluster_state"); st != "ok" {
			t.Errorf("node %d after up: cluster_state:%s", p, st)
		}
		if ids[i], err = myID(addr); err != nil {
			t.Fatal(err)
		}
	}

	// redis-cli -c: a write through every node, each read through every
	// other; keys foo, bar and hello live on three different nodes.
	ctx := testCtx(t, 60*time.Second)
	keys := []string{"foo", "bar", "hello"}
	for i, p := range nodePorts {
		for _, k := range keys {
			val := fmt.Sprintf("%s-via-%d", k, i)
			if got := cli(t, ctx, "-c", "-p", strconv.Itoa(p), "SET", k, val); got != "OK\n" {
				t.Errorf("redis-cli -c -p %d SET %s: %q", p, k, got)
			}
			for _, q := range nodePorts {
				if got := cli(t, ctx, "-c", "-p", strconv.Itoa(q), "GET", k); got != val+"\n" {
					t.Errorf("redis-cli -c -p %d GET %s: %q, want %q", q, k, got, val+"\n")
				}
			}
		}
	}

	out, err = run("status")
	if err != nil {
		t.Errorf("scripts/cluster status: %v\n%s", err, out)
	}
	for _, want := range append([]string{"cluster_state:ok", fmt.Sprintf("port %d: pid %d running", base, pids[0])}, clusterCheckOK...) {
		if !strings.Contains(out, want) {
			t.Errorf("scripts/cluster status: no %q in:\n%s", want, out)
		}
	}
	if out, err = run("up"); err != nil || !strings.Contains(out, "already running") {
		t.Errorf("scripts/cluster up on a running cluster: %v, want \"already running\" and exit 0:\n%s", err, out)
	}
	if out, err = run("up", "4"); err == nil || !strings.Contains(out, "cluster: error:") {
		t.Errorf("scripts/cluster up 4 over a 3-primary cluster: %v, want a clear error:\n%s", err, out)
	}

	if out, err = run("down"); err != nil {
		t.Fatalf("scripts/cluster down: %v\n%s", err, out)
	}
	for i, pid := range pids {
		if !pidGone(pid) {
			t.Errorf("node %d (pid %d) still runs after scripts/cluster down", nodePorts[i], pid)
		}
		if _, err := query(fmt.Sprintf("127.0.0.1:%d", nodePorts[i]), "PING"); err == nil {
			t.Errorf("node %d still answers after scripts/cluster down", nodePorts[i])
		}
	}
	if out, err = run("status"); err == nil {
		t.Errorf("scripts/cluster status with every node down: exit 0, want non-zero:\n%s", out)
	}

	// up again: the same nodes, with their IDs and data.
	if out, err = run("up"); err != nil {
		t.Fatalf("scripts/cluster up after down: %v\n%s", err, out)
	}
	for i, p := range nodePorts {
		if id, err := myID(fmt.Sprintf("127.0.0.1:%d", p)); err != nil || id != ids[i] {
			t.Errorf("node %d after down and up: CLUSTER MYID %s, %v; want %s", p, id, err, ids[i])
		}
	}
	for _, k := range keys {
		want := fmt.Sprintf("%s-via-%d\n", k, len(nodePorts)-1)
		if got := cli(t, ctx, "-c", "-p", strconv.Itoa(base), "GET", k); got != want {
			t.Errorf("after down and up: redis-cli -c GET %s: %q, want %q", k, got, want)
		}
	}

	if out, err = run("clean"); err != nil {
		t.Fatalf("scripts/cluster clean: %v\n%s", err, out)
	}
	if _, err := os.Stat(state); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("CLUSTER_DIR %s still there after clean (stat: %v)", state, err)
	}
	for _, p := range nodePorts {
		if _, err := query(fmt.Sprintf("127.0.0.1:%d", p), "PING"); err == nil {
			t.Errorf("node %d still answers after scripts/cluster clean", p)
		}
	}
}

// tail returns about the last n bytes of b, from a line start.
func tail(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	b = b[len(b)-n:]
	if i := strings.IndexByte(string(b), '\n'); i >= 0 {
		b = b[i+1:]
	}
	return string(b)
}
