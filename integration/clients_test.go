package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Tests with the clients users run: go-redis v9, redis-cli, and the
// requirepass handshake.

// newGoRedis returns a go-redis client with default options (RESP3, so it
// starts every connection with HELLO 3) and bounded timeouts.
func newGoRedis(t testing.TB, p *proc, opt *redis.Options) *redis.Client {
	t.Helper()
	if opt == nil {
		opt = &redis.Options{}
	}
	opt.Addr = p.Addr()
	opt.DialTimeout = 5 * time.Second
	opt.ReadTimeout = ioTimeout
	opt.WriteTimeout = ioTimeout
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// testCtx returns a context that ends with the test or after d.
func testCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// TestGoRedis checks that go-redis v9 works against kvnode out of the box.
func TestGoRedis(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	ctx := testCtx(t, 30*time.Second)
	rdb := newGoRedis(t, n, nil)

	conn := rdb.Conn()
	hello, err := conn.Hello(ctx, 3, "", "", "").Result()
	conn.Close()
	if err != nil {
		t.Errorf("HELLO 3: %v", err)
	} else if hello["proto"] != int64(3) || hello["server"] != "redis" {
		t.Errorf("HELLO 3: proto=%#v server=%#v, want 3 and \"redis\" (reply %v)", hello["proto"], hello["server"], hello)
	}

	if err := rdb.Set(ctx, "greeting", "hello", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	if v, err := rdb.Get(ctx, "greeting").Result(); err != nil || v != "hello" {
		t.Errorf("GET greeting = %q, %v; want \"hello\"", v, err)
	}
	if _, err := rdb.Get(ctx, "missing").Result(); !errors.Is(err, redis.Nil) {
		t.Errorf("GET missing: err = %v, want redis.Nil", err)
	}
	for i, want := range []int64{1, 2, 3} {
		if v, err := rdb.Incr(ctx, "counter").Result(); err != nil || v != want {
			t.Errorf("INCR #%d = %d, %v; want %d", i+1, v, err, want)
		}
	}
	if v, err := rdb.IncrBy(ctx, "counter", -10).Result(); err != nil || v != -7 {
		t.Errorf("INCRBY counter -10 = %d, %v; want -7", v, err)
	}
	if err := rdb.Incr(ctx, "greeting").Err(); err == nil || err.Error() != "ERR value is not an integer or out of range" {
		t.Errorf("INCR on a word: err = %v, want the not-an-integer error", err)
	}
	if ok, err := rdb.Expire(ctx, "greeting", 100*time.Second).Result(); err != nil || !ok {
		t.Errorf("EXPIRE greeting 100 = %v, %v; want true", ok, err)
	}
	if ttl, err := rdb.TTL(ctx, "greeting").Result(); err != nil || ttl < 98*time.Second || ttl > 100*time.Second {
		t.Errorf("TTL greeting = %v, %v; want 98s..100s", ttl, err)
	}
	if ttl, err := rdb.TTL(ctx, "counter").Result(); err != nil || ttl != -1 {
		t.Errorf("TTL counter = %v, %v; want -1 (no expiry)", ttl, err)
	}
	if ttl, err := rdb.TTL(ctx, "missing").Result(); err != nil || ttl != -2 {
		t.Errorf("TTL missing = %v, %v; want -2 (no key)", ttl, err)
	}
	if err := rdb.MSet(ctx, "a", "1", "b", "2").Err(); err != nil {
		t.Errorf("MSET: %v", err)
	}
	vals, err := rdb.MGet(ctx, "a", "missing", "b").Result()
	if err != nil || len(vals) != 3 || vals[0] != "1" || vals[1] != nil || vals[2] != "2" {
		t.Errorf("MGET a missing b = %#v, %v; want [\"1\" nil \"2\"]", vals, err)
	}
	if v, err := rdb.Exists(ctx, "a", "b", "missing", "a").Result(); err != nil || v != 3 {
		t.Errorf("EXISTS a b missing a = %d, %v; want 3", v, err)
	}
	if v, err := rdb.Del(ctx, "a", "missing", "b").Result(); err != nil || v != 2 {
		t.Errorf("DEL a missing b = %d, %v; want 2", v, err)
	}
	if v, err := rdb.Exists(ctx, "a", "b").Result(); err != nil || v != 0 {
		t.Errorf("EXISTS after DEL = %d, %v; want 0", v, err)
	}
	pipe := rdb.Pipeline()
	for i := 0; i < 100; i++ {
		pipe.Set(ctx, fmt.Sprintf("p%d", i), i, 0)
	}
	get := pipe.Get(ctx, "p42")
	if _, err := pipe.Exec(ctx); err != nil || get.Val() != "42" {
		t.Errorf("pipeline of 100 SETs then GET p42 = %q, %v; want \"42\"", get.Val(), err)
	}
}

// TestAtomicIncr runs 50 go-redis clients doing 200 INCRs each on one key:
// every reply must be distinct and the key must end at exactly 10000.
func TestAtomicIncr(t *testing.T) {
	t.Parallel()
	const clients, each = 50, 200
	n := startNode(t)
	ctx := testCtx(t, 60*time.Second)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = make(map[int64]int, clients*each)
		errs []error
	)
	for i := 0; i < clients; i++ {
		rdb := newGoRedis(t, n, &redis.Options{PoolSize: 1})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each; j++ {
				v, err := rdb.Incr(ctx, "hits").Result()
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					seen[v]++
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d INCRs failed, first: %v", len(errs), errs[0])
	}
	for v := int64(1); v <= clients*each; v++ {
		if seen[v] != 1 {
			t.Errorf("INCR reply %d seen %d times, want once", v, seen[v])
			break
		}
	}
	rdb := newGoRedis(t, n, nil)
	if v, err := rdb.Get(ctx, "hits").Result(); err != nil || v != "10000" {
		t.Errorf("GET hits = %q, %v; want \"10000\"", v, err)
	}
}

// cliRun runs redis-cli against p with args and returns its output.
func cliRun(t testing.TB, p *proc, stdin []byte, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Fatal("redis-cli is not installed (scripts/test installs it): ", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	full := append([]string{"-h", "127.0.0.1", "-p", fmt.Sprint(p.port)}, args...)
	cmd := exec.CommandContext(ctx, bin, full...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Errorf("redis-cli %s against %s: %v; stderr: %s", strings.Join(args, " "), p.name, err, stderr.String())
	}
	return string(out)
}

// TestRedisCLI runs redis-cli as a process, the way a user types commands,
// against kvnode and against redis-server, and checks both outputs.
func TestRedisCLI(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	r := startRedis(t)
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"set", "foo", "bar"}, "OK\n"},
		{[]string{"get", "foo"}, "bar\n"},
		{[]string{"get", "nosuch"}, "\n"},
		{[]string{"--no-raw", "get", "foo"}, "\"bar\"\n"},
		{[]string{"--no-raw", "get", "nosuch"}, "(nil)\n"},
		{[]string{"append", "foo", "baz"}, "6\n"},
		{[]string{"strlen", "foo"}, "6\n"},
		{[]string{"incr", "n"}, "1\n"},
		{[]string{"incrby", "n", "41"}, "42\n"},
		{[]string{"--no-raw", "incr", "n"}, "(integer) 43\n"},
		{[]string{"incr", "foo"}, "ERR value is not an integer or out of range\n\n"},
		{[]string{"--no-raw", "incr", "foo"}, "(error) ERR value is not an integer or out of range\n"},
		{[]string{"mset", "a", "1", "b", "2"}, "OK\n"},
		{[]string{"mget", "a", "nosuch", "b"}, "1\n\n2\n"},
		{[]string{"--no-raw", "mget", "a", "nosuch"}, "1) \"1\"\n2) (nil)\n"},
		{[]string{"type", "foo"}, "string\n"},
		{[]string{"exists", "foo", "nosuch", "a"}, "2\n"},
		{[]string{"expire", "foo", "1000"}, "1\n"},
		{[]string{"persist", "foo"}, "1\n"},
		{[]string{"ttl", "foo"}, "-1\n"},
		{[]string{"del", "a", "b", "nosuch"}, "2\n"},
		{[]string{"-3", "get", "nosuch"}, "\n"},
		{[]string{"-3", "--no-raw", "get", "foo"}, "\"barbaz\"\n"},
		{[]string{"ping"}, "PONG\n"},
		{[]string{"echo", "hello world"}, "hello world\n"},
	}
	for _, p := range []*proc{n, r} {
		for _, s := range steps {
			if got := cliRun(t, p, nil, s.args...); got != s.want {
				t.Errorf("%s: redis-cli %s = %q, want %q", p.name, quoteArgs(s.args), got, s.want)
			}
		}
		// Commands on standard input, one a line.
		if got, want := cliRun(t, p, []byte("SET s 1\nGET s\nINCR s\n")), "OK\n1\n2\n"; got != want {
			t.Errorf("%s: redis-cli with commands on stdin = %q, want %q", p.name, got, want)
		}
		// Mass insertion: redis-cli --pipe with 1000 raw SETs.
		var buf bytes.Buffer
		for i := 0; i < 1000; i++ {
			buf.Write(encodeCommand([]byte("SET"), []byte(fmt.Sprintf("pipe:%d", i)), []byte(fmt.Sprint(i))))
		}
		out := cliRun(t, p, buf.Bytes(), "--pipe")
		if !strings.Contains(out, "errors: 0, replies: 1000") {
			t.Errorf("%s: redis-cli --pipe output %q, want it to report errors: 0, replies: 1000", p.name, out)
		}
		if got := cliRun(t, p, nil, "get", "pipe:999"); got != "999\n" {
			t.Errorf("%s: after --pipe, get pipe:999 = %q, want \"999\\n\"", p.name, got)
		}
	}
}

// TestRequirePass checks the --requirepass handshake on kvnode, and the
// same expectations on a redis-server with the same password.
func TestRequirePass(t *testing.T) {
	t.Parallel()
	const pw = "s3cret pw"
	n := startNode(t, "--requirepass", pw)
	r := startRedis(t, "--requirepass", pw)
	const (
		noauth    = "-NOAUTH Authentication required.\r\n"
		wrongpass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
	)
	for _, p := range []*proc{n, r} {
		t.Run(p.name, func(t *testing.T) {
			c := dial(t, p)
			expect(t, c, noauth, "GET", "k")
			expect(t, c, noauth, "SET", "k", "v")
			expect(t, c, noauth, "PING")
			expect(t, c, wrongpass, "AUTH", "nope")
			expect(t, c, wrongpass, "AUTH", "default", "nope")
			expect(t, c, wrongpass, "AUTH", "someone", pw)
			expect(t, c, noauth, "GET", "k")
			expect(t, c, "+OK\r\n", "AUTH", pw)
			expect(t, c, "$-1\r\n", "GET", "k")
			expect(t, c, "+OK\r\n", "SET", "k", "v")
			expect(t, c, "$1\r\nv\r\n", "GET", "k")

			c2 := dial(t, p)
			expect(t, c2, "+OK\r\n", "AUTH", "default", pw)
			expect(t, c2, "$1\r\nv\r\n", "GET", "k")

			c3 := dial(t, p)
			expect(t, c3, wrongpass, "HELLO", "3", "AUTH", "default", "nope")
			expect(t, c3, noauth, "GET", "k")
			if got := do(t, c3, "HELLO", "3", "AUTH", "default", pw); !strings.HasPrefix(got, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n") {
				t.Errorf("HELLO 3 AUTH default <pw> = %q, want a 7-entry map starting with server: redis", got)
			}
			expect(t, c3, "$1\r\nv\r\n", "GET", "k")
			expect(t, c3, "_\r\n", "GET", "missing")

			// Before AUTH, Redis refuses big requests.
			c4 := dial(t, p)
			if err := c4.Write([]byte("*11\r\n")); err != nil {
				t.Fatal(err)
			}
			if got, err := c4.ReadAll(); string(got) != "-ERR Protocol error: unauthenticated multibulk length\r\n" {
				t.Errorf("11 arguments before AUTH: got %q (%v), want the unauthenticated multibulk length error", got, err)
			}

			ctx := testCtx(t, 20*time.Second)
			rdb := newGoRedis(t, p, &redis.Options{Password: pw})
			if v, err := rdb.Get(ctx, "k").Result(); err != nil || v != "v" {
				t.Errorf("go-redis with Password: GET k = %q, %v; want \"v\"", v, err)
			}
			bad := newGoRedis(t, p, &redis.Options{Password: "nope", MaxRetries: -1})
			if err := bad.Get(ctx, "k").Err(); err == nil || !strings.Contains(err.Error(), "WRONGPASS") {
				t.Errorf("go-redis with a wrong password: err = %v, want WRONGPASS", err)
			}
		})
	}
}
