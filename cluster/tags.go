package cluster

import (
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/hashicorp/serf/serf"
)

// Tags are the small facts each node gossips in its Serf tags. They are a
// typed contract decoded in exactly one place (DecodeTags); the full slot
// claims are too big for tags (Serf caps the encoded set at 512 bytes) and
// travel separately, announced by ClaimsDigest.
type Tags struct {
	ID          string // 40-hex-char node ID
	Addr        string // client address, "ip:port"
	Role        Role
	PrimaryID   string // for a replica: its primary's ID
	ConfigEpoch uint64
	// ClaimsDigest changes whenever the node's slot claims change; a peer
	// that sees a digest it has not got pulls the claims.
	ClaimsDigest uint64
}

// Role is a node's role in its shard.
type Role string

// Roles.
const (
	RolePrimary Role = "primary"
	RoleReplica Role = "replica"
)

// Tag names. They are a wire format between nodes: never rename.
const (
	tagID      = "id"
	tagAddr    = "addr"
	tagRole    = "role"
	tagPrimary = "primary"
	tagEpoch   = "epoch"
	tagDigest  = "claims"
)

// ErrBadTags reports tags that do not decode.
var ErrBadTags = errors.New("cluster: malformed node tags")

// Encode returns the tags as Serf's string map.
func (t Tags) Encode() map[string]string {
	m := map[string]string{
		tagID:     t.ID,
		tagAddr:   t.Addr,
		tagRole:   string(t.Role),
		tagEpoch:  strconv.FormatUint(t.ConfigEpoch, 10),
		tagDigest: strconv.FormatUint(t.ClaimsDigest, 16),
	}
	if t.PrimaryID != "" {
		m[tagPrimary] = t.PrimaryID
	}
	return m
}

// DecodeTags parses and checks a node's tags.
func DecodeTags(m map[string]string) (Tags, error) {
	t := Tags{ID: m[tagID], Addr: m[tagAddr], Role: Role(m[tagRole]), PrimaryID: m[tagPrimary]}
	if !ValidID(t.ID) {
		return Tags{}, fmt.Errorf("%w: id %q", ErrBadTags, t.ID)
	}
	if _, _, err := net.SplitHostPort(t.Addr); err != nil {
		return Tags{}, fmt.Errorf("%w: addr %q", ErrBadTags, t.Addr)
	}
	switch t.Role {
	case RolePrimary:
		if t.PrimaryID != "" {
			return Tags{}, fmt.Errorf("%w: primary with a primary id", ErrBadTags)
		}
	case RoleReplica:
		if !ValidID(t.PrimaryID) {
			return Tags{}, fmt.Errorf("%w: replica of %q", ErrBadTags, t.PrimaryID)
		}
	default:
		return Tags{}, fmt.Errorf("%w: role %q", ErrBadTags, t.Role)
	}
	var err error
	if t.ConfigEpoch, err = strconv.ParseUint(m[tagEpoch], 10, 64); err != nil {
		return Tags{}, fmt.Errorf("%w: epoch %q", ErrBadTags, m[tagEpoch])
	}
	if t.ClaimsDigest, err = strconv.ParseUint(m[tagDigest], 16, 64); err != nil {
		return Tags{}, fmt.Errorf("%w: claims digest %q", ErrBadTags, m[tagDigest])
	}
	return t, nil
}

// MemberTags decodes a Serf member's tags.
func MemberTags(m serf.Member) (Tags, error) {
	t, err := DecodeTags(m.Tags)
	if err != nil {
		return Tags{}, fmt.Errorf("member %s: %w", m.Name, err)
	}
	return t, nil
}
