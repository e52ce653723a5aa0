package slots

import "testing"

// Expected values were taken from a real redis-server 7.0 in cluster mode
// with CLUSTER KEYSLOT.
func TestKeySlot(t *testing.T) {
	cases := []struct {
		key  string
		slot int
	}{
		{"foo", 12182},
		{"bar", 5061},
		{"hello", 866},
		{"123456789", 12739},
		{"{user1000}.following", 3443},
		{"{user1000}.followers", 3443},
		{"foo{}{bar}", 8363},
		{"foo{{bar}}zap", 4015},
		{"foo{bar}{zap}", 5061},
		{"{}", 15257},
		{"a{b", 13340},
		{"", 0},
	}
	for _, c := range cases {
		if got := KeySlot([]byte(c.key)); got != c.slot {
			t.Errorf("KeySlot(%q) = %d, want %d", c.key, got, c.slot)
		}
	}
}

func FuzzKeySlot(f *testing.F) {
	f.Add([]byte("foo{bar}"))
	f.Add([]byte("{}"))
	f.Add([]byte("{a}{b}"))
	f.Fuzz(func(t *testing.T, key []byte) {
		s := KeySlot(key)
		if s < 0 || s >= Count {
			t.Fatalf("slot %d out of range", s)
		}
		// A key with a non-empty tag hashes exactly like its tag.
		for i := 0; i < len(key); i++ {
			if key[i] != '{' {
				continue
			}
			for j := i + 1; j < len(key); j++ {
				if key[j] == '}' {
					if j > i+1 && KeySlot(key[i+1:j]) != s {
						// the tag itself may contain no braces that change its slot
						tag := key[i+1 : j]
						if !containsBrace(tag) {
							t.Fatalf("key %q slot %d != tag %q slot %d", key, s, tag, KeySlot(tag))
						}
					}
					return
				}
			}
			return
		}
	})
}

func containsBrace(b []byte) bool {
	for _, c := range b {
		if c == '{' || c == '}' {
			return true
		}
	}
	return false
}
