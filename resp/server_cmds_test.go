package resp

import (
	"strings"
	"testing"
	"time"
)

func TestHello(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	c.expect("-NOPROTO unsupported protocol version\r\n", "HELLO", "4")
	c.expect("-ERR Protocol version is not an integer or out of range\r\n", "HELLO", "x")
	c.expect("-ERR Syntax error in HELLO option 'foo'\r\n", "HELLO", "3", "foo")
	c.expect("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", "HELLO", "3", "SETNAME", "a b")
	got := c.do("HELLO", "3", "SETNAME", "me")
	want := "%7\r\n" + bulk("server") + bulk("redis") + bulk("version") + bulk(Version) +
		bulk("proto") + ":3\r\n" + bulk("id") + ":1\r\n" + bulk("mode") + bulk("standalone") +
		bulk("role") + bulk("master") + bulk("modules") + "*0\r\n"
	if got != want {
		t.Fatalf("HELLO 3 = %q, want %q", got, want)
	}
	// RESP3 framing now: null, double-free map from CONFIG GET.
	c.expect("_\r\n", "GET", "missing")
	c.expect(bulk("me"), "CLIENT", "GETNAME")
	c.expect("%1\r\n"+bulk("maxclients")+bulk("10000")+"", "CONFIG", "GET", "maxclients")
	c.expect("+RESET\r\n", "RESET")
	c.expect("$-1\r\n", "GET", "missing")
	c.expect("$-1\r\n", "CLIENT", "GETNAME")
}

func TestRequirePass(t *testing.T) {
	_, addr := startServer(t, "requirepass", "s3cret")
	c := dial(t, addr)
	c.expect("-NOAUTH Authentication required.\r\n", "GET", "a")
	c.expect("-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n", "HELLO", "3")
	c.expect("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "nope")
	c.expect("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "HELLO", "3", "AUTH", "default", "nope")
	if got := c.do("HELLO", "2", "AUTH", "default", "s3cret"); !strings.HasPrefix(got, "*14\r\n") {
		t.Fatalf("HELLO 2 AUTH = %q", got)
	}
	c.expect("$-1\r\n", "GET", "a")
	c.expect("+RESET\r\n", "RESET")
	c.expect("-NOAUTH Authentication required.\r\n", "GET", "a")
	c.expect("+OK\r\n", "AUTH", "default", "s3cret")
	c.expect("$-1\r\n", "GET", "a")
}

func TestClientReply(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	// OFF answers nothing until ON; SKIP drops exactly the next reply.
	c.send(encode("CLIENT", "REPLY", "OFF"))
	c.send(encode("SET", "a", "1"))
	c.expect("+OK\r\n", "CLIENT", "REPLY", "ON")
	c.send(encode("CLIENT", "REPLY", "SKIP"))
	c.send(encode("GET", "a"))
	c.expect(bulk("1"), "GET", "a")
	c.expect("-ERR syntax error\r\n", "CLIENT", "REPLY", "maybe")
}

func TestClientCommands(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	other := dial(t, addr)
	other.expect("+PONG\r\n", "PING")
	c.expect(":1\r\n", "CLIENT", "ID")
	c.expect("$-1\r\n", "CLIENT", "GETNAME")
	c.expect("+OK\r\n", "CLIENT", "SETNAME", "worker")
	c.expect(bulk("worker"), "CLIENT", "GETNAME")
	c.expect("+OK\r\n", "CLIENT", "SETINFO", "LIB-NAME", "go-redis")
	c.expect("-ERR Unrecognized option 'foo'\r\n", "CLIENT", "SETINFO", "foo", "x")
	c.expect("-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n", "CLIENT", "SETINFO", "lib-ver", "1 2")
	info := c.do("CLIENT", "INFO")
	for _, f := range []string{"id=1 ", " name=worker ", " cmd=client|info ", " resp=2 ", " lib-name=go-redis "} {
		if !strings.Contains(info, f) {
			t.Errorf("CLIENT INFO %q lacks %q", info, f)
		}
	}
	list := c.do("CLIENT", "LIST")
	if strings.Count(list, "id=") != 2 {
		t.Errorf("CLIENT LIST = %q, want two clients", list)
	}
	c.expect("-ERR Unknown client type 'foo'\r\n", "CLIENT", "LIST", "TYPE", "foo")
	c.expect("-ERR syntax error\r\n", "CLIENT", "KILL", "ID", "2", "SKIPME")
	c.expect("-ERR No such client\r\n", "CLIENT", "KILL", "1.1.1.1:1")
	c.expect(":0\r\n", "CLIENT", "KILL", "ID", "99")
	c.expect(":1\r\n", "CLIENT", "KILL", "ID", "2")
	other.send(encode("PING"))
	_ = other.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := readReply(other.r); err == nil {
		t.Error("killed client still answered")
	}
	c.expect("-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n", "CLIENT", "foo")
	c.expect("-ERR wrong number of arguments for 'client' command\r\n", "CLIENT")
	c.expect("-ERR syntax error\r\n", "CLIENT", "NO-EVICT", "maybe")
	c.expect("+OK\r\n", "CLIENT", "NO-EVICT", "on")
}

func TestConfigCommands(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	c.expect("*2\r\n"+bulk("maxclients")+bulk("10000"), "CONFIG", "GET", "maxclients")
	c.expect("*0\r\n", "CONFIG", "GET", "nosuch")
	c.expect("-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n", "CONFIG", "SET", "foo", "bar")
	c.expect("-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer\r\n", "CONFIG", "SET", "maxclients", "x")
	c.expect("-ERR CONFIG SET failed (possibly related to argument 'maxclients') - duplicate parameter\r\n", "CONFIG", "SET", "maxclients", "1", "maxclients", "2")
	c.expect("-ERR wrong number of arguments for 'config|set' command\r\n", "CONFIG", "SET", "port")
	c.expect("-ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config\r\n", "CONFIG", "SET", "port", "1")
	// All or nothing: the bad second pair leaves the first unchanged.
	c.expect("-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer\r\n", "CONFIG", "SET", "slowlog-max-len", "7", "maxclients", "x")
	c.expect("*2\r\n"+bulk("slowlog-max-len")+bulk("128"), "CONFIG", "GET", "slowlog-max-len")
	c.expect("+OK\r\n", "CONFIG", "SET", "slowlog-max-len", "7", "maxclients", "50")
	c.expect("*2\r\n"+bulk("MAXCLIENTS")+bulk("50"), "CONFIG", "GET", "MAXCLIENTS")
	c.expect("-ERR The server is running without a config file\r\n", "CONFIG", "REWRITE")
	c.expect("+OK\r\n", "CONFIG", "RESETSTAT")
}

func TestCommandCommand(t *testing.T) {
	srv, addr := startServer(t)
	c := dial(t, addr)
	c.expect(":"+itoa(int64(len(srv.table.All())))+"\r\n", "COMMAND", "COUNT")
	c.expect("*2\r\n"+bulk("a")+bulk("c"), "COMMAND", "GETKEYS", "MSET", "a", "b", "c", "d")
	c.expect("-ERR Invalid command specified\r\n", "COMMAND", "GETKEYS", "nosuch", "a")
	c.expect("-ERR The command has no key arguments\r\n", "COMMAND", "GETKEYS", "PING", "x")
	c.expect("-ERR Invalid number of arguments specified for command\r\n", "COMMAND", "GETKEYS", "SET", "a")
	c.expect("-ERR wrong number of arguments for 'command|getkeys' command\r\n", "COMMAND", "GETKEYS", "GET")
	c.expect("*1\r\n"+bulk("k"), "COMMAND", "GETKEYS", "MEMORY", "USAGE", "k")
	got := c.do("COMMAND", "INFO", "get", "nosuch")
	want := "*2\r\n*10\r\n" + bulk("get") + ":2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n" +
		"*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n" + bulk("flags") + "*2\r\n+RO\r\n+access\r\n" +
		bulk("begin_search") + "*4\r\n" + bulk("type") + bulk("index") + bulk("spec") + "*2\r\n" + bulk("index") + ":1\r\n" +
		bulk("find_keys") + "*4\r\n" + bulk("type") + bulk("range") + bulk("spec") + "*6\r\n" +
		bulk("lastkey") + ":0\r\n" + bulk("keystep") + ":1\r\n" + bulk("limit") + ":0\r\n" + "*0\r\n*-1\r\n"
	if got != want {
		t.Errorf("COMMAND INFO get:\n got %q\nwant %q", got, want)
	}
	all := c.do("COMMAND")
	if !strings.HasPrefix(all, "*"+itoa(int64(len(srv.table.All())))+"\r\n") {
		t.Errorf("COMMAND header wrong: %q", all[:20])
	}
	if l := c.do("COMMAND", "LIST", "FILTERBY", "PATTERN", "config|*"); !strings.Contains(l, bulk("config|get")) {
		t.Errorf("COMMAND LIST pattern = %q", l)
	}
}

func TestInfo(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	c.expect("+OK\r\n", "SET", "a", "1")
	c.expect(":1\r\n", "EXPIRE", "a", "100")
	c.expect("+OK\r\n", "SET", "b", "1")
	c.do("GET", "nosuch")
	c.do("FOO")
	info := c.do("INFO")
	for _, f := range []string{
		"# Server\r\nredis_version:7.0.15\r\n", "redis_mode:standalone\r\n", "\r\n\r\n# Clients\r\nconnected_clients:1\r\n",
		"# Memory\r\nused_memory:", "# Persistence\r\nloading:0\r\n", "# Stats\r\n", "keyspace_misses:1\r\n",
		"errorstat_ERR:count=1\r\n", "# Replication\r\nrole:master\r\n", "# CPU\r\nused_cpu_sys:",
		"# Cluster\r\ncluster_enabled:0\r\n", "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=",
	} {
		if !strings.Contains(info, f) {
			t.Errorf("INFO lacks %q", f)
		}
	}
	ks := c.do("INFO", "keyspace")
	if !strings.HasPrefix(ks, "$") || !strings.Contains(ks, "\r\n# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=") || strings.Contains(ks, "# Server") {
		t.Errorf("INFO keyspace = %q", ks)
	}
	c.expect("+OK\r\n", "FLUSHALL")
	c.expect(bulk("# Keyspace\r\n"), "INFO", "KEYSPACE")
	c.do("HELLO", "3")
	c.expect("=16\r\ntxt:# Keyspace\r\n\r\n", "INFO", "keyspace")
}

func TestSlowlogAndAdmin(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	c.expect("+OK\r\n", "CONFIG", "SET", "slowlog-log-slower-than", "0")
	c.expect("+OK\r\n", "SET", "k", "v")
	got := c.do("SLOWLOG", "GET", "1")
	if !strings.HasPrefix(got, "*1\r\n*6\r\n:1\r\n") || !strings.Contains(got, "*3\r\n"+bulk("SET")+bulk("k")+bulk("v")) {
		t.Errorf("SLOWLOG GET 1 = %q", got)
	}
	c.expect("-ERR count should be greater than or equal to -1\r\n", "SLOWLOG", "GET", "-2")
	c.expect("+OK\r\n", "SLOWLOG", "RESET")
	c.expect(":1\r\n", "SLOWLOG", "LEN") // the RESET itself is logged
	c.expect("$-1\r\n", "MEMORY", "USAGE", "nokey")
	if got := c.do("MEMORY", "USAGE", "k"); !strings.HasPrefix(got, ":") || got == ":0\r\n" {
		t.Errorf("MEMORY USAGE k = %q", got)
	}
	c.expect("-ERR syntax error\r\n", "MEMORY", "USAGE", "k", "foo")
	c.expect("-ERR unknown subcommand 'foo'. Try MEMORY HELP.\r\n", "MEMORY", "foo")
	c.expect(":0\r\n", "WAIT", "0", "0")
	c.expect("-ERR timeout is negative\r\n", "WAIT", "0", "-1")
	start := time.Now()
	c.expect(":0\r\n", "WAIT", "1", "50")
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("WAIT 1 50 returned after %v", d)
	}
	c.expect("+OK\r\n", "SAVE")
	if got := c.do("LASTSAVE"); !strings.HasPrefix(got, ":") {
		t.Errorf("LASTSAVE = %q", got)
	}
	c.expect("+Background saving started\r\n", "BGSAVE")
	c.expect("-ERR syntax error\r\n", "BGSAVE", "foo")
	c.expect("-ERR No shutdown in progress.\r\n", "SHUTDOWN", "ABORT")
	c.expect("-ERR syntax error\r\n", "SHUTDOWN", "SAVE", "NOSAVE")
	c.expect("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", "SHUTDOWN")
}
