package engine

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// RESTORE also accepts payloads made by Redis' own DUMP (RDB object
// serialization), so data can move from a Redis server to kvnode with
// DUMP/RESTORE or MIGRATE. Strings are supported; other Redis encodings
// answer "Bad data format".
//
// Redis' payload: RDB type byte | RDB object | RDB version (2 bytes, little
// endian) | CRC-64/Jones of everything before (8 bytes, little endian).

const (
	rdbTypeString = 0
	rdbMaxVersion = 10 // Redis 7.0's RDB_VERSION
)

// crc64Jones is Redis' crc64: the Jones polynomial, reflected, initial
// value 0, no final xor.
var crc64Jones = func() *[256]uint64 {
	var t [256]uint64
	const poly = 0x95ac9329ac4bc9b5 // 0xad93d23594c935a9 reflected
	for i := range t {
		c := uint64(i)
		for j := 0; j < 8; j++ {
			if c&1 == 1 {
				c = c>>1 ^ poly
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return &t
}()

func crc64Redis(b []byte) uint64 {
	var c uint64
	for _, x := range b {
		c = crc64Jones[byte(c)^x] ^ c>>8
	}
	return c
}

// isRedisPayload reports whether b has a valid Redis DUMP footer.
func isRedisPayload(b []byte) bool {
	if len(b) < 10 {
		return false
	}
	f := b[len(b)-10:]
	if binary.LittleEndian.Uint16(f) > rdbMaxVersion {
		return false
	}
	return crc64Redis(b[:len(b)-8]) == binary.LittleEndian.Uint64(f[2:])
}

// decodeRedisPayload decodes a Redis DUMP payload whose footer
// isRedisPayload accepted.
func decodeRedisPayload(b []byte) (payload, error) {
	r := rdbReader{b: b[:len(b)-10]}
	t := r.byte()
	if r.err != nil || t != rdbTypeString {
		return payload{}, fmt.Errorf("redis payload of RDB type %d: %w", t, ErrBadDataFormat)
	}
	v := r.str()
	if r.err != nil {
		return payload{}, fmt.Errorf("redis string payload: %w", r.err)
	}
	return payload{typ: TypeString, value: v}, nil
}

// rdbReader reads RDB primitives; the first error sticks.
type rdbReader struct {
	b   []byte
	err error
}

func (r *rdbReader) fail() { r.err = ErrBadDataFormat }

func (r *rdbReader) byte() byte {
	if r.err != nil || len(r.b) < 1 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *rdbReader) take(n uint64) []byte {
	if r.err != nil || n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

// length reads an RDB length; encoded reports the special string
// encodings (then the value is the encoding type).
func (r *rdbReader) length() (n uint64, encoded bool) {
	c := r.byte()
	switch c >> 6 {
	case 0:
		return uint64(c & 0x3f), false
	case 1:
		return uint64(c&0x3f)<<8 | uint64(r.byte()), false
	case 3:
		return uint64(c & 0x3f), true
	}
	switch c {
	case 0x80:
		b := r.take(4)
		if r.err != nil {
			return 0, false
		}
		return uint64(binary.BigEndian.Uint32(b)), false
	case 0x81:
		b := r.take(8)
		if r.err != nil {
			return 0, false
		}
		return binary.BigEndian.Uint64(b), false
	}
	r.fail()
	return 0, false
}

// str reads an RDB string object: raw, integer-encoded or LZF-compressed.
func (r *rdbReader) str() []byte {
	n, encoded := r.length()
	if r.err != nil {
		return nil
	}
	if !encoded {
		return append([]byte{}, r.take(n)...)
	}
	switch n {
	case 0: // int8
		return strconv.AppendInt(nil, int64(int8(r.byte())), 10)
	case 1: // int16
		b := r.take(2)
		if r.err != nil {
			return nil
		}
		return strconv.AppendInt(nil, int64(int16(binary.LittleEndian.Uint16(b))), 10)
	case 2: // int32
		b := r.take(4)
		if r.err != nil {
			return nil
		}
		return strconv.AppendInt(nil, int64(int32(binary.LittleEndian.Uint32(b))), 10)
	case 3: // LZF
		clen, e1 := r.length()
		ulen, e2 := r.length()
		if r.err != nil || e1 || e2 || ulen > MaxStringLen {
			r.fail()
			return nil
		}
		out, ok := lzfDecompress(r.take(clen), int(ulen))
		if r.err != nil || !ok {
			r.fail()
			return nil
		}
		return out
	}
	r.fail()
	return nil
}

// lzfDecompress expands LZF data (liblzf, as Redis uses it) into exactly
// n bytes; ok is false for malformed input.
func lzfDecompress(in []byte, n int) (out []byte, ok bool) {
	out = make([]byte, 0, n)
	for i := 0; i < len(in); {
		ctrl := int(in[i])
		i++
		if ctrl < 32 { // literal run of ctrl+1 bytes
			l := ctrl + 1
			if i+l > len(in) || len(out)+l > n {
				return nil, false
			}
			out = append(out, in[i:i+l]...)
			i += l
			continue
		}
		l := ctrl >> 5
		if l == 7 {
			if i >= len(in) {
				return nil, false
			}
			l += int(in[i])
			i++
		}
		if i >= len(in) {
			return nil, false
		}
		ref := len(out) - (ctrl&0x1f)<<8 - int(in[i]) - 1
		i++
		l += 2
		if ref < 0 || len(out)+l > n {
			return nil, false
		}
		for k := 0; k < l; k++ { // may overlap: copy byte by byte
			out = append(out, out[ref+k])
		}
	}
	return out, len(out) == n
}
