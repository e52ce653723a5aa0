package engine

import (
	"encoding/binary"
	"errors"
)

// Type is a Redis value type. The numbers are persisted: never renumber.
type Type byte

// Persisted type codes.
const (
	TypeNone   Type = 0
	TypeString Type = 1
	TypeHash   Type = 2
	TypeList   Type = 3
	TypeSet    Type = 4
	TypeZSet   Type = 5
)

// String returns the name TYPE reports.
func (t Type) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeHash:
		return "hash"
	case TypeList:
		return "list"
	case TypeSet:
		return "set"
	case TypeZSet:
		return "zset"
	}
	return "none"
}

// Badger key layout (DESIGN.md §3). Every key starts with the 2-byte
// big-endian hash slot, then one tag byte. Tag bytes are persisted; never
// reuse one, and never use 'a' ("!b" + "a..." could form "!badger!").
//
// Element keys carry the collection's version, not its user key: versions
// are unique per store, so RENAME within a slot moves only the meta record,
// and a slot's elements still share the slot prefix.
const (
	tagMeta    = 'm' // slot | 'm' | user-key → meta record
	tagElement = 'e' // slot | 'e' | version u64 | element → element value
	tagScore   = 'z' // slot | 'z' | version u64 | score u64 | member → empty
	tagExpire  = 'x' // slot | 'x' | expire-at ms u64 | user-key → empty
	tagGarbage = 'g' // slot | 'g' | version u64 → empty: a dead version to collect
)

// metaFormat is the first byte of every meta record; bump it (and keep
// decoding the old ones) when the layout changes. Format 1 strings had no
// encoding byte; format 2 strings carry Meta.Flags (a StrEnc) before the
// value. Collections have the same layout in both.
const (
	metaFormat1 = 1
	metaFormat  = 2
)

// String encodings Redis would report (OBJECT ENCODING), kept in
// Meta.Flags of strings. Persisted: never renumber.
const (
	// StrAuto: int when the value is an integer, else embstr up to 44
	// bytes, else raw (Redis' tryObjectEncoding: SET, INCR, RESTORE…).
	StrAuto byte = 0
	// StrRaw: raw whatever the value (APPEND to an existing value,
	// SETRANGE, SETBIT, BITFIELD, BITOP build raw strings in place).
	StrRaw byte = 1
	// StrNoInt: embstr or raw by length, never int (INCRBYFLOAT).
	StrNoInt byte = 2
)

// Meta is the metadata record of one Redis key.
type Meta struct {
	Type     Type
	ExpireAt int64  // unix ms, 0 = no TTL
	Version  uint64 // collections: elements are keyed under this version
	Count    int64  // collections: number of elements
	Head     int64  // lists: sequence number of the first element
	Tail     int64  // lists: sequence number after the last element
	Value    []byte // strings: the value itself
	// Flags (collections): MetaBig once the collection outgrew Redis'
	// compact encoding; like Redis' conversion it is never undone while the
	// key lives, so OBJECT ENCODING answers as Redis would.
	Flags byte
}

// MetaBig marks a collection that Redis would hold in its large encoding
// (hashtable, skiplist; for sets also any non-integer member).
const MetaBig byte = 1

var errCorruptMeta = errors.New("engine: corrupt meta record")

const metaHeader = 1 + 1 + 8

// encodeMeta serializes m.
func encodeMeta(m *Meta) []byte {
	n := metaHeader
	switch m.Type {
	case TypeString:
		n += 1 + len(m.Value)
	case TypeList:
		n += collHeader + 16
	default:
		n += collHeader
	}
	b := make([]byte, n)
	b[0] = metaFormat
	b[1] = byte(m.Type)
	binary.BigEndian.PutUint64(b[2:], uint64(m.ExpireAt))
	switch m.Type {
	case TypeString:
		b[metaHeader] = m.Flags
		copy(b[metaHeader+1:], m.Value)
	default:
		binary.BigEndian.PutUint64(b[10:], m.Version)
		binary.BigEndian.PutUint64(b[18:], uint64(m.Count))
		b[26] = m.Flags
		if m.Type == TypeList {
			binary.BigEndian.PutUint64(b[27:], uint64(m.Head))
			binary.BigEndian.PutUint64(b[35:], uint64(m.Tail))
		}
	}
	return b
}

// collHeader is the size of a collection's version, count and flags.
const collHeader = 8 + 8 + 1

// decodeMeta parses a meta record. The returned Value aliases b.
func decodeMeta(b []byte) (Meta, error) {
	var m Meta
	if len(b) < metaHeader || (b[0] != metaFormat && b[0] != metaFormat1) {
		return m, errCorruptMeta
	}
	m.Type = Type(b[1])
	m.ExpireAt = int64(binary.BigEndian.Uint64(b[2:]))
	switch m.Type {
	case TypeString:
		m.Value = b[metaHeader:]
		if b[0] == metaFormat {
			if len(m.Value) == 0 {
				return m, errCorruptMeta
			}
			m.Flags, m.Value = m.Value[0], m.Value[1:]
		}
	case TypeList:
		if len(b) != metaHeader+collHeader+16 {
			return m, errCorruptMeta
		}
		m.Version = binary.BigEndian.Uint64(b[10:])
		m.Count = int64(binary.BigEndian.Uint64(b[18:]))
		m.Flags = b[26]
		m.Head = int64(binary.BigEndian.Uint64(b[27:]))
		m.Tail = int64(binary.BigEndian.Uint64(b[35:]))
	case TypeHash, TypeSet, TypeZSet:
		if len(b) != metaHeader+collHeader {
			return m, errCorruptMeta
		}
		m.Version = binary.BigEndian.Uint64(b[10:])
		m.Count = int64(binary.BigEndian.Uint64(b[18:]))
		m.Flags = b[26]
	default:
		return m, errCorruptMeta
	}
	return m, nil
}

func putSlot(b []byte, slot int) {
	b[0] = byte(slot >> 8)
	b[1] = byte(slot)
}

// metaKey is slot | 'm' | key.
func metaKey(slot int, key []byte) []byte {
	return appendMetaKey(make([]byte, 0, 3+len(key)), slot, key)
}

// appendMetaKey appends the meta key of key in slot to b.
func appendMetaKey(b []byte, slot int, key []byte) []byte {
	b = append(b, 0, 0, tagMeta)
	putSlot(b[len(b)-3:], slot)
	return append(b, key...)
}

// slotPrefix is slot | tag.
func slotPrefix(slot int, tag byte) []byte {
	b := make([]byte, 3)
	putSlot(b, slot)
	b[2] = tag
	return b
}

// expireKey is slot | 'x' | expireAt | key.
func expireKey(slot int, at int64, key []byte) []byte {
	b := make([]byte, 11+len(key))
	putSlot(b, slot)
	b[2] = tagExpire
	binary.BigEndian.PutUint64(b[3:], uint64(at))
	copy(b[11:], key)
	return b
}

// elementPrefix is slot | tag | version: the prefix of all element (or
// score-index) keys of one version of one collection.
func elementPrefix(slot int, tag byte, version uint64) []byte {
	b := make([]byte, 11, 11+16)
	putSlot(b, slot)
	b[2] = tag
	binary.BigEndian.PutUint64(b[3:], version)
	return b
}

// garbageKey is slot | 'g' | version.
func garbageKey(slot int, version uint64) []byte {
	return elementPrefix(slot, tagGarbage, version)
}
