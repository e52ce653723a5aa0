package resp

import "testing"

func TestPingEchoSelect(t *testing.T) {
	_, addr := startServer(t)
	c := dial(t, addr)
	c.expect("+PONG\r\n", "PING")
	c.expect(bulk("hi"), "ping", "hi")
	c.expect("-ERR wrong number of arguments for 'ping' command\r\n", "PING", "a", "b")
	c.expect(bulk("x y"), "ECHO", "x y")
	c.expect("+OK\r\n", "SELECT", "0")
	c.expect("-ERR DB index is out of range\r\n", "SELECT", "1")
	c.expect("-ERR value is not an integer or out of range\r\n", "SELECT", "x")
	c.expect("-ERR unknown command 'FOO', with args beginning with: 'a' \r\n", "FOO", "a")
	c.expect("-ERR wrong number of arguments for 'get' command\r\n", "GET")
}
