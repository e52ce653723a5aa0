package integration

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Random replies. SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER and RANDOMKEY
// pick at random, so their replies cannot match byte for byte. Before one
// runs, the differ reads the key's contents from redis-server on its
// auxiliary connection (the two servers hold the same data as long as the
// earlier replies matched); the replies are then compared by shape (the
// reply type and element count at every level) and every member kvnode
// returned must be in that snapshot, with the same value or score when the
// command returns them, and distinct where Redis promises distinct ones.
// After an SPOP that does not take the whole set the two sets differ: the
// corpus only checks their size (SCARD) before deleting them, and the
// generator only pops whole sets.

// randomCmds maps each random command to the command that reads the
// contents its reply must come from (the key follows the name).
var randomCmds = map[string][]string{
	"spop":        {"SMEMBERS"},
	"srandmember": {"SMEMBERS"},
	"hrandfield":  {"HGETALL"},
	"zrandmember": {"ZRANGE", "", "0", "-1", "WITHSCORES"},
	"randomkey":   {"KEYS", "*"},
}

// snapshot is the contents of the key a random command reads: member ->
// value (hash) or score (zset) element, nil for sets and key names.
type snapshot struct {
	members map[string]*reply
}

// snapshot reads what args (a random command) will pick from, on
// redis-server's auxiliary connection. It returns nil when the read fails
// or answers an error (wrong type): the replies are then compared as
// usual, byte for byte unless they are equal errors.
func (d *differ) snapshot(args []string) *snapshot {
	d.t.Helper()
	name := strings.ToLower(args[0])
	read := append([]string(nil), randomCmds[name]...)
	if name != "randomkey" {
		if len(args) < 2 {
			return nil
		}
		if len(read) > 1 {
			read[1] = args[1]
		} else {
			read = append(read, args[1])
		}
	}
	raw, err := d.aux.Do(read...)
	if err != nil {
		d.t.Fatalf("redis-server (auxiliary connection): %s: %v", quoteArgs(read), err)
	}
	p, err := parseReply(raw)
	if err != nil || isErr(raw) || p.null {
		return nil
	}
	s := &snapshot{members: map[string]*reply{}}
	switch name {
	case "hrandfield", "zrandmember":
		pairs, ok := pairsOf(p)
		if !ok {
			return nil
		}
		for _, pr := range pairs {
			s.members[pr[0].str] = pr[1]
		}
	default:
		for _, e := range p.elems {
			s.members[e.str] = nil
		}
	}
	return s
}

// pairsOf returns the pairs of a flat array or map ([f v f v …], RESP2 and
// RESP3 maps) or of an array of two-element arrays ([[m s] [m s]], RESP3
// WITHSCORES/WITHVALUES).
func pairsOf(r *reply) ([][2]*reply, bool) {
	var out [][2]*reply
	if len(r.elems) > 0 && r.elems[0].kind == '*' {
		for _, e := range r.elems {
			if e.kind != '*' || len(e.elems) != 2 {
				return nil, false
			}
			out = append(out, [2]*reply{e.elems[0], e.elems[1]})
		}
		return out, true
	}
	if len(r.elems)%2 != 0 {
		return nil, false
	}
	for i := 0; i < len(r.elems); i += 2 {
		out = append(out, [2]*reply{r.elems[i], r.elems[i+1]})
	}
	return out, true
}

// shape renders a reply's type and element counts at every level, without
// the payloads of scalars.
func shape(r *reply) string {
	var sb strings.Builder
	var walk func(r *reply)
	walk = func(r *reply) {
		sb.WriteByte(r.kind)
		if r.null {
			sb.WriteString("null")
			return
		}
		if r.elems == nil {
			return
		}
		fmt.Fprintf(&sb, "%d[", len(r.elems))
		for _, e := range r.elems {
			walk(e)
		}
		sb.WriteByte(']')
	}
	walk(r)
	return sb.String()
}

// sameRandom compares the replies of a random command as described above;
// note says how.
func sameRandom(args []string, kr, rr []byte, snap *snapshot) (bool, string) {
	kp, err1 := parseReply(kr)
	rp, err2 := parseReply(rr)
	if err1 != nil || err2 != nil {
		return false, "unparsable"
	}
	if ks, rs := shape(kp), shape(rp); ks != rs {
		return false, fmt.Sprintf("random: shape %s, redis %s", ks, rs)
	}
	name := strings.ToLower(args[0])
	withValues := len(args) > 3 && (strings.EqualFold(args[3], "withvalues") || strings.EqualFold(args[3], "withscores"))
	var count int64
	if len(args) > 2 {
		count, _ = strconv.ParseInt(args[2], 10, 64)
	}
	// distinct: SPOP, SRANDMEMBER, HRANDFIELD and ZRANDMEMBER with a
	// positive count return distinct members; a negative count allows
	// repeats.
	distinct := count > 0 || name == "spop"
	var got [][2]*reply
	switch {
	case kp.null:
	case kp.kind == '$':
		got = [][2]*reply{{kp, nil}}
	case withValues:
		pairs, ok := pairsOf(kp)
		if !ok {
			return false, "random: not member/value pairs"
		}
		got = pairs
	default:
		for _, e := range kp.elems {
			got = append(got, [2]*reply{e, nil})
		}
	}
	seen := map[string]bool{}
	for _, g := range got {
		m := g[0].str
		want, in := snap.members[m]
		if !in {
			return false, fmt.Sprintf("random: %q is not in the key (%d members)", m, len(snap.members))
		}
		if distinct && seen[m] {
			return false, fmt.Sprintf("random: %q returned twice", m)
		}
		seen[m] = true
		if g[1] != nil && (want == nil || g[1].kind != want.kind || g[1].str != want.str) {
			return false, fmt.Sprintf("random: %q comes with %q, the key has %v", m, g[1].str, want)
		}
	}
	return true, "random: compared by shape and membership"
}

// unsubscribeAll lists the commands that, without arguments, leave every
// channel (pattern, shard channel) and answer once per channel in the
// order of the server's own dictionary.
var unsubscribeAll = map[string]bool{"unsubscribe": true, "punsubscribe": true, "sunsubscribe": true}

// sameUnsubscribeAll compares the replies of an UNSUBSCRIBE (PUNSUBSCRIBE,
// SUNSUBSCRIBE) without arguments: one reply per channel, whose order
// Redis leaves unspecified. The replies must match in order with the
// channel names blanked (so the kind, the remaining counts and the
// framing are compared), and the channel names must match as a multiset.
func sameUnsubscribeAll(kr, rr []byte) (bool, string) {
	ks, err1 := splitReplies(kr)
	rs, err2 := splitReplies(rr)
	if err1 != nil || err2 != nil || len(ks) != len(rs) {
		return false, ""
	}
	var kn, rn []string
	for i := range ks {
		k, r := ks[i], rs[i]
		if k.kind != r.kind || len(k.elems) != 3 || len(r.elems) != 3 {
			return false, ""
		}
		kn = append(kn, shape(k.elems[1])+k.elems[1].str)
		rn = append(rn, shape(r.elems[1])+r.elems[1].str)
		for _, j := range []int{0, 2} {
			if shape(k.elems[j]) != shape(r.elems[j]) || k.elems[j].str != r.elems[j].str {
				return false, ""
			}
		}
	}
	sort.Strings(kn)
	sort.Strings(rn)
	return slices.Equal(kn, rn), "one reply per channel: channels compared as a set"
}

// splitReplies parses a concatenation of replies.
func splitReplies(raw []byte) ([]*reply, error) {
	br := bufio.NewReader(bytes.NewReader(raw))
	var out []*reply
	for {
		if _, err := br.Peek(1); err != nil { // the end of raw
			return out, nil
		}
		r, err := decodeFrom(br)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
}
