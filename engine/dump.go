package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

// DUMP / RESTORE payloads and OBJECT introspection.
//
// A payload is kvnode's own serialization of one value (it is not Redis'
// RDB format, so payloads do not travel between kvnode and redis-server):
//
//	offset  size  field
//	0       2     magic "KV" (0x4B 0x56)
//	2       1     format version (payloadVersion, 1)
//	3       1     type code: the persisted engine.Type (1 string, 2 hash,
//	              3 list, 4 set, 5 zset)
//	4       n     body, laid out by type (below)
//	4+n     4     CRC-32C (Castagnoli) of bytes [0, 4+n), big-endian
//
// In a body, uvarint is an unsigned LEB128 varint in its shortest form
// (encoding/binary's Uvarint, minimal) and str is uvarint(len) | len bytes.
//
//	string  str                                   the value
//	hash    uvarint(count) | count × (str field, str value)
//	list    uvarint(count) | count × str          items, head to tail
//	set     uvarint(count) | count × str          members
//	zset    uvarint(count) | count × (str member, score)
//	        score: IEEE-754 binary64, big-endian, never NaN
//
// A collection has count ≥ 1 and, for hashes, sets and sorted sets,
// distinct fields/members. The body must end exactly where the checksum
// begins. A new value type takes a new type code and its own body layout;
// the format version changes only if the framing above changes. Every
// payload has exactly one encoding: decoding then encoding gives back the
// same bytes.

// Payload framing constants. They are persisted (payloads are stored by
// clients and sent between nodes): never change their values.
const (
	payloadMagic0  = 'K'
	payloadMagic1  = 'V'
	payloadVersion = 1
	payloadHeader  = 4 // magic, version, type
	payloadTrailer = 4 // CRC-32C
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Errors of DUMP, RESTORE and OBJECT. The resp package maps each one to
// Redis' text.
var (
	// ErrDumpPayload: the payload is not a kvnode payload of a known format
	// version, or its checksum does not match (corrupt or truncated).
	ErrDumpPayload = errors.New("engine: DUMP payload version or checksum are wrong")
	// ErrBadDataFormat: the checksum matches but the body is malformed
	// (unknown type code, bad lengths, duplicates, NaN scores…).
	ErrBadDataFormat = errors.New("engine: DUMP payload has a bad data format")
	// ErrDumpUnsupported: DUMP or RESTORE of a value type the engine cannot
	// serialize or store yet.
	ErrDumpUnsupported = errors.New("engine: DUMP/RESTORE not supported for this value type yet")
)

// payload is a decoded DUMP payload.
type payload struct {
	typ   Type
	value []byte // TypeString: the value
	// elems: hash: field, value, field, value…; list: items, head to tail;
	// set and zset: members.
	elems [][]byte
	// scores: zset only, scores[i] is the score of elems[i].
	scores []float64
}

// encodePayload serializes p. p must be well formed (see decodePayload).
func encodePayload(p *payload) []byte {
	n := payloadHeader + payloadTrailer
	switch p.typ {
	case TypeString:
		n += binary.MaxVarintLen64 + len(p.value)
	default:
		n += binary.MaxVarintLen64
		for _, e := range p.elems {
			n += binary.MaxVarintLen64 + len(e)
		}
		n += 8 * len(p.scores)
	}
	b := make([]byte, 0, n)
	b = append(b, payloadMagic0, payloadMagic1, payloadVersion, byte(p.typ))
	switch p.typ {
	case TypeString:
		b = appendStr(b, p.value)
	case TypeHash, TypeList, TypeSet:
		count := len(p.elems)
		if p.typ == TypeHash {
			count /= 2
		}
		b = binary.AppendUvarint(b, uint64(count))
		for _, e := range p.elems {
			b = appendStr(b, e)
		}
	case TypeZSet:
		b = binary.AppendUvarint(b, uint64(len(p.elems)))
		for i, e := range p.elems {
			b = appendStr(b, e)
			b = binary.BigEndian.AppendUint64(b, math.Float64bits(p.scores[i]))
		}
	}
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

func appendStr(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// checkPayload verifies the framing of a payload (magic, version,
// checksum) and returns its type code and body.
func checkPayload(b []byte) (Type, []byte, error) {
	if len(b) < payloadHeader+payloadTrailer || b[0] != payloadMagic0 || b[1] != payloadMagic1 {
		return 0, nil, ErrDumpPayload
	}
	if b[2] != payloadVersion {
		return 0, nil, fmt.Errorf("payload format version %d: %w", b[2], ErrDumpPayload)
	}
	end := len(b) - payloadTrailer
	if crc32.Checksum(b[:end], castagnoli) != binary.BigEndian.Uint32(b[end:]) {
		return 0, nil, ErrDumpPayload
	}
	return Type(b[3]), b[payloadHeader:end], nil
}

// decodePayload parses a payload. Byte slices in the result alias b. It
// never panics, and whatever it accepts encodePayload gives back byte for
// byte.
func decodePayload(b []byte) (payload, error) {
	if !(len(b) >= 2 && b[0] == payloadMagic0 && b[1] == payloadMagic1) && isRedisPayload(b) {
		return decodeRedisPayload(b)
	}
	t, body, err := checkPayload(b)
	if err != nil {
		return payload{}, err
	}
	p, err := decodeBody(t, body)
	if err != nil {
		return payload{}, fmt.Errorf("%s payload: %w", t, err)
	}
	return p, nil
}

// bodyReader reads the parts of a payload body; the first error sticks.
type bodyReader struct {
	b   []byte
	err error
}

func (r *bodyReader) fail() { r.err = ErrBadDataFormat }

// uvarint reads a varint in its shortest form.
func (r *bodyReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	// n ≤ 0: truncated or over 64 bits; a last byte of 0 after others is
	// a padded (non-minimal) form, which would not re-encode the same.
	if n <= 0 || (n > 1 && r.b[n-1] == 0) {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *bodyReader) str() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) || n > MaxStringLen {
		r.fail()
		return nil
	}
	s := r.b[:n:n]
	r.b = r.b[n:]
	return s
}

func (r *bodyReader) float() float64 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 8 {
		r.fail()
		return 0
	}
	f := math.Float64frombits(binary.BigEndian.Uint64(r.b))
	r.b = r.b[8:]
	if math.IsNaN(f) {
		r.fail()
	}
	return f
}

// count reads a collection's element count: at least 1, and no more than
// the remaining bytes could hold at minSize bytes per element (so a hostile
// count cannot make us allocate).
func (r *bodyReader) count(minSize int) int {
	n := r.uvarint()
	if r.err != nil {
		return 0
	}
	if n == 0 || n > uint64(len(r.b)/minSize) {
		r.fail()
		return 0
	}
	return int(n)
}

// decodeBody parses the body of a payload of type t.
func decodeBody(t Type, body []byte) (payload, error) {
	r := &bodyReader{b: body}
	p := payload{typ: t}
	switch t {
	case TypeString:
		p.value = r.str()
	case TypeList:
		n := r.count(1)
		p.elems = make([][]byte, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			p.elems = append(p.elems, r.str())
		}
	case TypeSet:
		n := r.count(1)
		p.elems = make([][]byte, 0, n)
		seen := make(map[string]struct{}, n)
		for i := 0; i < n && r.err == nil; i++ {
			m := r.str()
			if _, dup := seen[string(m)]; dup {
				r.fail()
			}
			seen[string(m)] = struct{}{}
			p.elems = append(p.elems, m)
		}
	case TypeHash:
		n := r.count(2)
		p.elems = make([][]byte, 0, 2*n)
		seen := make(map[string]struct{}, n)
		for i := 0; i < n && r.err == nil; i++ {
			f := r.str()
			v := r.str()
			if _, dup := seen[string(f)]; dup {
				r.fail()
			}
			seen[string(f)] = struct{}{}
			p.elems = append(p.elems, f, v)
		}
	case TypeZSet:
		n := r.count(1 + 8)
		p.elems = make([][]byte, 0, n)
		p.scores = make([]float64, 0, n)
		seen := make(map[string]struct{}, n)
		for i := 0; i < n && r.err == nil; i++ {
			m := r.str()
			s := r.float()
			if _, dup := seen[string(m)]; dup {
				r.fail()
			}
			seen[string(m)] = struct{}{}
			p.elems = append(p.elems, m)
			p.scores = append(p.scores, s)
		}
	default:
		return payload{}, fmt.Errorf("type code %d: %w", byte(t), ErrBadDataFormat)
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail() // trailing bytes
	}
	if r.err != nil {
		return payload{}, r.err
	}
	return p, nil
}

// Dump serializes the value at key (DUMP). ok is false when the key does
// not exist. Types the engine cannot serialize yet give ErrDumpUnsupported.
func (db *DB) Dump(key []byte) (data []byte, ok bool, err error) {
	err = db.view(func(tx *Tx) error {
		e, err := tx.load(key)
		if err != nil || !e.live {
			return err
		}
		switch codec, isColl := collectionCodecs[e.Type]; {
		case e.Type == TypeString:
			data = encodePayload(&payload{typ: TypeString, value: e.Value})
		case isColl:
			var p payload
			if err := codec.dump(tx, e, &p); err != nil {
				return err
			}
			data = encodePayload(&p)
		default:
			return fmt.Errorf("dump %s value: %w", e.Type, ErrDumpUnsupported)
		}
		ok = true
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return data, ok, nil
}

// Restore creates key from a DUMP payload (RESTORE), atomically: on any
// error nothing is written.
//
// expireAt is the absolute expire time in unix ms, 0 for none. A time not
// after now (negative included) means the key expires at once: nothing is
// created, and with replace an existing key is deleted, as Redis does.
//
// Errors, in Redis' order: ErrKeyExists when the key exists and replace is
// not set; then ErrDumpPayload, ErrBadDataFormat or ErrDumpUnsupported for
// the payload.
func (db *DB) Restore(key, data []byte, expireAt int64, replace bool) error {
	// Decode before entering the write gate; the error is reported after the
	// existence check, which Redis makes first.
	p, perr := decodePayload(data)
	codec, isColl := collectionCodecs[p.typ]
	if perr == nil && p.typ != TypeString && !isColl {
		perr = fmt.Errorf("restore %s value: %w", p.typ, ErrDumpUnsupported)
	}
	return db.update(func(tx *Tx) error {
		e, err := tx.load(key)
		if err != nil {
			return err
		}
		if e.live && !replace {
			return ErrKeyExists
		}
		if perr != nil {
			return perr
		}
		if expireAt != 0 && expireAt <= tx.now {
			if replace {
				return tx.del(e)
			}
			return nil
		}
		if p.typ == TypeString {
			return tx.setString(e, p.value, expireAt, false, StrAuto)
		}
		if err := tx.newCollection(e, p.typ); err != nil {
			return err
		}
		e.ExpireAt = expireAt
		return codec.restore(tx, e, &p)
	})
}

// ObjectInfo is what OBJECT reports about a value.
type ObjectInfo struct {
	Type Type
	// Encoding is Redis' name for the representation Redis would use for
	// this value: int, embstr or raw for strings.
	Encoding string
	// SharedInt: the value is an integer in 0..9999, which Redis keeps as a
	// shared object (OBJECT REFCOUNT answers INT_MAX when sharing is on).
	SharedInt bool
}

// Redis' limits on its string representations (server.h).
const (
	embstrMaxLen = 44    // OBJ_ENCODING_EMBSTR_SIZE_LIMIT
	sharedInts   = 10000 // OBJ_SHARED_INTEGERS
	maxIntStrLen = 20    // longest string tryObjectEncoding turns into an int
)

// Object returns what OBJECT ENCODING/REFCOUNT report about key; ok is
// false when the key does not exist. It does not count as an access.
func (db *DB) Object(key []byte) (info ObjectInfo, ok bool, err error) {
	err = db.view(func(tx *Tx) error {
		e, err := tx.load(key)
		if err != nil || !e.live {
			return err
		}
		info, ok = objectInfo(&e.Meta), true
		return nil
	})
	return info, ok, err
}

// objectInfo derives a value's Redis representation. Strings follow
// tryObjectEncoding, which SET and RESTORE apply: a string that parses as
// a 64-bit integer (at most 20 characters, no leading zeros, sign or
// spaces) is "int", else up to 44 bytes "embstr", else "raw". Redis keeps
// strings built in place (APPEND to a value, SETRANGE, SETBIT, BITFIELD,
// BITOP) as "raw" and INCRBYFLOAT results as never "int"; the write paths
// record that in Meta.Flags (StrRaw, StrNoInt).
//
// Collections carry MetaBig once they outgrow Redis' compact encoding
// (the type's own write paths apply Redis' default thresholds).
func objectInfo(m *Meta) ObjectInfo {
	info := ObjectInfo{Type: m.Type}
	switch m.Type {
	case TypeString:
		if n, isInt := ParseInt(m.Value); isInt && len(m.Value) <= maxIntStrLen && m.Flags == StrAuto {
			info.Encoding = "int"
			info.SharedInt = n >= 0 && n < sharedInts
		} else if len(m.Value) <= embstrMaxLen && m.Flags != StrRaw {
			info.Encoding = "embstr"
		} else {
			info.Encoding = "raw"
		}
	case TypeList:
		info.Encoding = "quicklist" // Redis 7.0 keeps every list in a quicklist
	case TypeHash:
		info.Encoding = "listpack"
		if m.Flags&MetaBig != 0 {
			info.Encoding = "hashtable"
		}
	case TypeSet:
		info.Encoding = "intset"
		if m.Flags&MetaBig != 0 {
			info.Encoding = "hashtable"
		}
	case TypeZSet:
		info.Encoding = "listpack"
		if m.Flags&MetaBig != 0 {
			info.Encoding = "skiplist"
		}
	}
	return info
}
