package resp

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Front-door robustness: whatever bytes one connection sends, the server
// keeps serving other connections and keeps its data.

const (
	sentinelKey = "frontdoor:sentinel:q7Zx"
	sentinelVal = "intact-9f2c"
)

// frontDoorSkip lists commands a random input must not run against the
// shared test server: they change global state or the data the test
// checks, reach other hosts, block, or allocate whatever a number says.
var frontDoorSkip = map[string]bool{
	"FLUSHALL": true, "FLUSHDB": true, "SWAPDB": true, "MOVE": true, "CONFIG": true, "DEBUG": true,
	"SHUTDOWN": true, "CLIENT": true, "ACL": true, "MODULE": true, "CLUSTER": true, "MIGRATE": true,
	"REPLICAOF": true, "SLAVEOF": true, "SYNC": true, "PSYNC": true, "FAILOVER": true, "MONITOR": true,
	"WAIT": true, "BLPOP": true, "BRPOP": true, "BLMOVE": true, "BRPOPLPUSH": true, "BLMPOP": true,
	"BZPOPMIN": true, "BZPOPMAX": true, "BZMPOP": true, "XREAD": true, "XREADGROUP": true,
	"SUBSCRIBE": true, "PSUBSCRIBE": true, "SSUBSCRIBE": true, "EVAL": true, "EVALSHA": true,
	"EVAL_RO": true, "EVALSHA_RO": true, "FCALL": true, "FCALL_RO": true, "FUNCTION": true, "SCRIPT": true,
	"BITFIELD": true, "BITFIELD_RO": true,
}

// bigOffsets are commands whose offset argument allocates up to 512 MB:
// they are sent unless the offset lies in [lo, hi).
var bigOffsets = map[string]struct {
	arg    int
	lo, hi int64
}{
	"SETRANGE": {2, 1 << 20, 1 << 29},
	"SETBIT":   {2, 8 << 20, 1 << 32},
}

// frontDoorAllowed parses in as the server will and reports whether it
// may be sent: no skipped command, and the sentinel key named nowhere.
func frontDoorAllowed(in []byte) bool {
	reqs, _ := parseAll(in, readerOpts{}, whole)
	for _, r := range reqs {
		name := strings.ToUpper(string(r.args[0]))
		if frontDoorSkip[name] {
			return false
		}
		if b, ok := bigOffsets[name]; ok && len(r.args) > b.arg {
			if n, err := strconv.ParseInt(string(r.args[b.arg]), 10, 64); err == nil && n >= b.lo && n < b.hi {
				return false
			}
		}
		for _, a := range r.args {
			if bytes.Contains(a, []byte(sentinelKey)) {
				return false
			}
		}
	}
	return true
}

// frontDoorServer starts a server holding the sentinel key.
func frontDoorServer(t testing.TB) (*Server, string) {
	t.Helper()
	srv, addr := startServer(t)
	c := dial(t, addr)
	c.expect("+OK\r\n", "SET", sentinelKey, sentinelVal)
	c.nc.Close()
	return srv, addr
}

// sendRaw sends in on a new connection, closes its write side and reads
// replies until the server closes the connection.
func sendRaw(t testing.TB, addr string, in []byte) {
	t.Helper()
	// A random 127.x.y.z source: when the server closes first (protocol
	// error) its side stays in TIME-WAIT, and a later dial from the same
	// address and port would stall on it.
	src := &net.TCPAddr{IP: net.IPv4(127, byte(1+rand.IntN(254)), byte(rand.IntN(256)), byte(1+rand.IntN(254)))}
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: src}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer closeNoLinger(nc)
	done := make(chan error, 1)
	go func() {
		_ = nc.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, err := io.Copy(io.Discard, nc)
		done <- err
	}()
	_ = nc.SetWriteDeadline(time.Now().Add(20 * time.Second))
	_, werr := nc.Write(in) // the server may close first, after a protocol error
	_ = nc.(*net.TCPConn).CloseWrite()
	err = <-done
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("server did not close the connection after EOF: %v (write error: %v)", err, werr)
	}
}

// checkHealthy asserts that a new connection is served and the sentinel
// key is intact.
func checkHealthy(t testing.TB, addr string) {
	t.Helper()
	c := dial(t, addr)
	c.expect("+PONG\r\n", "PING")
	c.expect(bulk(sentinelVal), "GET", sentinelKey)
	closeNoLinger(c.nc)
}

// closeNoLinger closes nc with a reset, so neither end keeps the
// connection in TIME-WAIT: thousands of connections a second would
// otherwise exhaust the loopback's port pairs and stall new dials.
func closeNoLinger(nc net.Conn) {
	_ = nc.(*net.TCPConn).SetLinger(0)
	_ = nc.Close()
}

// frontDoorSeeds are frames the fuzzer and the mutation test start from.
func frontDoorSeeds() [][]byte {
	s := []string{
		"*1\r\n$4\r\nPING\r\n",
		"*3\r\n$3\r\nSET\r\n$3\r\nfoo\r\n$3\r\nbar\r\n*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n",
		"*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nPX\r\n$3\r\n100\r\n",
		"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*3\r\n$6\r\nINCRBY\r\n$1\r\nn\r\n$19\r\n9223372036854775807\r\n",
		"*3\r\n$11\r\nINCRBYFLOAT\r\n$1\r\nf\r\n$3\r\n1e3\r\n",
		"*5\r\n$4\r\nMSET\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*3\r\n$4\r\nMGET\r\n$1\r\na\r\n$1\r\nb\r\n",
		"*3\r\n$6\r\nAPPEND\r\n$1\r\na\r\n$3\r\nxyz\r\n*4\r\n$8\r\nGETRANGE\r\n$1\r\na\r\n$2\r\n-1\r\n$3\r\n100\r\n",
		"*3\r\n$6\r\nEXPIRE\r\n$1\r\na\r\n$1\r\n0\r\n*2\r\n$3\r\nDEL\r\n$1\r\nb\r\n",
		"*3\r\n$6\r\nRENAME\r\n$1\r\na\r\n$1\r\nc\r\n*4\r\n$4\r\nCOPY\r\n$1\r\nc\r\n$1\r\nd\r\n",
		"*4\r\n$4\r\nSCAN\r\n$1\r\n0\r\n$5\r\nCOUNT\r\n$3\r\n100\r\n*2\r\n$4\r\nKEYS\r\n$1\r\n*\r\n*1\r\n$6\r\nDBSIZE\r\n",
		"*4\r\n$8\r\nSETRANGE\r\n$1\r\nr\r\n$2\r\n10\r\n$1\r\nx\r\n*4\r\n$6\r\nSETBIT\r\n$1\r\nb\r\n$2\r\n77\r\n$1\r\n1\r\n",
		"*1\r\n$9223372036854775807\r\nx\r\n",
		"*1\r\n$9223372036854775806\r\nx\r\n",
		"*1\r\n$536870912\r\n",
		"*2147483647\r\n$1\r\na\r\n",
		"*1048577\r\n$4\r\nPING\r\n",
		"*0\r\n*-1\r\n*-0\r\n",
		"PING\r\nSET x \"a\\x00b\" \r\nGET x\r\n",
		"SETRANGE r 10 x\r\nGETRANGE r 0 -1\r\nINCRBY n 5\r\nEXPIRE r 100\r\nSET s v EX 10\r\nGETEX s PX 5\r\n",
		"ECHO 'unbalanced\r\n",
		"\"\\\\\" '\\'' \"\\xzz\"\r\n",
		"\x00\x01\x02\xff\xfe\r\n\xc3\x28\r\n",
		"*1\r\n+PING\r\n",
		"*2\r\n$4\r\nECHO\r\n$3\r\nabcdef\r\n",
		"GET " + strings.Repeat("k", 70000) + "\r\n",
	}
	out := make([][]byte, len(s))
	for i := range s {
		out[i] = []byte(s[i])
	}
	return out
}

// encodeArgs frames args as a multibulk request.
func encodeArgs(args [][]byte) []byte {
	b := []byte("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b = append(b, "$"+strconv.Itoa(len(a))+"\r\n"...)
		b = append(append(b, a...), "\r\n"...)
	}
	return b
}

var interestingNumbers = []string{
	"0", "1", "-1", "-0", "00", "", "2", "10", "11", "16384", "16385", "32767", "32768", "65536",
	"2147483647", "2147483648", "536870912", "536870913", "9223372036854775806",
	"9223372036854775807", "9223372036854775808", "-9223372036854775808", "18446744073709551616",
}

var interestingBytes = []byte("\r\n*$+-:\"'\\ \t0123456789x\x00\xff")

// mutate changes frame with 1-4 random edits.
func mutate(rng *rand.Rand, frame []byte, seeds [][]byte) []byte {
	b := append([]byte(nil), frame...)
	for n := 1 + rng.IntN(4); n > 0; n-- {
		switch rng.IntN(10) {
		case 8, 9: // replace one argument of a parsed request, keep the framing
			reqs, _ := parseAll(b, readerOpts{}, whole)
			if len(reqs) == 0 {
				break
			}
			r := reqs[rng.IntN(len(reqs))]
			i := rng.IntN(len(r.args))
			if rng.IntN(2) == 0 {
				r.args[i] = []byte(interestingNumbers[rng.IntN(len(interestingNumbers))])
			} else {
				r.args[i] = mutate(rng, r.args[i], seeds)
			}
			var out []byte
			for _, r := range reqs {
				out = append(out, encodeArgs(r.args)...)
			}
			b = out
		case 0: // flip a bit
			if len(b) > 0 {
				b[rng.IntN(len(b))] ^= 1 << rng.IntN(8)
			}
		case 1: // set a byte to a framing-relevant one
			if len(b) > 0 {
				b[rng.IntN(len(b))] = interestingBytes[rng.IntN(len(interestingBytes))]
			}
		case 2: // insert random bytes
			i := rng.IntN(len(b) + 1)
			ins := make([]byte, 1+rng.IntN(8))
			for j := range ins {
				ins[j] = byte(rng.IntN(256))
			}
			b = append(b[:i], append(ins, b[i:]...)...)
		case 3: // delete a range
			if len(b) > 0 {
				i := rng.IntN(len(b))
				j := i + 1 + rng.IntN(min(8, len(b)-i))
				b = append(b[:i], b[j:]...)
			}
		case 4: // duplicate a range
			if len(b) > 0 {
				i := rng.IntN(len(b))
				j := i + 1 + rng.IntN(len(b)-i)
				b = append(b[:j], append(append([]byte(nil), b[i:j]...), b[j:]...)...)
			}
		case 5: // replace a number with an interesting one
			var starts []int
			for i := range b {
				if b[i] >= '0' && b[i] <= '9' && (i == 0 || b[i-1] < '0' || b[i-1] > '9') {
					starts = append(starts, i)
				}
			}
			if len(starts) > 0 {
				i := starts[rng.IntN(len(starts))]
				j := i
				for j < len(b) && b[j] >= '0' && b[j] <= '9' {
					j++
				}
				num := interestingNumbers[rng.IntN(len(interestingNumbers))]
				b = append(b[:i], append([]byte(num), b[j:]...)...)
			}
		case 6: // splice with another seed
			o := seeds[rng.IntN(len(seeds))]
			b = append(b[:rng.IntN(len(b)+1)], o[rng.IntN(len(o)+1):]...)
		case 7: // truncate
			b = b[:rng.IntN(len(b)+1)]
		}
	}
	return b
}

// FuzzFrontDoor sends random frames on one connection; afterwards a new
// connection must be served and the data intact.
func FuzzFrontDoor(f *testing.F) {
	for _, s := range frontDoorSeeds() {
		f.Add(s)
	}
	_, addr := frontDoorServer(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1<<20 || !frontDoorAllowed(in) {
			return
		}
		sendRaw(t, addr, in)
		checkHealthy(t, addr)
	})
}

// TestFrontDoorMutations is FuzzFrontDoor with a fixed seed, so every run
// sends the same few thousand mutated frames.
func TestFrontDoorMutations(t *testing.T) {
	const frames = 3000
	for in, want := range map[string]bool{
		"*1\r\n$4\r\nPING\r\n": true, "flushall\r\n": false, "PING\r\nconfig set requirepass x\r\n": false,
		"DEL a " + sentinelKey + "\r\n": false, "SETRANGE k 1048576 x\r\n": false, "SETRANGE k 9223372036854775807 x\r\n": true,
		"setbit k 8388607 1\r\n": true, "setbit k 4294967295 1\r\n": false, "\"\x46LUSHALL\"\r\n": false, "FLUSHALL": true, // never completed
	} {
		if got := frontDoorAllowed([]byte(in)); got != want {
			t.Fatalf("frontDoorAllowed(%q) = %v", in, got)
		}
	}
	srv, addr := frontDoorServer(t)
	seeds := frontDoorSeeds()
	rng := rand.New(rand.NewPCG(20240611, 7))
	generated, sent, skipped := 0, 0, 0
	deadline := time.Now().Add(90 * time.Second)
	for generated < frames {
		if time.Now().After(deadline) {
			t.Fatalf("only %d frames sent in 90s", sent)
		}
		in := mutate(rng, seeds[rng.IntN(len(seeds))], seeds)
		generated++
		if !frontDoorAllowed(in) {
			skipped++
			continue
		}
		sendRaw(t, addr, in)
		checkHealthy(t, addr)
		sent++
	}
	if generated != frames || sent+skipped != frames {
		t.Fatalf("generated %d, sent %d, skipped %d", generated, sent, skipped)
	}
	if sent < frames*9/10 {
		t.Fatalf("only %d of %d frames were sendable", sent, frames)
	}
	// every connection the frames opened is gone
	for wait := time.Now().Add(10 * time.Second); srv.clientCount() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(wait) {
			t.Fatalf("%d clients still connected", srv.clientCount())
		}
	}
	t.Logf("generated %d frames, sent %d, skipped %d (%s)", generated, sent, skipped, addr)
}

// boundaryFrames replaces each numeric argument of each seed request with
// each interesting number, one at a time.
func boundaryFrames() [][]byte {
	var out [][]byte
	for _, seed := range frontDoorSeeds() {
		reqs, _ := parseAll(seed, readerOpts{}, whole)
		for _, r := range reqs {
			for i := 1; i < len(r.args); i++ {
				if _, err := strconv.ParseFloat(string(r.args[i]), 64); err != nil {
					continue
				}
				for _, num := range interestingNumbers {
					args := slices.Clone(r.args)
					args[i] = []byte(num)
					out = append(out, encodeArgs(args))
				}
			}
		}
	}
	return out
}

// TestFrontDoorNumericBoundaries sends every seed request with each of its
// numbers replaced by a boundary value (offsets, counts, TTLs, deltas).
func TestFrontDoorNumericBoundaries(t *testing.T) {
	_, addr := frontDoorServer(t)
	frames := boundaryFrames()
	sent := 0
	for _, in := range frames {
		if !frontDoorAllowed(in) {
			continue
		}
		sendRaw(t, addr, in)
		sent++
	}
	checkHealthy(t, addr)
	if len(frames) != 20*len(interestingNumbers) || sent < len(frames)-10 {
		t.Fatalf("%d boundary frames, %d sent", len(frames), sent)
	}
}

// TestFrontDoorOverflowFrames sends each known-bad frame and checks the
// exact reply and that the connection is closed.
func TestFrontDoorOverflowFrames(t *testing.T) {
	_, addr := frontDoorServer(t)
	for _, tc := range []struct{ in, want string }{
		{"*1\r\n$9223372036854775807\r\nx\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"*1\r\n$9223372036854775806\r\nx\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"*1\r\n$536870913\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"*1\r\n$-0\r\n\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"*-0\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"*2147483648\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"*1\r\n+PING\r\n", "-ERR Protocol error: expected '$', got '+'\r\n"},
		{"*1\r\n\r\n", "-ERR Protocol error: expected '$', got ' '\r\n"},
		{"ECHO \"a\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
		{strings.Repeat("x", 70000), "-ERR Protocol error: too big inline request\r\n"},
		{"*0\r\n*-1\r\nPING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n", "+PONG\r\n+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"},
	} {
		c := dial(t, addr)
		c.send([]byte(tc.in))
		_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		got, err := io.ReadAll(c.r)
		if err != nil && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("%.40q: connection not closed: %v (got %q)", tc.in, err, got)
		}
		if string(got) != tc.want {
			t.Errorf("%.40q: got %q, want %q", tc.in, got, tc.want)
		}
		checkHealthy(t, addr)
	}
}
