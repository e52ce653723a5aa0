package integration

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRedisBenchmarkDefaultTests runs redis-benchmark's whole default test
// list against a kvnode: every test must complete, with no error reply.
func TestRedisBenchmarkDefaultTests(t *testing.T) {
	n := startNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "redis-benchmark", "-h", "127.0.0.1", "-p", strconv.Itoa(n.port),
		"-q", "--csv", "-n", "2000", "-c", "10")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("redis-benchmark: %v\n%s", err, out)
	}
	text := string(out)
	if strings.Contains(text, "ERR") || strings.Contains(text, "WRONGTYPE") || strings.Contains(text, "error") {
		t.Fatalf("redis-benchmark saw errors:\n%s", text)
	}
	// The default list (redis-benchmark 7.0): every test name must report.
	for _, test := range []string{
		"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP",
		"SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN", "LRANGE_100", "LRANGE_300", "LRANGE_500",
		"LRANGE_600", "MSET",
	} {
		if !strings.Contains(text, "\""+test) {
			t.Errorf("redis-benchmark did not report %s:\n%s", test, text)
		}
	}
}
