package engine

import (
	"errors"
	"strings"
	"testing"
)

func TestCRC64Redis(t *testing.T) {
	// Redis' own test vector (src/crc64.c).
	if got := crc64Redis([]byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64(123456789) = %#x", got)
	}
}

func TestDecodeRedisPayloads(t *testing.T) {
	// Payloads produced by redis-server 7.0.15's DUMP.
	for _, tc := range []struct {
		payload string
		want    string
	}{
		{"\x00\x05hello\x0a\x00\x63\x72\xdf\x76\x65\x34\x20\x0a", "hello"},
		{"\x00\xc1\x39\x30\x0a\x00\x9d\x94\xea\x27\x93\xfc\x08\xb9", "12345"},
	} {
		p, err := decodePayload([]byte(tc.payload))
		if err != nil {
			t.Fatalf("decode %q: %v", tc.payload, err)
		}
		if p.typ != TypeString || string(p.value) != tc.want {
			t.Fatalf("decode %q = %v %q, want string %q", tc.payload, p.typ, p.value, tc.want)
		}
	}
	// A flipped checksum byte is refused as Redis refuses it.
	bad := "\x00\x05hello\x0a\x00\x63\x72\xdf\x76\x65\x34\x20\x0b"
	if _, err := decodePayload([]byte(bad)); !errors.Is(err, ErrDumpPayload) {
		t.Fatalf("corrupt payload: %v", err)
	}
}

func TestLZFDecompress(t *testing.T) {
	// "aaaaaaaaaa": one literal 'a' then a back reference of length 9 at
	// distance 1 (ctrl = (9-2)<<5 | 0, offset byte 0).
	out, ok := lzfDecompress([]byte{0x00, 'a', 0xe0, 0x00, 0x00}, 10)
	if !ok || string(out) != strings.Repeat("a", 10) {
		t.Fatalf("lzf = %q, %v", out, ok)
	}
	if _, ok := lzfDecompress([]byte{0xe0, 0x00, 0x05}, 10); ok {
		t.Fatal("back reference before the start accepted")
	}
	if _, ok := lzfDecompress([]byte{0x05, 'a'}, 6); ok {
		t.Fatal("truncated literal accepted")
	}
}
