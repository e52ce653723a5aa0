package engine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"strings"
	"testing"
)

// seal frames body as a version-1 payload of type t with a valid checksum.
func seal(t Type, body []byte) []byte {
	b := append([]byte{payloadMagic0, payloadMagic1, payloadVersion, byte(t)}, body...)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

func samplePayloads() []*payload {
	return []*payload{
		{typ: TypeString, value: []byte{}},
		{typ: TypeString, value: []byte("hello")},
		{typ: TypeString, value: bytes.Repeat([]byte{0xff, 0}, 200)},
		{typ: TypeHash, elems: [][]byte{[]byte("f1"), []byte("v1"), []byte(""), []byte("")}},
		{typ: TypeList, elems: [][]byte{[]byte("a"), []byte("a"), []byte("")}},
		{typ: TypeSet, elems: [][]byte{[]byte("x"), []byte("y")}},
		{typ: TypeZSet, elems: [][]byte{[]byte("m"), []byte("n"), []byte("o")},
			scores: []float64{1.5, math.Inf(-1), math.Copysign(0, -1)}},
	}
}

// TestPayloadLayout pins the byte layout: it is persisted by clients and
// exchanged between nodes, so a change here is a format change.
func TestPayloadLayout(t *testing.T) {
	for _, tc := range []struct {
		p    *payload
		body string
	}{
		{&payload{typ: TypeString, value: []byte("hi")}, "\x02hi"},
		{&payload{typ: TypeHash, elems: [][]byte{[]byte("f"), []byte("v")}}, "\x01\x01f\x01v"},
		{&payload{typ: TypeList, elems: [][]byte{[]byte("a"), []byte("bc")}}, "\x02\x01a\x02bc"},
		{&payload{typ: TypeSet, elems: [][]byte{[]byte("a")}}, "\x01\x01a"},
		{&payload{typ: TypeZSet, elems: [][]byte{[]byte("m")}, scores: []float64{1}}, "\x01\x01m\x3f\xf0\x00\x00\x00\x00\x00\x00"},
	} {
		got := encodePayload(tc.p)
		want := seal(tc.p.typ, []byte(tc.body))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: encoded %q, want %q", tc.p.typ, got, want)
		}
	}
	// The string "hi": magic, version 1, type 1, len 2, "hi", CRC-32C.
	got := encodePayload(&payload{typ: TypeString, value: []byte("hi")})
	if want := "KV\x01\x01\x02hi"; string(got[:7]) != want || len(got) != 11 {
		t.Errorf("string payload %q, want prefix %q and 11 bytes", got, want)
	}
}

func TestPayloadRoundTrip(t *testing.T) {
	for _, p := range samplePayloads() {
		b := encodePayload(p)
		q, err := decodePayload(b)
		if err != nil {
			t.Fatalf("%s: decode: %v", p.typ, err)
		}
		if again := encodePayload(&q); !bytes.Equal(again, b) {
			t.Errorf("%s: re-encoded %q, want %q", p.typ, again, b)
		}
	}
}

func TestPayloadRejects(t *testing.T) {
	good := encodePayload(&payload{typ: TypeString, value: []byte("hello")})
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 1
		return b
	}
	// A well-checksummed payload of an unknown format version.
	version2 := append([]byte{payloadMagic0, payloadMagic1, 2, byte(TypeString)}, good[4:len(good)-4]...)
	version2 = binary.BigEndian.AppendUint32(version2, crc32.Checksum(version2, castagnoli))

	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrDumpPayload},
		{"short", good[:7], ErrDumpPayload},
		{"truncated", good[:len(good)-1], ErrDumpPayload},
		{"extended", append(bytes.Clone(good), 0), ErrDumpPayload},
		{"magic", flip(0), ErrDumpPayload},
		{"version", version2, ErrDumpPayload},
		{"body bit", flip(6), ErrDumpPayload},
		{"checksum bit", flip(len(good) - 1), ErrDumpPayload},
		{"redis payload, corrupt checksum", []byte("\x00\x05hello\n\x00cr\xdfve4 \x0b"), ErrDumpPayload},
		{"unknown type", seal(9, []byte("\x01a")), ErrBadDataFormat},
		{"type none", seal(TypeNone, nil), ErrBadDataFormat},
		{"string short", seal(TypeString, []byte("\x05abc")), ErrBadDataFormat},
		{"string trailing", seal(TypeString, []byte("\x01ab")), ErrBadDataFormat},
		{"string empty body", seal(TypeString, nil), ErrBadDataFormat},
		{"padded varint", seal(TypeString, []byte("\x81\x00a")), ErrBadDataFormat},
		{"varint overflow", seal(TypeString, bytes.Repeat([]byte{0xff}, 11)), ErrBadDataFormat},
		{"empty list", seal(TypeList, []byte("\x00")), ErrBadDataFormat},
		{"huge count", seal(TypeList, []byte("\xff\xff\xff\xff\x0f\x01a")), ErrBadDataFormat},
		{"dup set member", seal(TypeSet, []byte("\x02\x01a\x01a")), ErrBadDataFormat},
		{"dup hash field", seal(TypeHash, []byte("\x02\x01a\x01x\x01a\x01y")), ErrBadDataFormat},
		{"hash odd", seal(TypeHash, []byte("\x01\x01a")), ErrBadDataFormat},
		{"zset nan", seal(TypeZSet, append([]byte("\x01\x01m"), 0x7f, 0xf8, 0, 0, 0, 0, 0, 0)), ErrBadDataFormat},
		{"zset short score", seal(TypeZSet, []byte("\x01\x01m\x3f\xf0\x00")), ErrBadDataFormat},
		{"dup zset member", seal(TypeZSet, []byte("\x02\x01m\x00\x00\x00\x00\x00\x00\x00\x00\x01m\x00\x00\x00\x00\x00\x00\x00\x00")), ErrBadDataFormat},
	} {
		if _, err := decodePayload(tc.b); !errors.Is(err, tc.want) {
			t.Errorf("%s: decode %q: %v, want %v", tc.name, tc.b, err, tc.want)
		}
	}
}

func TestDumpRestoreEngine(t *testing.T) {
	db := openLive(t, mem)
	if _, err := db.Set([]byte("k"), []byte("value"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	data, ok, err := db.Dump([]byte("k"))
	if err != nil || !ok {
		t.Fatalf("Dump = %v, %v", ok, err)
	}
	if _, ok, err := db.Dump([]byte("missing")); ok || err != nil {
		t.Fatalf("Dump(missing) = %v, %v", ok, err)
	}

	// Busy key first, even with a corrupt payload (Redis' order).
	if err := db.Restore([]byte("k"), []byte("junk"), 0, false); !errors.Is(err, ErrKeyExists) {
		t.Fatalf("Restore over a key = %v, want ErrKeyExists", err)
	}
	if err := db.Restore([]byte("n"), []byte("junk"), 0, false); !errors.Is(err, ErrDumpPayload) {
		t.Fatalf("Restore junk = %v, want ErrDumpPayload", err)
	}
	if n := db.KeyCount(); n != 1 {
		t.Fatalf("a failed RESTORE wrote: %d keys", n)
	}

	at := nowMs() + 60_000
	if err := db.Restore([]byte("n"), data, at, false); err != nil {
		t.Fatal(err)
	}
	v, ok, err := db.Get([]byte("n"))
	if err != nil || !ok || string(v) != "value" {
		t.Fatalf("Get after Restore = %q %v %v", v, ok, err)
	}
	if got, _, _, _ := db.ExpireTime([]byte("n")); got != at {
		t.Fatalf("expire-at %d, want %d", got, at)
	}
	if db.ExpiresCount() != 1 {
		t.Fatalf("ExpiresCount = %d", db.ExpiresCount())
	}

	// REPLACE with a past expire time deletes the existing key.
	if err := db.Restore([]byte("n"), data, 1, true); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.Get([]byte("n")); ok {
		t.Fatal("RESTORE REPLACE with a past TTL left the key")
	}
	if db.KeyCount() != 1 || db.ExpiresCount() != 0 {
		t.Fatalf("counters %d keys %d expires", db.KeyCount(), db.ExpiresCount())
	}
	// Without REPLACE a past expire time creates nothing and is no error.
	if err := db.Restore([]byte("p"), data, -5, false); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.Exists([][]byte{[]byte("p")}); n != 0 {
		t.Fatal("RESTORE with a past TTL created the key")
	}

	// A collection payload restores, and DUMP gives the same bytes back.
	hash := encodePayload(&payload{typ: TypeHash, elems: [][]byte{[]byte("f"), []byte("v")}})
	if err := db.Restore([]byte("h"), hash, 0, false); err != nil {
		t.Fatalf("Restore hash = %v", err)
	}
	if again, ok, err := db.Dump([]byte("h")); err != nil || !ok || string(again) != string(hash) {
		t.Fatalf("Dump of the restored hash = %q, %v, %v; want %q", again, ok, err, hash)
	}
	bad := seal(TypeString, []byte("\x09"))
	if err := db.Restore([]byte("h2"), bad, 0, false); !errors.Is(err, ErrBadDataFormat) {
		t.Fatalf("Restore bad body = %v, want ErrBadDataFormat", err)
	}
}

func TestObjectInfo(t *testing.T) {
	for _, tc := range []struct {
		v      string
		enc    string
		shared bool
	}{
		{"0", "int", true},
		{"123", "int", true},
		{"9999", "int", true},
		{"10000", "int", false},
		{"-1", "int", false},
		{"9223372036854775807", "int", false},
		{"-9223372036854775808", "int", false},
		{"9223372036854775808", "embstr", false},
		{"012", "embstr", false},
		{"-0", "embstr", false},
		{"+1", "embstr", false},
		{" 1", "embstr", false},
		{"", "embstr", false},
		{strings.Repeat("a", 44), "embstr", false},
		{strings.Repeat("a", 45), "raw", false},
		{strings.Repeat("1", 45), "raw", false},
	} {
		info := objectInfo(&Meta{Type: TypeString, Value: []byte(tc.v)})
		if info.Encoding != tc.enc || info.SharedInt != tc.shared {
			t.Errorf("%q: %s shared=%v, want %s shared=%v", tc.v, info.Encoding, info.SharedInt, tc.enc, tc.shared)
		}
	}
	db := openLive(t, mem)
	if _, ok, err := db.Object([]byte("nope")); ok || err != nil {
		t.Fatalf("Object(missing) = %v %v", ok, err)
	}
	if _, err := db.Set([]byte("k"), []byte("42"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	info, ok, err := db.Object([]byte("k"))
	if err != nil || !ok || info.Encoding != "int" || !info.SharedInt || info.Type != TypeString {
		t.Fatalf("Object(k) = %+v %v %v", info, ok, err)
	}
}

// checkDecode asserts that decoding b does not panic and that whatever is
// accepted re-encodes to the same bytes.
func checkDecode(t *testing.T, b []byte) {
	p, err := decodePayload(b)
	if err != nil {
		if !errors.Is(err, ErrDumpPayload) && !errors.Is(err, ErrBadDataFormat) {
			t.Fatalf("decode %q: unexpected error %v", b, err)
		}
		return
	}
	if len(b) < 2 || b[0] != payloadMagic0 || b[1] != payloadMagic1 {
		return // a Redis payload: decoded, but re-encoded in kvnode's format
	}
	if again := encodePayload(&p); !bytes.Equal(again, b) {
		t.Fatalf("decode/encode not identical:\n in  %q\n out %q", b, again)
	}
}

// FuzzDecodePayload feeds payloads to the decoder: as they are (mostly
// refused by the checksum), and resealed with a valid checksum so that the
// body parser is explored too (data[0] is the type code, the rest the body).
func FuzzDecodePayload(f *testing.F) {
	for _, p := range samplePayloads() {
		b := encodePayload(p)
		f.Add(b)
		f.Add(b[payloadHeader-1 : len(b)-payloadTrailer])
	}
	f.Add([]byte{})
	f.Add([]byte("\x00\x05hello\n\x00cr\xdfve4 \n"))
	f.Add([]byte("\x05\x02\x01m\x00\x00\x00\x00\x00\x00\x00\x00\x01m\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
		if len(data) > 0 {
			checkDecode(t, seal(Type(data[0]), data[1:]))
		}
	})
}

// FuzzDecodeMeta feeds random meta records to decodeMeta: it must not
// panic, and what it accepts must encode back to the same bytes.
func FuzzDecodeMeta(f *testing.F) {
	for _, m := range []Meta{
		{Type: TypeString, Value: []byte("v")},
		{Type: TypeString, ExpireAt: 1700000000000, Value: []byte{}},
		{Type: TypeHash, Version: 7, Count: 3},
		{Type: TypeList, ExpireAt: 5, Version: 9, Count: 2, Head: -1, Tail: 1},
		{Type: TypeSet, Version: 1, Count: 1},
		{Type: TypeZSet, Version: 1, Count: 1},
	} {
		f.Add(encodeMeta(&m))
	}
	f.Add([]byte{})
	f.Add([]byte{metaFormat, 9, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeMeta(data)
		if err != nil {
			return
		}
		if again := encodeMeta(&m); !bytes.Equal(again, data) {
			t.Fatalf("meta decode/encode not identical:\n in  %x\n out %x", data, again)
		}
	})
}
