package resp

import (
	"bytes"
	"errors"
	"io"
)

// The request reader. redcon v1.6.2's reader panics on an overflowing bulk
// length and has no size limits (shared/notes/dependencies.md §4), so every
// client connection is parsed here, following Redis' own rules
// (processMultibulkBuffer / processInlineBuffer) and limits.

const (
	inlineMax     = 64 << 10  // PROTO_INLINE_MAX_SIZE
	multibulkMax  = 1<<31 - 1 // most arguments in one request (INT_MAX, as Redis 7)
	bigArg        = 32 << 10  // bulk size from which args are read in chunks
	readChunk     = 16 << 10  // socket read size
	unauthedMulti = 10        // argument count allowed before AUTH
	unauthedBulk  = 16 << 10  // bulk size allowed before AUTH
	maxReadBuffer = 256 << 10 // largest buffered partial request header area
)

// protocolError is a malformed request: the text is sent as an error reply
// and the connection is closed, as Redis does.
type protocolError struct{ msg string }

func (e *protocolError) Error() string { return e.msg }

func protoErr(msg string) error { return &protocolError{"ERR Protocol error: " + msg} }

// reader parses requests from one connection.
type reader struct {
	rd   io.Reader
	buf  []byte
	r, w int
	// reads counts the reads that brought data.
	reads uint64
	// maxBulk is proto-max-bulk-len; authed reports whether the client has
	// authenticated (tighter limits apply before).
	maxBulk func() int64
	authed  func() bool
	// beforeBlock is called before a read that may block, so replies to
	// the commands read so far are flushed first (pipelining).
	beforeBlock func() error
}

func newReader(rd io.Reader) *reader {
	return &reader{rd: rd, buf: make([]byte, readChunk)}
}

// buffered returns how many unread bytes are buffered.
func (p *reader) buffered() int { return p.w - p.r }

// fill reads more bytes from the socket, compacting or growing the buffer.
func (p *reader) fill() error {
	if p.beforeBlock != nil {
		if err := p.beforeBlock(); err != nil {
			return err
		}
	}
	if p.r > 0 {
		n := copy(p.buf, p.buf[p.r:p.w])
		p.r, p.w = 0, n
	}
	return p.readMore()
}

// line returns the next line (without its line end) once a '\n' is
// buffered; when more than limit bytes are buffered without one it fails
// with tooBig.
func (p *reader) line(limit int, tooBig string) ([]byte, error) {
	for {
		if i := bytes.IndexByte(p.buf[p.r:p.w], '\n'); i >= 0 {
			ln := trimCR(p.buf[p.r : p.r+i])
			p.r += i + 1
			return ln, nil
		}
		if p.w-p.r > limit {
			return nil, protoErr(tooBig)
		}
		if err := p.fill(); err != nil {
			return nil, err
		}
	}
}

// trimCR drops a line's trailing '\r'.
func trimCR(ln []byte) []byte {
	if len(ln) > 0 && ln[len(ln)-1] == '\r' {
		return ln[:len(ln)-1]
	}
	return ln
}

// next returns the next non-empty request's arguments.
func (p *reader) next() ([][]byte, error) {
	for {
		if p.r == p.w {
			if err := p.fill(); err != nil {
				return nil, err
			}
		}
		var args [][]byte
		var err error
		if p.buf[p.r] == '*' {
			args, err = p.multibulk()
		} else {
			args, err = p.inline()
		}
		if err != nil || len(args) > 0 {
			return args, err
		}
	}
}

// parseLen parses a length header strictly (Redis' string2ll), refusing
// anything that overflows int64.
func parseLen(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	// like string2ll: the first digit is 1-9 ("-0", "01" are invalid)
	if len(b) == 0 || b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (1<<64-1-uint64(c-'0'))/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

func (p *reader) multibulk() ([][]byte, error) {
	ln, err := p.line(inlineMax, "too big mbulk count string")
	if err != nil {
		return nil, err
	}
	n, ok := parseLen(ln[1:])
	if !ok || n > multibulkMax {
		return nil, protoErr("invalid multibulk length")
	}
	if n <= 0 {
		return nil, nil // Redis ignores "*0" and "*-1"
	}
	authed := p.authed == nil || p.authed()
	if n > unauthedMulti && !authed {
		return nil, protoErr("unauthenticated multibulk length")
	}
	maxBulk := int64(512 << 20)
	if p.maxBulk != nil {
		maxBulk = p.maxBulk()
	}
	if args := p.wholeCommand(n, maxBulk, authed); args != nil {
		return args, nil
	}
	args := make([][]byte, 0, min(n, 1024))
	for i := int64(0); i < n; i++ {
		ln, err := p.line(inlineMax, "too big bulk count string")
		if err != nil {
			return nil, err
		}
		size, err := bulkLen(ln, maxBulk, authed)
		if err != nil {
			return nil, err
		}
		arg, err := p.bulk(int(size))
		if err != nil {
			return nil, err
		}
		args = append(args, arg)
	}
	return args, nil
}

// bulkLen checks a bulk header line ("$<size>") against the limits and
// returns the size, or the protocol error Redis sends.
func bulkLen(ln []byte, maxBulk int64, authed bool) (int64, error) {
	if len(ln) == 0 || ln[0] != '$' {
		c := " " // the line end, which Redis prints as a space
		if len(ln) > 0 {
			c = string(ln[0])
		}
		return 0, protoErr("expected '$', got '" + c + "'")
	}
	size, ok := parseLen(ln[1:])
	if !ok || size < 0 || size > maxBulk {
		return 0, protoErr("invalid bulk length")
	}
	if size > unauthedBulk && !authed {
		return 0, protoErr("unauthenticated bulk length")
	}
	return size, nil
}

// wholeCommand is multibulk's fast path: when the n arguments after the
// count are wholly buffered, valid and small, it returns them copied into
// one allocation and consumes them. Otherwise it consumes nothing and
// returns nil, and the argument-by-argument path (with its errors) runs.
func (p *reader) wholeCommand(n, maxBulk int64, authed bool) [][]byte {
	const most = 64 // arguments taken on the fast path
	if n > most {
		return nil
	}
	var start, size [most]int // each argument's offset in buf, and length
	pos, total := p.r, 0
	for i := range n {
		nl := bytes.IndexByte(p.buf[pos:p.w], '\n')
		if nl < 0 {
			return nil
		}
		sz, err := bulkLen(trimCR(p.buf[pos:pos+nl]), maxBulk, authed)
		if err != nil || sz >= bigArg {
			return nil
		}
		pos += nl + 1
		if p.w-pos < int(sz)+2 {
			return nil
		}
		start[i], size[i] = pos, int(sz)
		total += int(sz)
		pos += int(sz) + 2
	}
	data := make([]byte, total)
	args := make([][]byte, n)
	for i := range args {
		sz := size[i]
		args[i] = data[:sz:sz]
		data = data[sz:]
		copy(args[i], p.buf[start[i]:])
	}
	p.r = pos
	return args
}

// bulk reads size bytes plus the two line-end bytes. Large arguments are
// read in chunks into a slice that grows as data arrives, so a header alone
// reserves no memory.
func (p *reader) bulk(size int) ([]byte, error) {
	if size < bigArg {
		for p.w-p.r < size+2 {
			if err := p.fill(); err != nil {
				return nil, err
			}
		}
		arg := make([]byte, size)
		copy(arg, p.buf[p.r:])
		p.r += size + 2
		return arg, nil
	}
	arg := make([]byte, 0, bigArg)
	for len(arg) < size {
		if p.r == p.w {
			if err := p.fill(); err != nil {
				return nil, err
			}
		}
		take := min(size-len(arg), p.w-p.r)
		arg = append(arg, p.buf[p.r:p.r+take]...)
		p.r += take
	}
	for p.w-p.r < 2 {
		if err := p.fill(); err != nil {
			return nil, err
		}
	}
	p.r += 2
	return arg, nil
}

func (p *reader) inline() ([][]byte, error) {
	ln, err := p.line(inlineMax, "too big inline request")
	if err != nil {
		return nil, err
	}
	args, ok := splitArgs(ln)
	if !ok {
		return nil, protoErr("unbalanced quotes in request")
	}
	return args, nil
}

var errUnbalanced = errors.New("unbalanced quotes")

// splitArgs splits an inline request like Redis' sdssplitargs: spaces
// separate arguments; "double quotes" take \n \r \t \b \a \\ \" and \xHH
// escapes; 'single quotes' take \'; a closing quote must be followed by a
// space or the end.
func splitArgs(line []byte) ([][]byte, bool) {
	var args [][]byte
	i := 0
	isSpace := func(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' }
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			return args, true
		}
		var cur []byte
		inq, insq, done := false, false, false
		for !done {
			if inq {
				if i >= len(line) {
					return nil, false
				}
				c := line[i]
				if c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]) {
					cur = append(cur, hexVal(line[i+2])<<4|hexVal(line[i+3]))
					i += 3
				} else if c == '\\' && i+1 < len(line) {
					i++
					switch line[i] {
					case 'n':
						cur = append(cur, '\n')
					case 'r':
						cur = append(cur, '\r')
					case 't':
						cur = append(cur, '\t')
					case 'b':
						cur = append(cur, '\b')
					case 'a':
						cur = append(cur, '\a')
					default:
						cur = append(cur, line[i])
					}
				} else if c == '"' {
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					done = true
				} else {
					cur = append(cur, c)
				}
			} else if insq {
				if i >= len(line) {
					return nil, false
				}
				c := line[i]
				if c == '\\' && i+1 < len(line) && line[i+1] == '\'' {
					i++
					cur = append(cur, '\'')
				} else if c == '\'' {
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					done = true
				} else {
					cur = append(cur, c)
				}
			} else {
				if i >= len(line) {
					done = true
					break
				}
				switch c := line[i]; {
				case c == ' ' || c == '\n' || c == '\r' || c == '\t':
					done = true // not '\v', '\f': sdssplitargs keeps them
				case c == '"':
					inq = true
				case c == '\'':
					insq = true
				default:
					cur = append(cur, c)
				}
			}
			if i < len(line) {
				i++
			}
		}
		if cur == nil {
			cur = []byte{}
		}
		args = append(args, cur)
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// bufSize returns the size of the read buffer (CLIENT LIST rbs).
func (p *reader) bufSize() int { return len(p.buf) }

// readMore reads whatever the socket has into the buffer, growing it, and
// never flushes replies: used while a client is parked by a blocking
// command, so its later pipelined commands wait in the buffer.
func (p *reader) readMore() error {
	if p.w == len(p.buf) {
		nb := make([]byte, 2*len(p.buf))
		copy(nb, p.buf[:p.w])
		p.buf = nb
	}
	n, err := p.rd.Read(p.buf[p.w:])
	p.w += n
	if n > 0 {
		p.reads++
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}
