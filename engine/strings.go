package engine

import (
	"strconv"
)

// String operations. Strings live inline in their meta record.

// Get returns the string at key; ok is false when the key does not exist.
func (db *DB) Get(key []byte) (val []byte, ok bool, err error) {
	err = db.view(func(tx *Tx) error {
		e, err := tx.loadType(key, TypeString)
		if err != nil || !e.live {
			return err
		}
		val, ok = e.Value, true
		return nil
	})
	return val, ok, err
}

// SetOptions are SET's flags. ExpireAt is an absolute unix-ms time, 0 for
// none (the key loses any TTL unless KeepTTL).
type SetOptions struct {
	NX, XX, Get, KeepTTL bool
	ExpireAt             int64
}

// SetResult reports what Set did.
type SetResult struct {
	Done   bool   // the value was written (NX/XX conditions held)
	Old    []byte // the previous value, with SetOptions.Get
	HadOld bool   // a previous value existed, with SetOptions.Get
}

// Set implements SET with all its options. With Get, a non-string old value
// is ErrWrongType and nothing is written.
func (db *DB) Set(key, val []byte, o SetOptions) (SetResult, error) {
	var r SetResult
	err := db.update(func(tx *Tx) error {
		e, err := tx.load(key)
		if err != nil {
			return err
		}
		if o.Get && e.live {
			if e.Type != TypeString {
				return ErrWrongType
			}
			r.Old, r.HadOld = e.Value, true
		}
		if (o.NX && e.live) || (o.XX && !e.live) {
			return nil
		}
		r.Done = true
		return tx.setString(e, val, o.ExpireAt, o.KeepTTL, StrAuto)
	})
	return r, err
}

// setString turns e into a string holding val.
func (tx *Tx) setString(e *Entry, val []byte, expireAt int64, keepTTL bool, enc byte) error {
	ttl := expireAt
	if keepTTL && e.live {
		ttl = e.ExpireAt
	}
	if e.onDisk && e.Type != TypeString {
		// a collection (live or expired): drop it so its elements are collected
		if err := tx.del(e); err != nil {
			return err
		}
	}
	e.Meta = Meta{Type: TypeString, ExpireAt: ttl, Value: val, Flags: enc}
	return tx.put(e)
}

// MGet returns the values of keys; nil for keys that are missing or are not
// strings.
func (db *DB) MGet(keys [][]byte) ([][]byte, error) {
	out := make([][]byte, len(keys))
	err := db.view(func(tx *Tx) error {
		for i, k := range keys {
			e, err := tx.load(k)
			if err != nil {
				return err
			}
			if e.live && e.Type == TypeString {
				out[i] = e.Value
				if out[i] == nil {
					out[i] = []byte{}
				}
			}
		}
		return nil
	})
	return out, err
}

// MSet writes key/value pairs atomically. With nx, nothing is written when
// any key exists, and ok reports whether the pairs were written.
func (db *DB) MSet(pairs [][]byte, nx bool) (ok bool, err error) {
	keys := make([][]byte, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		keys = append(keys, pairs[i])
	}
	err = db.update(func(tx *Tx) error {
		entries := make([]*Entry, len(keys))
		for i, k := range keys {
			e, err := tx.load(k)
			if err != nil {
				return err
			}
			if nx && e.live {
				return nil
			}
			entries[i] = e
		}
		// Later duplicates win, as in Redis: reload an entry written twice.
		seen := make(map[string]*Entry, len(keys))
		for i, e := range entries {
			if prev, dup := seen[string(keys[i])]; dup {
				e = prev
			}
			seen[string(keys[i])] = e
			if err := tx.setString(e, pairs[2*i+1], 0, false, StrAuto); err != nil {
				return err
			}
		}
		ok = true
		return nil
	})
	return ok, err
}

// GetDel returns the string at key and deletes it.
func (db *DB) GetDel(key []byte) (val []byte, ok bool, err error) {
	err = db.update(func(tx *Tx) error {
		e, err := tx.loadType(key, TypeString)
		if err != nil || !e.live {
			return err
		}
		val, ok = e.Value, true
		return tx.del(e)
	})
	return val, ok, err
}

// GetEx returns the string at key and changes its TTL: when persist is set
// the TTL is removed, else when expireAt is non-zero it becomes the new
// expire time (a time in the past deletes the key).
func (db *DB) GetEx(key []byte, expireAt int64, persist bool) (val []byte, ok bool, err error) {
	err = db.update(func(tx *Tx) error {
		e, err := tx.loadType(key, TypeString)
		if err != nil || !e.live {
			return err
		}
		val, ok = e.Value, true
		switch {
		case persist && e.ExpireAt != 0:
			e.ExpireAt = 0
			return tx.put(e)
		case expireAt != 0 && expireAt <= tx.now:
			return tx.del(e)
		case expireAt != 0:
			e.ExpireAt = expireAt
			return tx.put(e)
		}
		return nil
	})
	return val, ok, err
}

// modifyString runs fn on the current string value of key (nil when
// missing) and stores the value it returns, keeping the TTL, with the
// encoding enc gives for whether the key existed.
func (db *DB) modifyString(key []byte, enc func(exists bool) byte, fn func(old []byte, exists bool) ([]byte, error)) error {
	return db.update(func(tx *Tx) error {
		e, err := tx.loadType(key, TypeString)
		if err != nil {
			return err
		}
		var old []byte
		if e.live {
			old = e.Value
		}
		nv, err := fn(old, e.live)
		if err != nil || nv == nil {
			return err
		}
		return tx.setString(e, nv, 0, true, enc(e.live))
	})
}

// Append appends val to the string at key and returns the new length.
func (db *DB) Append(key, val []byte) (int64, error) {
	var n int64
	err := db.modifyString(key, appendEnc, func(old []byte, _ bool) ([]byte, error) {
		if int64(len(old))+int64(len(val)) > MaxStringLen {
			return nil, ErrStringTooLong
		}
		nv := make([]byte, 0, len(old)+len(val))
		nv = append(append(nv, old...), val...)
		n = int64(len(nv))
		return nv, nil
	})
	return n, err
}

// StrLen returns the length of the string at key (0 when missing).
func (db *DB) StrLen(key []byte) (int64, error) {
	v, _, err := db.Get(key)
	return int64(len(v)), err
}

// IncrBy adds delta to the integer at key.
func (db *DB) IncrBy(key []byte, delta int64) (int64, error) {
	var n int64
	err := db.modifyString(key, always(StrAuto), func(old []byte, exists bool) ([]byte, error) {
		var cur int64
		if exists {
			v, ok := ParseInt(old)
			if !ok {
				return nil, ErrNotInteger
			}
			cur = v
		}
		if (delta < 0 && cur < 0 && delta < -1<<63-cur) || (delta > 0 && cur > 0 && delta > 1<<63-1-cur) {
			return nil, ErrOverflow
		}
		n = cur + delta
		return strconv.AppendInt(nil, n, 10), nil
	})
	return n, err
}

// IncrByFloat adds delta (a decimal string) to the number at key and returns
// the stored result, formatted as Redis formats long doubles.
func (db *DB) IncrByFloat(key []byte, delta []byte) ([]byte, error) {
	var out []byte
	err := db.modifyString(key, always(StrNoInt), func(old []byte, exists bool) ([]byte, error) {
		// Redis' order: the key's type, then its value, then the increment.
		cur := newLongDouble()
		if exists {
			v, ok := parseLongDouble(old)
			if !ok {
				return nil, ErrNotFloat
			}
			cur = v
		}
		d, ok := parseLongDouble(delta)
		if !ok {
			return nil, ErrNotFloat
		}
		sum, ok := addLongDouble(cur, d)
		if !ok {
			return nil, ErrNaNOrInfinity
		}
		out = formatLongDouble(sum)
		return out, nil
	})
	return out, err
}

// GetRange returns the substring of the string at key between start and
// end, inclusive, with negative offsets counted from the end.
func (db *DB) GetRange(key []byte, start, end int64) ([]byte, error) {
	v, _, err := db.Get(key)
	if err != nil {
		return nil, err
	}
	n := int64(len(v))
	if start < 0 && end < 0 && start > end {
		return []byte{}, nil
	}
	if start < 0 {
		start = max(n+start, 0)
	}
	if end < 0 {
		end = max(n+end, 0)
	}
	if end >= n {
		end = n - 1
	}
	if n == 0 || start > end {
		return []byte{}, nil
	}
	return v[start : end+1], nil
}

// SetRange overwrites the string at key from offset with val, zero-padding
// as needed, and returns the new length.
func (db *DB) SetRange(key []byte, offset int64, val []byte) (int64, error) {
	var n int64
	err := db.modifyString(key, always(StrRaw), func(old []byte, exists bool) ([]byte, error) {
		if len(val) == 0 {
			n = int64(len(old))
			return nil, nil
		}
		if offset > MaxStringLen-int64(len(val)) { // offset+len could overflow
			return nil, ErrStringTooLong
		}
		size := max(int64(len(old)), offset+int64(len(val)))
		nv := make([]byte, size)
		copy(nv, old)
		copy(nv[offset:], val)
		n = size
		return nv, nil
	})
	return n, err
}

// ParseInt parses a Redis integer argument or value strictly: optional '-',
// no leading zeros or '+', no spaces, within int64.
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	d := b
	if neg {
		d = b[1:]
	}
	if len(d) == 0 || d[0] < '1' || d[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		nv := v*10 + uint64(c-'0')
		if nv/10 != v {
			return 0, false
		}
		v = nv
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

// always returns an encoding chooser that ignores whether the key existed.
func always(enc byte) func(bool) byte { return func(bool) byte { return enc } }

// appendEnc is APPEND's encoding: a new key is encoded like SET's value,
// an existing one becomes raw, as Redis builds it in place.
func appendEnc(exists bool) byte {
	if exists {
		return StrRaw
	}
	return StrAuto
}
