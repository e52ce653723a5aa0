package resp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// Request reader tests. Every expectation marked "redis" below was checked
// against redis-server 7.0.15 by sending the same bytes on a socket.

// oneByteReader returns at most one byte per Read, so every request is
// split across as many reads as it has bytes.
type oneByteReader struct{ r io.Reader }

func (o *oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

// chunkReader returns at most n bytes per Read.
type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}

// cutReader never returns bytes on both sides of offset cut in one Read.
type cutReader struct {
	r      io.Reader
	cut, n int
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n < c.cut && len(p) > c.cut-c.n {
		p = p[:c.cut-c.n]
	}
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// countingReader counts the bytes handed to the reader.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// readerOpts are the reader's limits in a test.
type readerOpts struct {
	unauthed bool
	maxBulk  int64 // 0: the 512 MB default
}

func (o readerOpts) apply(p *reader) {
	if o.unauthed {
		p.authed = func() bool { return false }
	}
	if o.maxBulk != 0 {
		mb := o.maxBulk
		p.maxBulk = func() int64 { return mb }
	}
}

// parsed is one request as the reader returned it, with the input bytes it
// consumed for it (including ignored frames before it).
type parsed struct {
	args     [][]byte
	consumed []byte
}

// parseAll runs the reader over in (delivered by wrap) until it fails, and
// returns the requests and the error that ended the parse.
func parseAll(in []byte, o readerOpts, wrap func(io.Reader) io.Reader) ([]parsed, error) {
	cr := &countingReader{r: bytes.NewReader(in)}
	p := newReader(wrap(cr))
	o.apply(p)
	var out []parsed
	done := 0
	for {
		args, err := p.next()
		if err != nil {
			return out, err
		}
		end := cr.n - p.buffered()
		out = append(out, parsed{args: args, consumed: in[done:end]})
		done = end
		if len(out) > len(in)+1 {
			// every request consumes at least one byte
			return out, fmt.Errorf("reader returned %d requests from %d bytes", len(out), len(in))
		}
	}
}

func whole(r io.Reader) io.Reader   { return r }
func oneByte(r io.Reader) io.Reader { return &oneByteReader{r} }

func strs(reqs []parsed) [][]string {
	out := [][]string{}
	for _, r := range reqs {
		a := make([]string, len(r.args))
		for i, b := range r.args {
			a[i] = string(b)
		}
		out = append(out, a)
	}
	return out
}

// errText is the protocol error's reply text, "EOF" for the end of input.
func errText(err error) string {
	var pe *protocolError
	switch {
	case errors.As(err, &pe):
		return pe.msg
	case errors.Is(err, io.EOF):
		return "EOF"
	}
	return "unexpected error: " + err.Error()
}

func req(args ...string) []string { return args }

type readerCase struct {
	name string
	in   string
	opts readerOpts
	want [][]string // requests returned before the error
	err  string     // the error that ends the input: "EOF" or a reply text
}

const (
	errMultibulkLen = "ERR Protocol error: invalid multibulk length"
	errBulkLen      = "ERR Protocol error: invalid bulk length"
)

func readerCases() []readerCase {
	big := strings.Repeat("x", 40000)
	atBig := strings.Repeat("y", bigArg)
	underBig := strings.Repeat("z", bigArg-1)
	mb := strings.Repeat("m", 1<<20)
	in64k := strings.Repeat("i", inlineMax)
	return []readerCase{
		// multibulk
		{name: "ping", in: "*1\r\n$4\r\nPING\r\n", want: [][]string{req("PING")}, err: "EOF"},
		{name: "set", in: "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n", want: [][]string{req("SET", "k", "hello")}, err: "EOF"},
		{name: "empty arg", in: "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", want: [][]string{req("ECHO", "")}, err: "EOF"},
		{name: "binary arg", in: "*2\r\n$4\r\nECHO\r\n$6\r\na\r\n\x00\xffb\r\n", want: [][]string{req("ECHO", "a\r\n\x00\xffb")}, err: "EOF"},
		{name: "pipeline", in: "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n*1\r\n$4\r\nPING\r\n",
			want: [][]string{req("PING"), req("GET", "a"), req("PING")}, err: "EOF"},
		{name: "star zero ignored", in: "*0\r\n*1\r\n$4\r\nPING\r\n", want: [][]string{req("PING")}, err: "EOF"},
		{name: "star minus one ignored", in: "*-1\r\n*1\r\n$4\r\nPING\r\n", want: [][]string{req("PING")}, err: "EOF"},
		{name: "star minus five ignored", in: "*-5\r\nPING\r\n", want: [][]string{req("PING")}, err: "EOF"},
		{name: "star min int64 ignored", in: "*-9223372036854775808\r\nPING\r\n", want: [][]string{req("PING")}, err: "EOF"},
		{name: "only ignored frames", in: "*0\r\n*-1\r\n\r\n  \r\n", want: [][]string{}, err: "EOF"},
		// redis skips the two bytes after a bulk without looking at them
		{name: "bulk trailer not checked", in: "*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n", want: [][]string{req("PING"), req("PING")}, err: "EOF"},
		// kvnode also takes LF-only line ends in multibulk headers (redis
		// waits for a '\r' there)
		{name: "LF-only headers", in: "*1\n$4\nPING\r\n", want: [][]string{req("PING")}, err: "EOF"},
		{name: "chunked big arg", in: "*2\r\n$4\r\nECHO\r\n$40000\r\n" + big + "\r\n*1\r\n$4\r\nPING\r\n",
			want: [][]string{req("ECHO", big), req("PING")}, err: "EOF"},
		{name: "arg of bigArg bytes", in: "*1\r\n$" + strconv.Itoa(bigArg) + "\r\n" + atBig + "\r\n", want: [][]string{req(atBig)}, err: "EOF"},
		{name: "arg of bigArg-1 bytes", in: "*1\r\n$" + strconv.Itoa(bigArg-1) + "\r\n" + underBig + "\r\n", want: [][]string{req(underBig)}, err: "EOF"},
		{name: "many args", in: strings.Repeat("*3\r\n$1\r\na\r\n$2\r\nbc\r\n$0\r\n\r\n", 3),
			want: [][]string{req("a", "bc", ""), req("a", "bc", ""), req("a", "bc", "")}, err: "EOF"},

		// truncated input: no request, no protocol error (redis waits)
		{name: "truncated header", in: "*1\r", want: [][]string{}, err: "EOF"},
		{name: "truncated bulk", in: "*1\r\n$4\r\nPIN", want: [][]string{}, err: "EOF"},
		{name: "bulk without trailer", in: "*1\r\n$4\r\nPING", want: [][]string{}, err: "EOF"},
		{name: "huge bulk header only", in: "*1\r\n$536870912\r\nabc", want: [][]string{}, err: "EOF"},
		{name: "int max count header only", in: "*2147483647\r\n$1\r\na\r\n", want: [][]string{}, err: "EOF"},

		// multibulk count errors (redis)
		{name: "count not a number", in: "*abc\r\n", want: [][]string{}, err: errMultibulkLen},
		{name: "count empty", in: "*\r\n", want: [][]string{}, err: errMultibulkLen},
		{name: "count trailing space", in: "*1 \r\n", want: [][]string{}, err: errMultibulkLen},
		{name: "count leading zero", in: "*01\r\n", want: [][]string{}, err: errMultibulkLen},
		{name: "count plus sign", in: "*+1\r\n", want: [][]string{}, err: errMultibulkLen},
		{name: "count minus zero", in: "*-0\r\nPING\r\n", want: [][]string{}, err: errMultibulkLen},
		{name: "count minus only", in: "*-\r\n", want: [][]string{}, err: errMultibulkLen},
		{name: "count over int max", in: "*2147483648\r\n", want: [][]string{}, err: errMultibulkLen},
		{name: "count overflows int64", in: "*9223372036854775808\r\n", want: [][]string{}, err: errMultibulkLen},
		{name: "count after request", in: "*1\r\n$4\r\nPING\r\n*x\r\n", want: [][]string{req("PING")}, err: errMultibulkLen},
		{name: "too big mbulk count string", in: "*" + strings.Repeat("1", inlineMax), want: [][]string{},
			err: "ERR Protocol error: too big mbulk count string"},

		// bulk header errors (redis)
		{name: "expected dollar got plus", in: "*1\r\n+foo\r\n", want: [][]string{}, err: "ERR Protocol error: expected '$', got '+'"},
		{name: "expected dollar got colon", in: "*2\r\n$1\r\na\r\n:1\r\n", want: [][]string{}, err: "ERR Protocol error: expected '$', got ':'"},
		{name: "expected dollar got empty line", in: "*1\r\n\r\n", want: [][]string{}, err: "ERR Protocol error: expected '$', got ' '"},
		{name: "bulk len empty", in: "*1\r\n$\r\n", want: [][]string{}, err: errBulkLen},
		{name: "bulk len negative", in: "*1\r\n$-1\r\n", want: [][]string{}, err: errBulkLen},
		{name: "bulk len minus zero", in: "*1\r\n$-0\r\n\r\n", want: [][]string{}, err: errBulkLen},
		{name: "bulk len leading zero", in: "*1\r\n$01\r\nx\r\n", want: [][]string{}, err: errBulkLen},
		{name: "bulk len letters", in: "*1\r\n$4x\r\nPING\r\n", want: [][]string{}, err: errBulkLen},
		{name: "overflow frame max int64", in: "*1\r\n$9223372036854775807\r\nx\r\n", want: [][]string{}, err: errBulkLen},
		{name: "overflow frame max int64 - 1", in: "*1\r\n$9223372036854775806\r\nx\r\n", want: [][]string{}, err: errBulkLen},
		{name: "overflow frame max int64 + 1", in: "*1\r\n$9223372036854775808\r\nx\r\n", want: [][]string{}, err: errBulkLen},
		{name: "bulk over 512MB", in: "*1\r\n$536870913\r\n", want: [][]string{}, err: errBulkLen},
		{name: "bulk at proto-max-bulk-len", in: "*1\r\n$1048576\r\n" + mb + "\r\n", opts: readerOpts{maxBulk: 1 << 20},
			want: [][]string{req(mb)}, err: "EOF"},
		{name: "bulk just over proto-max-bulk-len", in: "*1\r\n$1048577\r\n" + mb + "m\r\n", opts: readerOpts{maxBulk: 1 << 20},
			want: [][]string{}, err: errBulkLen},
		{name: "too big bulk count string", in: "*1\r\n$" + strings.Repeat("1", inlineMax), want: [][]string{},
			err: "ERR Protocol error: too big bulk count string"},

		// limits before AUTH (redis, with requirepass set)
		{name: "unauthenticated multibulk length", in: "*11\r\n", opts: readerOpts{unauthed: true}, want: [][]string{},
			err: "ERR Protocol error: unauthenticated multibulk length"},
		{name: "unauthenticated 10 args", in: "*10\r\n" + strings.Repeat("$1\r\na\r\n", 10), opts: readerOpts{unauthed: true},
			want: [][]string{strings.Split(strings.Repeat("a", 10), "")}, err: "EOF"},
		{name: "unauthenticated bulk length", in: "*1\r\n$16385\r\n", opts: readerOpts{unauthed: true}, want: [][]string{},
			err: "ERR Protocol error: unauthenticated bulk length"},
		{name: "unauthenticated 16384 bytes", in: "*1\r\n$16384\r\n" + strings.Repeat("u", 16384) + "\r\n", opts: readerOpts{unauthed: true},
			want: [][]string{req(strings.Repeat("u", 16384))}, err: "EOF"},
		{name: "unauthenticated inline", in: "a b c d e f g h i j k l\r\n", opts: readerOpts{unauthed: true},
			want: [][]string{strings.Fields("a b c d e f g h i j k l")}, err: "EOF"},

		// inline (redis' sdssplitargs)
		{name: "inline crlf", in: "PING\r\n", want: [][]string{req("PING")}, err: "EOF"},
		{name: "inline lf", in: "set a b\n", want: [][]string{req("set", "a", "b")}, err: "EOF"},
		{name: "inline blank lines ignored", in: "\r\n\n   \r\n\t\r\nPING\r\n", want: [][]string{req("PING")}, err: "EOF"},
		{name: "inline without newline", in: "PING", want: [][]string{}, err: "EOF"},
		{name: "inline spaces", in: "  a   b  \r\n", want: [][]string{req("a", "b")}, err: "EOF"},
		{name: "inline tabs", in: "\t a\t\r\n", want: [][]string{req("a")}, err: "EOF"},
		{name: "inline then multibulk", in: "PING\r\n*1\r\n$4\r\nPING\r\nECHO x\r\n", want: [][]string{req("PING"), req("PING"), req("ECHO", "x")}, err: "EOF"},
		{name: "inline double quotes", in: "set \"a b\" \"\"\r\n", want: [][]string{req("set", "a b", "")}, err: "EOF"},
		{name: "inline single quotes", in: "set 'a b' ''\r\n", want: [][]string{req("set", "a b", "")}, err: "EOF"},
		{name: "inline escapes", in: `x "\n\r\t\b\a\\\"\z"` + "\r\n", want: [][]string{req("x", "\n\r\t\b\a\\\"z")}, err: "EOF"},
		{name: "inline hex escapes", in: `x "\x41\x4a\x4" y` + "\r\n", want: [][]string{req("x", "AJx4", "y")}, err: "EOF"},
		{name: "inline hex escape to nul and ff", in: `"\x00\xFf"` + "\r\n", want: [][]string{req("\x00\xff")}, err: "EOF"},
		{name: "inline bad hex escapes", in: `"a\x" "\xZZ" "\x4g"` + "\r\n", want: [][]string{req("ax", "xZZ", "x4g")}, err: "EOF"},
		{name: "inline single quote escape", in: `'a\'b' 'c\nd'` + "\r\n", want: [][]string{req("a'b", `c\nd`)}, err: "EOF"},
		{name: "inline backslash outside quotes", in: `a\nb` + "\r\n", want: [][]string{req(`a\nb`)}, err: "EOF"},
		{name: "inline quote inside token", in: `a'b c'` + "\r\n", want: [][]string{req("ab c")}, err: "EOF"},
		{name: "inline cr inside quotes", in: "\"a\rb\"\r\n", want: [][]string{req("a\rb")}, err: "EOF"},
		{name: "inline quotes separated by tab", in: "\"a\"\t\"b\"\r\n", want: [][]string{req("a", "b")}, err: "EOF"},
		// redis ends an unquoted token only at ' ', '\t', '\r', '\n': a
		// vertical tab or form feed stays in it, but separates tokens
		{name: "inline vertical tab in token", in: "a\vb c\r\n", want: [][]string{req("a\vb", "c")}, err: "EOF"},
		{name: "inline form feed in token", in: "a\fb\r\n", want: [][]string{req("a\fb")}, err: "EOF"},
		{name: "inline vertical tab then space", in: "a\v b\r\n", want: [][]string{req("a\v", "b")}, err: "EOF"},
		{name: "inline vertical tab after quote", in: "\"a\"\vb\r\n", want: [][]string{req("a", "b")}, err: "EOF"},
		{name: "inline max length", in: in64k + "\n", want: [][]string{req(in64k)}, err: "EOF"},

		// inline errors (redis)
		{name: "unbalanced double quote", in: "\"abc\r\n", want: [][]string{}, err: "ERR Protocol error: unbalanced quotes in request"},
		{name: "unbalanced single quote", in: "'abc\r\n", want: [][]string{}, err: "ERR Protocol error: unbalanced quotes in request"},
		{name: "unbalanced trailing backslash", in: "\"abc\\\r\n", want: [][]string{}, err: "ERR Protocol error: unbalanced quotes in request"},
		{name: "closing quote then text", in: "PING\r\n\"a\"b\r\n", want: [][]string{req("PING")}, err: "ERR Protocol error: unbalanced quotes in request"},
		{name: "closing single quote then text", in: "'a'b\r\n", want: [][]string{}, err: "ERR Protocol error: unbalanced quotes in request"},
		{name: "quote opened mid token", in: "a\"b c\"d\r\n", want: [][]string{}, err: "ERR Protocol error: unbalanced quotes in request"},
		{name: "too big inline request", in: in64k + "x", want: [][]string{}, err: "ERR Protocol error: too big inline request"},
	}
}

func TestReaderTable(t *testing.T) {
	cases := readerCases()
	if len(cases) < 80 {
		t.Fatalf("only %d cases", len(cases))
	}
	modes := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"whole", whole},
		{"1-byte reads", oneByte},
		{"7-byte reads", func(r io.Reader) io.Reader { return &chunkReader{r, 7} }},
	}
	for _, tc := range cases {
		for _, m := range modes {
			if m.name == "1-byte reads" && len(tc.in) > 200000 {
				continue // the 1 MB cases: the 7-byte mode splits them enough
			}
			t.Run(tc.name+"/"+m.name, func(t *testing.T) {
				reqs, err := parseAll([]byte(tc.in), tc.opts, m.wrap)
				if got := errText(err); got != tc.err {
					t.Errorf("error: got %q, want %q", got, tc.err)
				}
				got := strs(reqs)
				if len(got) != len(tc.want) {
					t.Fatalf("got %d requests %.200q, want %d %.200q", len(got), got, len(tc.want), tc.want)
				}
				for i := range got {
					if fmt.Sprintf("%q", got[i]) != fmt.Sprintf("%q", tc.want[i]) {
						t.Errorf("request %d: got %.200q, want %.200q", i, got[i], tc.want[i])
					}
				}
			})
		}
	}
}

// TestReaderSplitEverywhere splits a pipeline of every frame shape at
// every byte position into two reads; the result must not change.
func TestReaderSplitEverywhere(t *testing.T) {
	in := "*0\r\n*2\r\n$4\r\nECHO\r\n$4\r\na\r\nb\r\n  \r\nset \"x y\" 'z'\r\n*-1\r\n*1\r\n$4\r\nPING\r\n"
	want := `[["ECHO" "a\r\nb"] ["set" "x y" "z"] ["PING"]]`
	splits := 0
	for cut := 0; cut <= len(in); cut++ {
		reqs, err := parseAll([]byte(in), readerOpts{}, func(r io.Reader) io.Reader { return &cutReader{r: r, cut: cut} })
		if errText(err) != "EOF" {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if got := fmt.Sprintf("%q", strs(reqs)); got != want {
			t.Fatalf("cut %d: got %s, want %s", cut, got, want)
		}
		splits++
	}
	if splits != len(in)+1 {
		t.Fatalf("ran %d splits", splits)
	}
}

// TestReaderHugeDeclaredSizes checks that declared sizes reserve nothing:
// memory follows the bytes that arrived.
func TestReaderHugeDeclaredSizes(t *testing.T) {
	for _, in := range []string{
		"*1\r\n$536870912\r\n" + strings.Repeat("a", 100),
		"*1\r\n$32767\r\n" + strings.Repeat("a", 100),
		"*2147483647\r\n" + strings.Repeat("$1\r\na\r\n", 100),
		"*1\r\n$9223372036854775807\r\nx\r\n",
	} {
		alloc := allocated(256<<10, func() { _, _ = parseAll([]byte(in), readerOpts{}, whole) })
		if alloc > 256<<10 {
			t.Errorf("%.30q: allocated %d bytes for %d input bytes", in, alloc, len(in))
		}
	}
}

// allocated returns the bytes fn allocated on the heap. TotalAlloc counts
// every goroutine's allocations, so fn runs up to three times while the
// result exceeds limit, and the least is kept.
func allocated(limit uint64, fn func()) uint64 {
	least := uint64(math.MaxUint64)
	for try := 0; try < 3 && least > limit; try++ {
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		fn()
		runtime.ReadMemStats(&b)
		least = min(least, b.TotalAlloc-a.TotalAlloc)
	}
	return least
}

// quoteInline renders args as an inline request that splitArgs must parse
// back to args (like redis-cli's sdscatrepr).
func quoteInline(args [][]byte) []byte {
	var b []byte
	for i, a := range args {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, '"')
		for _, c := range a {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20 || c >= 0x7f:
				b = fmt.Appendf(b, `\x%02x`, c)
			default:
				b = append(b, c)
			}
		}
		b = append(b, '"')
	}
	return b
}

// checkConsumed verifies that the bytes a request consumed are its frame:
// ignored frames (*0, *-N, blank inline lines), then either one inline line
// or the multibulk encoding of args. It returns whether the multibulk was
// byte-for-byte canonical (CRLF everywhere).
func checkConsumed(seg []byte, args [][]byte) (canonical bool, err error) {
	line := func() ([]byte, bool) {
		i := bytes.IndexByte(seg, '\n')
		if i < 0 {
			return nil, false
		}
		ln := seg[:i]
		seg = seg[i+1:]
		return bytes.TrimSuffix(ln, []byte("\r")), true
	}
	for {
		if len(seg) == 0 {
			return false, fmt.Errorf("no frame consumed")
		}
		full := seg
		ln, ok := line()
		if !ok {
			return false, fmt.Errorf("line without newline")
		}
		if full[0] != '*' {
			a, ok := splitArgs(ln)
			if !ok {
				return false, fmt.Errorf("consumed unbalanced inline line %q", ln)
			}
			if len(a) == 0 {
				continue // blank line
			}
			if len(seg) != 0 {
				return false, fmt.Errorf("%d bytes consumed after the inline request", len(seg))
			}
			if fmt.Sprintf("%q", a) != fmt.Sprintf("%q", args) {
				return false, fmt.Errorf("inline line %q gives %q, reader returned %q", ln, a, args)
			}
			return false, nil
		}
		n, err := strconv.ParseInt(string(ln[1:]), 10, 64)
		if err != nil || strconv.FormatInt(n, 10) != string(ln[1:]) {
			return false, fmt.Errorf("consumed non-canonical count %q", ln)
		}
		if n <= 0 {
			continue
		}
		// the multibulk frame: rebuild it with the consumed line ends and
		// bulk trailers (neither is checked, as in redis)
		seg = full
		var re []byte
		eol := func() {
			rest := seg[min(len(re), len(seg)):]
			switch {
			case bytes.HasPrefix(rest, []byte("\r\n")):
				re = append(re, "\r\n"...)
			case bytes.HasPrefix(rest, []byte("\n")):
				re = append(re, '\n')
			default:
				re = append(re, "\r\n"...) // a mismatch below
			}
		}
		re = append(re, '*')
		re = strconv.AppendInt(re, int64(len(args)), 10)
		eol()
		for _, a := range args {
			re = append(re, '$')
			re = strconv.AppendInt(re, int64(len(a)), 10)
			eol()
			re = append(re, a...)
			if len(seg) >= len(re)+2 {
				re = append(re, seg[len(re):len(re)+2]...)
			} else {
				re = append(re, "\r\n"...)
			}
		}
		if !bytes.Equal(re, seg) {
			return false, fmt.Errorf("consumed %.200q, re-encoded %.200q", seg, re)
		}
		var canon bytes.Buffer
		canon.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
		for _, a := range args {
			canon.WriteString("$" + strconv.Itoa(len(a)) + "\r\n")
			canon.Write(a)
			canon.WriteString("\r\n")
		}
		return bytes.Equal(canon.Bytes(), seg), nil
	}
}

func readerSeeds() []string {
	seeds := []string{
		"*1\r\n$4\r\nPING\r\n",
		"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n",
		"*1\r\n$9223372036854775807\r\nx\r\n",
		"*1\r\n$9223372036854775806\r\nx\r\n",
		"*1\r\n$536870913\r\n",
		"*2147483647\r\n$1\r\na\r\n",
		"*0\r\n*-1\r\nPING\r\n",
		"set \"a\\x41\" 'b\\'c' d\r\n",
		"\"unbalanced\r\n",
		"*1\r\n+foo\r\n",
		"*1\n$4\nPING\n",
		"\x00\xff\xfe*$\r\n\"'\\",
	}
	for _, tc := range readerCases() {
		if len(tc.in) < 1000 {
			seeds = append(seeds, tc.in)
		}
	}
	return seeds
}

// FuzzReader: random bytes must never panic the reader, memory must follow
// the input (not declared sizes), parsing must not depend on how the bytes
// are split into reads, and every request must be the frame it consumed.
func FuzzReader(f *testing.F) {
	for _, s := range readerSeeds() {
		f.Add([]byte(s), false)
	}
	f.Add([]byte("*11\r\n"), true)
	f.Add([]byte("*1\r\n$16385\r\n"), true)
	f.Fuzz(func(t *testing.T, in []byte, unauthed bool) {
		o := readerOpts{unauthed: unauthed}
		var reqs []parsed
		var err error
		limit := uint64(512<<10 + 64*len(in))
		alloc := allocated(limit, func() { reqs, err = parseAll(in, o, whole) })
		if alloc > limit {
			t.Fatalf("allocated %d bytes for %d input bytes (limit %d)", alloc, len(in), limit)
		}
		if !errors.Is(err, io.EOF) {
			var pe *protocolError
			if !errors.As(err, &pe) {
				t.Fatalf("unexpected error %v", err)
			}
		}
		for i, r := range reqs {
			if len(r.args) == 0 {
				t.Fatalf("request %d has no arguments", i)
			}
			if _, err := checkConsumed(r.consumed, r.args); err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			back, ok := splitArgs(quoteInline(r.args))
			if !ok || fmt.Sprintf("%q", back) != fmt.Sprintf("%q", r.args) {
				t.Fatalf("request %d: inline quoting of %q parses back as %q", i, r.args, back)
			}
		}
		if len(in) > inlineMax {
			return // the line limits depend on how much one read brings
		}
		reqs1, err1 := parseAll(in, o, oneByte)
		if errText(err1) != errText(err) {
			t.Fatalf("1-byte reads end with %q, whole input with %q", errText(err1), errText(err))
		}
		if fmt.Sprintf("%q", strs(reqs1)) != fmt.Sprintf("%q", strs(reqs)) {
			t.Fatalf("1-byte reads give %q, whole input %q", strs(reqs1), strs(reqs))
		}
	})
}

// TestCheckConsumed makes sure the fuzz oracle can fail.
func TestCheckConsumed(t *testing.T) {
	args := [][]byte{[]byte("PING")}
	for _, tc := range []struct {
		seg       string
		canonical bool
		ok        bool
	}{
		{"*1\r\n$4\r\nPING\r\n", true, true},
		{"*0\r\n*1\r\n$4\r\nPING\r\n", true, true},
		{"\r\n*1\r\n$4\r\nPING\r\n", true, true},
		{"*1\n$4\nPINGxx", false, true},
		{"*1\r\n$5\r\nPING\r\n", false, false},
		{"*2\r\n$4\r\nPING\r\n", false, false},
		{"*01\r\n$4\r\nPING\r\n", false, false},
		{"*1\r\n$4\r\nPONG\r\n", false, false},
		{"*1\r\n$4\r\nPING\r\nextra", false, false},
		{"PING\r\n", false, true},
		{"PONG\r\n", false, false},
	} {
		canonical, err := checkConsumed([]byte(tc.seg), args)
		if (err == nil) != tc.ok || canonical != tc.canonical {
			t.Errorf("%q: canonical=%v err=%v, want canonical=%v ok=%v", tc.seg, canonical, err, tc.canonical, tc.ok)
		}
	}
}

// TestReaderArgsDoNotShare: the arguments of one request share one
// allocation on the fast path; appending to one must not write into the
// next.
func TestReaderArgsDoNotShare(t *testing.T) {
	p := newReader(strings.NewReader("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"))
	args, err := p.next()
	if err != nil {
		t.Fatal(err)
	}
	_ = append(args[1], 'X')
	if got := fmt.Sprintf("%q", args); got != `["SET" "k" "v"]` {
		t.Fatalf("after an append to the key: %s", got)
	}
}
