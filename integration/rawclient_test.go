package integration

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/redcon"
)

// rawClient is a minimal RESP client: it sends commands as multibulk
// requests and returns every reply exactly as the server framed it, so
// replies can be compared byte for byte. It reads RESP2 and RESP3.
type rawClient struct {
	conn    net.Conn
	br      *bufio.Reader
	timeout time.Duration
}

// dialRaw connects to addr; timeout bounds the dial and every later
// request/reply.
func dialRaw(addr string, timeout time.Duration) (*rawClient, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	return &rawClient{conn: conn, br: bufio.NewReaderSize(conn, 64<<10), timeout: timeout}, nil
}

// Close closes the connection.
func (c *rawClient) Close() error { return c.conn.Close() }

// encodeCommand frames args as a RESP multibulk request.
func encodeCommand(args ...[]byte) []byte {
	n := 16
	for _, a := range args {
		n += len(a) + 16
	}
	b := redcon.AppendArray(make([]byte, 0, n), len(args))
	for _, a := range args {
		b = redcon.AppendBulk(b, a)
	}
	return b
}

// Write sends raw bytes.
func (c *rawClient) Write(b []byte) error {
	if err := c.conn.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
		return err
	}
	_, err := c.conn.Write(b)
	return err
}

// SendBytes sends one command without waiting for its reply.
func (c *rawClient) SendBytes(args ...[]byte) error { return c.Write(encodeCommand(args...)) }

// Read reads one complete reply and returns its raw bytes.
func (c *rawClient) Read() ([]byte, error) {
	if err := c.conn.SetReadDeadline(time.Now().Add(c.timeout)); err != nil {
		return nil, err
	}
	return readRaw(c.br, nil)
}

// DoBytes sends one command and reads its reply.
func (c *rawClient) DoBytes(args ...[]byte) ([]byte, error) {
	if err := c.SendBytes(args...); err != nil {
		return nil, err
	}
	return c.Read()
}

// Do sends one command given as strings and reads its reply.
func (c *rawClient) Do(args ...string) ([]byte, error) {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	return c.DoBytes(b...)
}

// ReadAll reads until the server closes the connection or the timeout
// passes, and returns everything read.
func (c *rawClient) ReadAll() ([]byte, error) {
	if err := c.conn.SetReadDeadline(time.Now().Add(c.timeout)); err != nil {
		return nil, err
	}
	return io.ReadAll(c.br)
}

// readLine reads one line and checks that it ends with CRLF.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadBytes('\n')
	if err != nil {
		if errors.Is(err, io.EOF) && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return line, err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return line, fmt.Errorf("reply line %q does not end with CRLF", line)
	}
	return line, nil
}

// readRaw reads one reply (with all its nested elements) and appends its
// bytes to out.
func readRaw(br *bufio.Reader, out []byte) ([]byte, error) {
	line, err := readLine(br)
	out = append(out, line...)
	if err != nil {
		return out, err
	}
	body := string(line[1 : len(line)-2])
	switch line[0] {
	case '+', '-', ':', ',', '#', '_', '(':
		return out, nil
	case '$', '!', '=':
		n, err := strconv.Atoi(body)
		if err != nil || n < -1 {
			return out, fmt.Errorf("bad bulk length in %q", line)
		}
		if n == -1 {
			return out, nil
		}
		start := len(out)
		out = append(out, make([]byte, n+2)...)
		if _, err := io.ReadFull(br, out[start:]); err != nil {
			return out, err
		}
		if out[len(out)-2] != '\r' || out[len(out)-1] != '\n' {
			return out, fmt.Errorf("bulk of %d bytes not followed by CRLF", n)
		}
		return out, nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(body)
		if err != nil || n < -1 {
			return out, fmt.Errorf("bad aggregate length in %q", line)
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if out, err = readRaw(br, out); err != nil {
				return out, err
			}
		}
		if line[0] == '|' { // an attribute precedes the reply it describes
			return readRaw(br, out)
		}
		return out, nil
	}
	return out, fmt.Errorf("unknown reply type in %q", line)
}

// reply is a parsed reply, for the comparisons that need structure.
type reply struct {
	kind  byte     // RESP type byte: + - : $ * % ~ , # _ ( = ! >
	str   string   // the payload of a scalar
	null  bool     // $-1, *-1 or _
	elems []*reply // aggregate elements; a map's keys and values alternate
}

// isErr reports whether a raw reply is an error.
func isErr(raw []byte) bool { return len(raw) > 0 && (raw[0] == '-' || raw[0] == '!') }

// quoteArgs renders a command like redis-cli would take it: each argument
// quoted when it needs to be.
func quoteArgs(args []string) string {
	parts := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \"'\\") || strconv.Quote(a) != `"`+a+`"` {
			parts[i] = strconv.Quote(a)
		} else {
			parts[i] = a
		}
	}
	return strings.Join(parts, " ")
}
