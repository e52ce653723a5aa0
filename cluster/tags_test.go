package cluster

import (
	"errors"
	"testing"

	"github.com/hashicorp/serf/serf"
)

func TestTagsRoundTrip(t *testing.T) {
	for _, tags := range []Tags{
		{ID: NewID(), Addr: "127.0.0.1:7000", Role: RolePrimary, ConfigEpoch: 7, ClaimsDigest: 0xdeadbeef},
		{ID: NewID(), Addr: "[::1]:7001", Role: RoleReplica, PrimaryID: NewID(), ConfigEpoch: 1<<64 - 1},
	} {
		enc := tags.Encode()
		size := 0
		for k, v := range enc {
			size += len(k) + len(v) + 4 // msgpack string headers, roughly
		}
		if size > 400 {
			t.Errorf("encoded tags take ~%d bytes; Serf's limit is 512 with its own framing", size)
		}
		got, err := MemberTags(serf.Member{Name: "n", Tags: enc})
		if err != nil || got != tags {
			t.Fatalf("round trip: %+v, %v; want %+v", got, err, tags)
		}
	}
}

func TestDecodeTagsRejects(t *testing.T) {
	good := Tags{ID: NewID(), Addr: "127.0.0.1:7000", Role: RolePrimary}.Encode()
	for name, mutate := range map[string]func(map[string]string){
		"bad id":          func(m map[string]string) { m[tagID] = "x" },
		"bad addr":        func(m map[string]string) { m[tagAddr] = "nohostport" },
		"bad role":        func(m map[string]string) { m[tagRole] = "leader" },
		"replica w/o id":  func(m map[string]string) { m[tagRole] = string(RoleReplica) },
		"primary with id": func(m map[string]string) { m[tagPrimary] = NewID() },
		"bad epoch":       func(m map[string]string) { m[tagEpoch] = "-1" },
		"missing digest":  func(m map[string]string) { delete(m, tagDigest) },
	} {
		m := map[string]string{}
		for k, v := range good {
			m[k] = v
		}
		mutate(m)
		if _, err := DecodeTags(m); !errors.Is(err, ErrBadTags) {
			t.Errorf("%s: err = %v, want ErrBadTags", name, err)
		}
	}
}
