package resp

import (
	"math"
	"strconv"

	"github.com/tidwall/redcon"
)

// Writer encodes replies for one connection in RESP2 or RESP3. It appends
// to a buffer with redcon's encoders; redcon has no RESP3 writers, so the
// RESP3 frames (map, set, double, null, push, verbatim, boolean) are built
// here, exactly as Redis 7 sends them.
type Writer struct {
	b     []byte
	proto int // 2 or 3
	errs  *errorStats
}

// Len returns the number of buffered bytes.
func (w *Writer) Len() int { return len(w.b) }

// Truncate drops buffered bytes after n (CLIENT REPLY OFF/SKIP).
func (w *Writer) Truncate(n int) { w.b = w.b[:n] }

// Status writes a simple string: +OK.
func (w *Writer) Status(s string) { w.b = redcon.AppendString(w.b, s) }

// OK writes +OK.
func (w *Writer) OK() { w.b = append(w.b, "+OK\r\n"...) }

// Error writes an error reply; msg must start with its code (ERR, WRONGTYPE…).
// Newlines are replaced by spaces, as Redis does, so the frame stays valid.
func (w *Writer) Error(msg string) {
	for i := 0; i < len(msg); i++ {
		if msg[i] == '\r' || msg[i] == '\n' {
			b := []byte(msg)
			for j := range b {
				if b[j] == '\r' || b[j] == '\n' {
					b[j] = ' '
				}
			}
			msg = string(b)
			break
		}
	}
	if w.errs != nil {
		w.errs.count(msg)
	}
	w.b = redcon.AppendError(w.b, msg)
}

// Int writes an integer.
func (w *Writer) Int(n int64) { w.b = redcon.AppendInt(w.b, n) }

// Bulk writes a bulk string.
func (w *Writer) Bulk(b []byte) { w.b = redcon.AppendBulk(w.b, b) }

// BulkString writes a bulk string.
func (w *Writer) BulkString(s string) { w.b = redcon.AppendBulkString(w.b, s) }

// BulkInt writes an integer as a bulk string.
func (w *Writer) BulkInt(n int64) { w.b = redcon.AppendBulk(w.b, strconv.AppendInt(nil, n, 10)) }

// Null writes a null bulk string ($-1, or _ in RESP3).
func (w *Writer) Null() {
	if w.proto == 3 {
		w.b = append(w.b, "_\r\n"...)
		return
	}
	w.b = append(w.b, "$-1\r\n"...)
}

// NullArray writes a null array (*-1, or _ in RESP3).
func (w *Writer) NullArray() {
	if w.proto == 3 {
		w.b = append(w.b, "_\r\n"...)
		return
	}
	w.b = append(w.b, "*-1\r\n"...)
}

// Array writes an array header.
func (w *Writer) Array(n int) { w.b = redcon.AppendArray(w.b, n) }

// Map writes a map header of n pairs (a flat array of 2n in RESP2).
func (w *Writer) Map(n int) {
	if w.proto == 3 {
		w.b = appendHeader(w.b, '%', n)
		return
	}
	w.b = redcon.AppendArray(w.b, 2*n)
}

// Set writes a set header (an array in RESP2).
func (w *Writer) Set(n int) {
	if w.proto == 3 {
		w.b = appendHeader(w.b, '~', n)
		return
	}
	w.b = redcon.AppendArray(w.b, n)
}

// Push writes a push header (an array in RESP2).
func (w *Writer) Push(n int) {
	if w.proto == 3 {
		w.b = appendHeader(w.b, '>', n)
		return
	}
	w.b = redcon.AppendArray(w.b, n)
}

// Bool writes a boolean (#t/#f in RESP3, :1/:0 in RESP2).
func (w *Writer) Bool(v bool) {
	switch {
	case w.proto == 3 && v:
		w.b = append(w.b, "#t\r\n"...)
	case w.proto == 3:
		w.b = append(w.b, "#f\r\n"...)
	case v:
		w.b = append(w.b, ":1\r\n"...)
	default:
		w.b = append(w.b, ":0\r\n"...)
	}
}

// Double writes a double: a RESP3 double, or in RESP2 a bulk string
// formatted as Redis 7.0 does ("%.17g", inf, -inf).
func (w *Writer) Double(f float64) {
	s := FormatDouble(f)
	if w.proto == 3 {
		w.b = append(w.b, ',')
		w.b = append(w.b, s...)
		w.b = append(w.b, "\r\n"...)
		return
	}
	w.b = redcon.AppendBulkString(w.b, s)
}

// Verbatim writes a verbatim string (RESP3 "=", txt format) or a bulk
// string in RESP2.
func (w *Writer) Verbatim(s string) {
	if w.proto == 3 {
		w.b = appendHeader(w.b, '=', len(s)+4)
		w.b = append(w.b, "txt:"...)
		w.b = append(w.b, s...)
		w.b = append(w.b, "\r\n"...)
		return
	}
	w.b = redcon.AppendBulkString(w.b, s)
}

// Raw appends bytes as they are.
func (w *Writer) Raw(b []byte) { w.b = append(w.b, b...) }

// BulkArray writes an array of bulk strings, nil elements as nulls.
func (w *Writer) BulkArray(items [][]byte) {
	w.Array(len(items))
	for _, it := range items {
		if it == nil {
			w.Null()
		} else {
			w.Bulk(it)
		}
	}
}

func appendHeader(b []byte, c byte, n int) []byte {
	b = append(b, c)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, '\r', '\n')
}

// FormatDouble formats f as Redis 7.0 replies do: "%.17g", with inf, -inf
// and nan spelled out.
func FormatDouble(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	return formatG17(f)
}

// formatG17 reproduces C's printf("%.17g").
func formatG17(f float64) string {
	if f == 0 {
		if math.Signbit(f) {
			return "-0"
		}
		return "0"
	}
	exp := int(math.Floor(math.Log10(math.Abs(f))))
	// Round first: the exponent is that of the rounded value.
	s := strconv.FormatFloat(f, 'e', 16, 64)
	if i := indexByte(s, 'e'); i >= 0 {
		exp, _ = strconv.Atoi(s[i+1:])
	}
	if exp < -4 || exp >= 17 {
		// exponent form, trailing zeros of the mantissa removed
		i := indexByte(s, 'e')
		mant := trimZeros(s[:i])
		e := exp
		sign := "+"
		if e < 0 {
			sign = "-"
			e = -e
		}
		es := strconv.Itoa(e)
		if len(es) < 2 {
			es = "0" + es
		}
		return mant + "e" + sign + es
	}
	return trimZeros(strconv.FormatFloat(f, 'f', 16-exp, 64))
}

func trimZeros(s string) string {
	if indexByte(s, '.') < 0 {
		return s
	}
	for len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// Cap returns the capacity of the reply buffer.
func (w *Writer) Cap() int { return cap(w.b) }
