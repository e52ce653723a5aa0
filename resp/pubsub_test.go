package resp

import (
	"bufio"
	"errors"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Pub/Sub tests. The expected frames were taken from redis-server 7.0.15.

// sub3 is a three-element RESP2 pubsub frame ending in an integer.
func sub3(word, name string, n int) string {
	return "*3\r\n" + bulk(word) + bulk(name) + ":" + strconv.Itoa(n) + "\r\n"
}

// msg is a RESP2 "message" frame.
func msg(word, ch, m string) string { return "*3\r\n" + bulk(word) + bulk(ch) + bulk(m) }

// pmsg is a RESP2 "pmessage" frame.
func pmsg(pat, ch, m string) string {
	return "*4\r\n" + bulk("pmessage") + bulk(pat) + bulk(ch) + bulk(m)
}

// resp3 turns a RESP2 pubsub frame into its RESP3 push.
func resp3(frame string) string { return ">" + frame[1:] }

// expectFrames reads len(want) frames and checks them in order.
func (c *testConn) expectFrames(what string, want ...string) {
	c.t.Helper()
	for i, w := range want {
		if got := c.read(); got != w {
			c.t.Errorf("%s: frame %d: got %q, want %q", what, i, got, w)
		}
	}
}

// waitUntil polls cond for up to 5 seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestPubSubSubscribeRESP2(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	c.send(encode("SUBSCRIBE", "a", "b", "a"))
	c.expectFrames("subscribe", sub3("subscribe", "a", 1), sub3("subscribe", "b", 2), sub3("subscribe", "a", 2))
	c.send(encode("PSUBSCRIBE", "p*"))
	c.expectFrames("psubscribe", sub3("psubscribe", "p*", 3))
	c.send(encode("SSUBSCRIBE", "s"))
	c.expectFrames("ssubscribe", sub3("ssubscribe", "s", 1))
	c.send(encode("UNSUBSCRIBE", "x"))
	c.expectFrames("unsubscribe x", sub3("unsubscribe", "x", 3))
	c.send(encode("UNSUBSCRIBE"))
	c.expectFrames("unsubscribe all", sub3("unsubscribe", "a", 2), sub3("unsubscribe", "b", 1))
	c.send(encode("UNSUBSCRIBE"))
	c.expectFrames("unsubscribe none", "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:1\r\n")
	c.send(encode("PUNSUBSCRIBE"))
	c.expectFrames("punsubscribe", sub3("punsubscribe", "p*", 0))
	// still subscribed to a shard channel: still in the subscribed context
	c.expect("*2\r\n$4\r\npong\r\n$0\r\n\r\n", "PING")
	c.send(encode("PUNSUBSCRIBE"))
	c.expectFrames("punsubscribe none", "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n")
	c.send(encode("SUNSUBSCRIBE"))
	c.expectFrames("sunsubscribe", sub3("sunsubscribe", "s", 0))
	c.send(encode("SUNSUBSCRIBE"))
	c.expectFrames("sunsubscribe none", "*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n")
	c.expect("+PONG\r\n", "PING")
	c.expect("$-1\r\n", "GET", "k")
	// arity
	for _, name := range []string{"subscribe", "psubscribe", "ssubscribe"} {
		c.expect("-ERR wrong number of arguments for '"+name+"' command\r\n", strings.ToUpper(name))
	}
	c.expect("-ERR wrong number of arguments for 'publish' command\r\n", "PUBLISH", "a")
	c.expect("-ERR wrong number of arguments for 'spublish' command\r\n", "SPUBLISH", "a")
	// a never-subscribed connection may unsubscribe
	d := dial(t, addr)
	d.expect("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n", "UNSUBSCRIBE")
	d.expect("+PONG\r\n", "PING")
}

func TestPubSubSubscribeRESP3(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	c.do("HELLO", "3")
	c.expect(resp3(sub3("subscribe", "a", 1)), "SUBSCRIBE", "a")
	c.expect(resp3(sub3("psubscribe", "a*", 2)), "PSUBSCRIBE", "a*")
	c.expect(resp3(sub3("ssubscribe", "a", 1)), "SSUBSCRIBE", "a")
	// any command is allowed in RESP3
	c.expect("_\r\n", "GET", "k")
	c.expect("+PONG\r\n", "PING")
	p := dial(t, addr)
	p.expect(":2\r\n", "PUBLISH", "a", "hello")
	c.expectFrames("delivery", resp3(msg("message", "a", "hello")), resp3(pmsg("a*", "a", "hello")))
	p.expect(":1\r\n", "SPUBLISH", "a", "sh")
	c.expectFrames("shard delivery", resp3(msg("smessage", "a", "sh")))
	// publishing to itself: the messages precede the reply
	c.send(encode("PUBLISH", "a", "self"))
	c.expectFrames("self", resp3(msg("message", "a", "self")), resp3(pmsg("a*", "a", "self")), ":2\r\n")
	c.expect(resp3(sub3("unsubscribe", "a", 1)), "UNSUBSCRIBE")
	c.expect(">3\r\n$11\r\nunsubscribe\r\n_\r\n:1\r\n", "UNSUBSCRIBE")
	c.expect(resp3(sub3("punsubscribe", "a*", 0)), "PUNSUBSCRIBE")
	c.expect(resp3(sub3("sunsubscribe", "a", 0)), "SUNSUBSCRIBE")
	c.expect(">3\r\n$12\r\nsunsubscribe\r\n_\r\n:0\r\n", "SUNSUBSCRIBE")
}

func TestPubSubDelivery(t *testing.T) {
	_, addr := startServer(t)
	s1, s2, s3, p := dial(t, addr), dial(t, addr), dial(t, addr), dial(t, addr)
	s1.send(encode("SUBSCRIBE", "news", "other"))
	s1.expectFrames("s1", sub3("subscribe", "news", 1), sub3("subscribe", "other", 2))
	s2.send(encode("PSUBSCRIBE", "n*", "*s"))
	s2.expectFrames("s2", sub3("psubscribe", "n*", 1), sub3("psubscribe", "*s", 2))
	s3.send(encode("SUBSCRIBE", "news"))
	s3.expectFrames("s3", sub3("subscribe", "news", 1))
	s3.send(encode("SSUBSCRIBE", "news"))
	s3.expectFrames("s3 shard", sub3("ssubscribe", "news", 1))

	p.expect(":4\r\n", "PUBLISH", "news", "hi")
	s1.expectFrames("s1", msg("message", "news", "hi"))
	got := []string{s2.read(), s2.read()}
	if !(got[0] == pmsg("n*", "news", "hi") && got[1] == pmsg("*s", "news", "hi") ||
		got[1] == pmsg("n*", "news", "hi") && got[0] == pmsg("*s", "news", "hi")) {
		t.Errorf("s2 got %q", got)
	}
	s3.expectFrames("s3", msg("message", "news", "hi"))
	// binary-safe payloads
	p.expect(":1\r\n", "PUBLISH", "other", "a\r\nb\x00")
	s1.expectFrames("s1 binary", msg("message", "other", "a\r\nb\x00"))
	p.expect(":0\r\n", "PUBLISH", "zzz", "x")
	p.expect(":1\r\n", "PUBLISH", "nx", "x") // n* only
	s2.expectFrames("s2 n*", pmsg("n*", "nx", "x"))
	// shard messages reach shard subscribers only, never patterns
	p.expect(":1\r\n", "SPUBLISH", "news", "sh")
	s3.expectFrames("s3 smessage", msg("smessage", "news", "sh"))
	// frames larger than the queue's chunks arrive intact
	var sb strings.Builder
	for i := 0; sb.Len() < 300<<10; i++ {
		sb.WriteString(strconv.Itoa(i))
	}
	big := sb.String()
	p.expect(":1\r\n", "PUBLISH", "other", big)
	s1.expectFrames("s1 big", msg("message", "other", big))
	// order from one publisher is kept
	for i := 0; i < 100; i++ {
		p.send(encode("PUBLISH", "other", strconv.Itoa(i)))
	}
	for i := 0; i < 100; i++ {
		if got := p.read(); got != ":1\r\n" {
			t.Fatalf("publish %d: %q", i, got)
		}
	}
	for i := 0; i < 100; i++ {
		s1.expectFrames("order", msg("message", "other", strconv.Itoa(i)))
	}
}

func TestPubSubSubscribedContext(t *testing.T) {
	_, addr := startServer(t, "requirepass", "pw")
	c := dial(t, addr)
	c.expect("+OK\r\n", "AUTH", "pw")
	c.send(encode("SUBSCRIBE", "a"))
	c.expectFrames("subscribe", sub3("subscribe", "a", 1))
	refuse := func(name string) string {
		return "-ERR Can't execute '" + name + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
	}
	c.expect(refuse("get"), "GET", "k")
	c.expect(refuse("client|list"), "CLIENT", "LIST")
	c.expect(refuse("multi"), "MULTI")
	c.expect(refuse("publish"), "PUBLISH", "a", "b")
	c.expect(refuse("hello"), "HELLO", "3")
	// lookup and arity errors come first
	c.expect("-ERR unknown command 'FOO', with args beginning with: \r\n", "FOO")
	c.expect("-ERR wrong number of arguments for 'get' command\r\n", "GET")
	c.expect("*2\r\n$4\r\npong\r\n$0\r\n\r\n", "PING")
	c.expect("*2\r\n$4\r\npong\r\n$1\r\nx\r\n", "PING", "x")
	c.expect("-ERR wrong number of arguments for 'ping' command\r\n", "PING", "x", "y")
	c.send(encode("PSUBSCRIBE", "b*"))
	c.expectFrames("psubscribe", sub3("psubscribe", "b*", 2))
	c.expect("+RESET\r\n", "RESET")
	c.expect("+OK\r\n", "AUTH", "pw")
	c.expect("+PONG\r\n", "PING") // not subscribed any more
	c.send(encode("SUBSCRIBE", "a"))
	c.expectFrames("subscribe", sub3("subscribe", "a", 1))
	c.expect("+OK\r\n", "QUIT")
	if _, err := c.r.ReadByte(); err != io.EOF {
		t.Errorf("after QUIT: %v, want EOF", err)
	}
}

func TestPubSubIntrospection(t *testing.T) {
	_, addr := startServer(t)
	s1, s2, s3, c := dial(t, addr), dial(t, addr), dial(t, addr), dial(t, addr)
	s1.send(encode("SUBSCRIBE", "a", "b"))
	s1.expectFrames("s1", sub3("subscribe", "a", 1), sub3("subscribe", "b", 2))
	s2.send(encode("SUBSCRIBE", "b"))
	s2.expectFrames("s2", sub3("subscribe", "b", 1))
	s2.send(encode("PSUBSCRIBE", "p*", "q*"))
	s2.expectFrames("s2", sub3("psubscribe", "p*", 2), sub3("psubscribe", "q*", 3))
	s3.send(encode("PSUBSCRIBE", "p*"))
	s3.expectFrames("s3", sub3("psubscribe", "p*", 1))
	s3.send(encode("SSUBSCRIBE", "sa", "sb"))
	s3.expectFrames("s3", sub3("ssubscribe", "sa", 1), sub3("ssubscribe", "sb", 2))

	c.expect("*2\r\n$1\r\na\r\n$1\r\nb\r\n", "PUBSUB", "CHANNELS")
	c.expect("*1\r\n$1\r\na\r\n", "PUBSUB", "CHANNELS", "a*")
	c.expect("*6\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n$1\r\nc\r\n:0\r\n", "PUBSUB", "NUMSUB", "a", "b", "c")
	c.expect("*0\r\n", "PUBSUB", "NUMSUB")
	c.expect(":2\r\n", "PUBSUB", "NUMPAT")
	c.expect("*2\r\n$2\r\nsa\r\n$2\r\nsb\r\n", "PUBSUB", "SHARDCHANNELS")
	c.expect("*0\r\n", "PUBSUB", "SHARDCHANNELS", "x")
	c.expect("*4\r\n$2\r\nsa\r\n:1\r\n$1\r\nx\r\n:0\r\n", "PUBSUB", "SHARDNUMSUB", "sa", "x")
	c.expect("*0\r\n", "PUBSUB", "SHARDNUMSUB")
	c.expect("*14\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"+
		"+CHANNELS [<pattern>]\r\n+    Return the currently active channels matching a <pattern> (default: '*').\r\n"+
		"+NUMPAT\r\n+    Return number of subscriptions to patterns.\r\n"+
		"+NUMSUB [<channel> ...]\r\n+    Return the number of subscribers for the specified channels, excluding\r\n"+
		"+    pattern subscriptions(default: no channels).\r\n"+
		"+SHARDCHANNELS [<pattern>]\r\n+    Return the currently active shard level channels matching a <pattern> (default: '*').\r\n"+
		"+SHARDNUMSUB [<shardchannel> ...]\r\n+    Return the number of subscribers for the specified shard level channel(s)\r\n"+
		"+HELP\r\n+    Prints this help.\r\n", "PUBSUB", "HELP")
	c.expect("-ERR wrong number of arguments for 'pubsub' command\r\n", "PUBSUB")
	c.expect("-ERR unknown subcommand 'FOO'. Try PUBSUB HELP.\r\n", "PUBSUB", "FOO")
	c.expect("-ERR wrong number of arguments for 'pubsub|numpat' command\r\n", "PUBSUB", "NUMPAT", "x")
	c.expect("-ERR wrong number of arguments for 'pubsub|help' command\r\n", "PUBSUB", "help", "x")
	c.expect("-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n", "PUBSUB", "CHANNELS", "a", "b")
	c.expect("-ERR unknown subcommand or wrong number of arguments for 'shardchannels'. Try PUBSUB HELP.\r\n", "pubsub", "shardchannels", "a", "b")
	c.expect(":2\r\n", "PUBLISH", "b", "m")
	c.expect(":2\r\n", "PUBLISH", "pa", "m")
	c.expect(":1\r\n", "SPUBLISH", "sa", "m")

	// CLIENT LIST: counts, the P flag, TYPE pubsub/normal
	list := c.do("CLIENT", "LIST")
	for _, want := range []string{
		"flags=P db=0 sub=2 psub=0 ssub=0 ",
		"flags=P db=0 sub=1 psub=2 ssub=0 ",
		"flags=P db=0 sub=0 psub=1 ssub=2 ",
		"flags=N db=0 sub=0 psub=0 ssub=0 ",
	} {
		if !strings.Contains(list, want) {
			t.Errorf("CLIENT LIST lacks %q:\n%s", want, list)
		}
	}
	if n := strings.Count(c.do("CLIENT", "LIST", "TYPE", "pubsub"), "flags=P"); n != 3 {
		t.Errorf("CLIENT LIST TYPE pubsub: %d clients", n)
	}
	if l := c.do("CLIENT", "LIST", "TYPE", "normal"); strings.Count(l, "id=") != 1 || strings.Contains(l, "flags=P") {
		t.Errorf("CLIENT LIST TYPE normal: %s", l)
	}
	info := c.do("INFO", "stats")
	for _, want := range []string{"pubsub_channels:2\r\n", "pubsub_patterns:2\r\n", "pubsubshard_channels:2\r\n"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO stats lacks %q", want)
		}
	}
	c.expect(":3\r\n", "CLIENT", "KILL", "TYPE", "pubsub")
	waitUntil(t, "pubsub clients gone", func() bool { return c.do("PUBSUB", "NUMPAT") == ":0\r\n" })
	c.expect("*0\r\n", "PUBSUB", "CHANNELS")
	c.expect("*0\r\n", "PUBSUB", "SHARDCHANNELS")
	info = c.do("INFO", "stats")
	for _, want := range []string{"pubsub_channels:0\r\n", "pubsub_patterns:0\r\n", "pubsubshard_channels:0\r\n"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO stats lacks %q", want)
		}
	}
}

func TestPubSubResetAndDisconnect(t *testing.T) {
	_, addr := startServer(t)
	p := dial(t, addr)
	c := dial(t, addr)
	c.send(encode("SUBSCRIBE", "a"))
	c.expectFrames("subscribe", sub3("subscribe", "a", 1))
	c.send(encode("PSUBSCRIBE", "a*"))
	c.expectFrames("psubscribe", sub3("psubscribe", "a*", 2))
	c.send(encode("SSUBSCRIBE", "a"))
	c.expectFrames("ssubscribe", sub3("ssubscribe", "a", 1))
	p.expect(":2\r\n", "PUBLISH", "a", "x")
	c.expectFrames("messages", msg("message", "a", "x"), pmsg("a*", "a", "x"))
	c.expect("+RESET\r\n", "RESET")
	p.expect(":0\r\n", "PUBLISH", "a", "x")
	p.expect(":0\r\n", "SPUBLISH", "a", "x")
	p.expect("*2\r\n$1\r\na\r\n:0\r\n", "PUBSUB", "NUMSUB", "a")
	p.expect(":0\r\n", "PUBSUB", "NUMPAT")
	if l := c.do("CLIENT", "INFO"); !strings.Contains(l, "flags=N db=0 sub=0 psub=0 ssub=0 ") {
		t.Errorf("after RESET: %s", l)
	}

	d := dial(t, addr)
	d.send(encode("SUBSCRIBE", "b"))
	d.expectFrames("subscribe", sub3("subscribe", "b", 1))
	d.send(encode("PSUBSCRIBE", "b*"))
	d.expectFrames("psubscribe", sub3("psubscribe", "b*", 2))
	p.expect(":2\r\n", "PUBLISH", "b", "x")
	d.nc.Close()
	waitUntil(t, "disconnect cleanup", func() bool { return p.do("PUBLISH", "b", "x") == ":0\r\n" })
	p.expect("*0\r\n", "PUBSUB", "CHANNELS")
}

func TestPubSubMulti(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	c.expect("+OK\r\n", "MULTI")
	c.expect("+QUEUED\r\n", "SUBSCRIBE", "a", "b")
	c.expect("+QUEUED\r\n", "GET", "k")
	c.expect("+QUEUED\r\n", "PSUBSCRIBE", "x")
	c.expect("+QUEUED\r\n", "PUBLISH", "a", "m")
	c.expect("+QUEUED\r\n", "PING")
	// the message lands inside EXEC's reply, as in Redis
	// (an extra frame for a five-element array).
	c.send(encode("EXEC"))
	got := c.read() + c.read() + c.read()
	if want := "*5\r\n" + sub3("subscribe", "a", 1) + sub3("subscribe", "b", 2) + "$-1\r\n" +
		sub3("psubscribe", "x", 3) + msg("message", "a", "m") + ":1\r\n" + "*2\r\n$4\r\npong\r\n$0\r\n\r\n"; got != want {
		t.Errorf("EXEC: got %q, want %q", got, want)
	}
	c.expect("-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n", "GET", "k")
	c.expect("+RESET\r\n", "RESET")

	c.expect("+OK\r\n", "MULTI")
	c.expect("+QUEUED\r\n", "SSUBSCRIBE", "a")
	c.expect("+QUEUED\r\n", "UNSUBSCRIBE")
	c.expect("*2\r\n-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n", "EXEC")
	c.expect("$-1\r\n", "GET", "k")

	c.do("HELLO", "3")
	c.expect("+OK\r\n", "MULTI")
	c.expect("+QUEUED\r\n", "SUBSCRIBE", "a")
	c.expect("+QUEUED\r\n", "PING")
	c.expect("*2\r\n"+resp3(sub3("subscribe", "a", 1))+"+PONG\r\n", "EXEC")
}

// TestPubSubReplyOff: confirmations and messages are pushes, sent even
// under CLIENT REPLY OFF.
func TestPubSubReplyOff(t *testing.T) {
	_, addr := startServer(t)
	c, p := dial(t, addr), dial(t, addr)
	c.send(encode("CLIENT", "REPLY", "OFF"))
	c.send(encode("UNSUBSCRIBE"))
	c.expectFrames("unsubscribe", "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n")
	c.send(encode("HELLO", "3"))
	c.send(encode("SUBSCRIBE", "c"))
	c.expectFrames("subscribe", resp3(sub3("subscribe", "c", 1)))
	p.expect(":1\r\n", "PUBLISH", "c", "m")
	c.expectFrames("message", resp3(msg("message", "c", "m")))
	c.send(encode("GET", "k"))
	c.send(encode("PUBLISH", "c", "self"))
	c.expectFrames("self", resp3(msg("message", "c", "self")))
	c.expect("+OK\r\n", "CLIENT", "REPLY", "ON")
	c.send(encode("CLIENT", "REPLY", "SKIP"))
	c.send(encode("UNSUBSCRIBE", "c"))
	c.expectFrames("unsubscribe", resp3(sub3("unsubscribe", "c", 0)))
	c.expect("+PONG\r\n", "PING")
}

// TestPubSubOrdering: a subscription's confirmation precedes its messages
// and nothing for a channel follows its unsubscription, while another
// connection publishes without pause; a RESP3 subscriber's pipelined
// replies and its own messages keep their order.
func TestPubSubOrdering(t *testing.T) {
	_, addr := startServer(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			errs <- err
			return
		}
		defer nc.Close()
		r := bufio.NewReader(nc)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := nc.Write(encode("PUBLISH", "ch", strconv.Itoa(i))); err != nil {
				errs <- err
				return
			}
			if _, err := readReply(r); err != nil {
				errs <- err
				return
			}
		}
	}()
	defer func() {
		close(stop)
		wg.Wait()
		select {
		case err := <-errs:
			t.Errorf("publisher: %v", err)
		default:
		}
	}()
	c := dial(t, addr)
	for round := 0; round < 30; round++ {
		c.send(encode("SUBSCRIBE", "ch"))
		c.expectFrames("subscribe", sub3("subscribe", "ch", 1))
		last := -1
		for i := 0; i < 3; i++ { // a few messages, in publishing order
			f := c.read()
			if !strings.HasPrefix(f, "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n") {
				t.Fatalf("round %d: got %q, want a message", round, f)
			}
			n, _ := strconv.Atoi(strings.Split(f, "\r\n")[6])
			if n <= last {
				t.Fatalf("round %d: message %d after %d", round, n, last)
			}
			last = n
		}
		c.send(encode("UNSUBSCRIBE", "ch"))
		for {
			f := c.read()
			if f == sub3("unsubscribe", "ch", 0) {
				break
			}
			if !strings.HasPrefix(f, "*3\r\n$7\r\nmessage\r\n") {
				t.Fatalf("round %d: got %q before the unsubscription", round, f)
			}
		}
		c.expect("+PONG\r\n", "PING") // no message after the confirmation
	}

	// RESP3: replies and the subscriber's own messages keep their order.
	d := dial(t, addr)
	d.do("HELLO", "3")
	d.expect(resp3(sub3("subscribe", "me", 1)), "SUBSCRIBE", "me")
	d.send([]byte(string(encode("SET", "k", "v")) + string(encode("PUBLISH", "me", "1")) +
		string(encode("GET", "k")) + string(encode("PUBLISH", "me", "2")) + string(encode("PING"))))
	d.expectFrames("pipeline", "+OK\r\n", resp3(msg("message", "me", "1")), ":1\r\n", bulk("v"),
		resp3(msg("message", "me", "2")), ":1\r\n", "+PONG\r\n")
	// large replies go through the queue intact
	big := strings.Repeat("abcdefghij", 50<<10)
	d.send([]byte(string(encode("SET", "big", big)) + string(encode("PUBLISH", "me", "3")) + string(encode("GET", "big"))))
	d.expectFrames("big", "+OK\r\n", resp3(msg("message", "me", "3")), ":1\r\n", bulk(big))
}

// TestPubSubSlowSubscriber: a subscriber that never reads is disconnected
// once its pending output reaches the 32 MB hard limit; the publisher never
// stalls and the server's memory stays bounded.
func TestPubSubSlowSubscriber(t *testing.T) {
	srv, addr := startServer(t)
	slow := dial(t, addr)
	slowID := slow.do("CLIENT", "ID")
	slow.send(encode("SUBSCRIBE", "ch"))
	slow.expectFrames("subscribe", sub3("subscribe", "ch", 1))
	fast := dial(t, addr)
	fastID := fast.do("CLIENT", "ID")
	fast.expect(sub3("subscribe", "ch", 1), "SUBSCRIBE", "ch")
	// fast reads everything it gets, in large reads, with no deadline
	_ = fast.nc.SetReadDeadline(time.Time{})
	fastDone := make(chan int64)
	go func() {
		var n int64
		buf := make([]byte, 1<<20)
		for {
			m, err := fast.nc.Read(buf)
			n += int64(m)
			if err != nil {
				if err != io.EOF {
					t.Errorf("fast subscriber: %v", err)
				}
				fastDone <- n
				return
			}
		}
	}()
	p := dial(t, addr)

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	peak := base

	payload := strings.Repeat("x", 64<<10)
	start := time.Now()
	published, dropped := 0, false
	for published < 160<<20 { // 160 MB: far more than the limit plus socket buffers
		got := p.do("PUBLISH", "ch", payload)
		published += len(payload)
		if got == ":1\r\n" {
			dropped = true // only the fast subscriber is left
			break
		}
		if got != ":2\r\n" {
			t.Fatalf("PUBLISH: %q", got)
		}
		if published%(4<<20) == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
		if time.Since(start) > 60*time.Second {
			t.Fatalf("publisher stalled: %d MB in %v", published>>20, time.Since(start))
		}
	}
	elapsed := time.Since(start)
	if !dropped {
		t.Fatalf("slow subscriber still subscribed after %d MB", published>>20)
	}
	t.Logf("slow subscriber dropped after %d MB published in %v; heap peak +%d MB", published>>20, elapsed, (peak-base)>>20)
	if published < 32<<20 {
		t.Errorf("dropped after only %d MB", published>>20)
	}
	if peak-base > 160<<20 {
		t.Errorf("heap grew by %d MB", (peak-base)>>20)
	}
	// the slow subscriber's connection is closed: it reads what the
	// kernel held, then EOF (or a reset)
	_ = slow.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := io.Copy(io.Discard, slow.nc)
	var ne net.Error
	if err != nil && errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("slow subscriber not disconnected: %v", err)
	}
	// the fast subscriber is the one left, and got every message
	if l := p.do("CLIENT", "LIST", "TYPE", "pubsub"); strings.Count(l, "id=") != 1 ||
		!strings.Contains(l, "id="+strings.Trim(fastID, ":\r\n")+" ") || strings.Contains(l, "id="+strings.Trim(slowID, ":\r\n")+" ") {
		t.Fatalf("pubsub clients left (slow %s, fast %s): %s", slowID, fastID, l)
	}
	// Closing its write side ends the connection once the server has sent
	// everything queued for it.
	fast.nc.(*net.TCPConn).CloseWrite()
	var n int64
	select {
	case n = <-fastDone:
	case <-time.After(30 * time.Second):
		t.Fatal("fast subscriber's connection not closed after its EOF")
	}
	waitUntil(t, "subscribers gone", func() bool { return srv.clientCount() == 1 })
	if want := int64(published/len(payload)) * int64(len(msg("message", "ch", payload))); n != want {
		t.Errorf("fast subscriber read %d bytes, want %d", n, want)
	}
	// the dropped queue's memory is released
	runtime.GC()
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc > base+16<<20 {
		t.Errorf("heap after the disconnect: +%d MB", int64(ms.HeapAlloc-base)>>20)
	}
}

// TestPubSubSoftLimit: staying above the soft limit for longer than its
// seconds disconnects a subscriber; a shorter excursion does not.
func TestPubSubSoftLimit(t *testing.T) {
	srv, addr := startServer(t)
	srv.pubsub.obuf.Store(&obufLimits{soft: 256 << 10, softFor: 500 * time.Millisecond})
	slow := dial(t, addr)
	slow.send(encode("SUBSCRIBE", "ch"))
	slow.expectFrames("subscribe", sub3("subscribe", "ch", 1))
	p := dial(t, addr)
	payload := strings.Repeat("y", 16<<10)
	omem := func() int64 {
		for _, line := range strings.Split(p.do("CLIENT", "LIST", "TYPE", "pubsub"), "\n") {
			if i := strings.Index(line, " omem="); i >= 0 {
				n, _ := strconv.ParseInt(strings.Fields(line[i+6:])[0], 10, 64)
				return n
			}
		}
		return -1
	}
	// Fill the socket buffers, then the queue past the soft limit: the
	// subscriber is not dropped at once.
	start := time.Now()
	for total := 0; omem() < 256<<10; total += len(payload) {
		if total > 128<<20 {
			t.Fatal("queue never reached the soft limit")
		}
		p.expect(":1\r\n", "PUBLISH", "ch", payload)
	}
	p.expect("*2\r\n$2\r\nch\r\n:1\r\n", "PUBSUB", "NUMSUB", "ch")
	// Keep it above (the kernel may still absorb some): dropped once over
	// for more than the soft seconds.
	for {
		got := p.do("PUBLISH", "ch", payload)
		if got == ":0\r\n" {
			break
		}
		if got != ":1\r\n" {
			t.Fatalf("PUBLISH: %q", got)
		}
		if time.Since(start) > 20*time.Second {
			t.Fatal("subscriber above the soft limit never dropped")
		}
		time.Sleep(time.Millisecond)
	}
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Errorf("dropped after %v, before the soft limit's time", d)
	}
}

// TestPubSubCloseWithStuckSubscriber: Server.Close does not wait on a
// subscriber that stopped reading.
func TestPubSubCloseWithStuckSubscriber(t *testing.T) {
	srv, addr := startServer(t)
	slow := dial(t, addr)
	slow.send(encode("SUBSCRIBE", "ch"))
	slow.expectFrames("subscribe", sub3("subscribe", "ch", 1))
	p := dial(t, addr)
	payload := strings.Repeat("z", 256<<10)
	for i := 0; i < 64; i++ { // 16 MB: below the hard limit, above the socket buffers
		p.expect(":1\r\n", "PUBLISH", "ch", payload)
	}
	start := time.Now()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v", d)
	}
}
