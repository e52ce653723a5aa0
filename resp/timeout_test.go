package resp

import "testing"

func TestParseTimeoutRedis(t *testing.T) {
	for in, want := range map[string]string{"0x10": "16s", "inf": errTimeoutNegative, "1e400": errTimeoutNegative, "-1": errTimeoutNegative, "0.15": "150ms", "abc": errTimeoutFloat, "": errTimeoutFloat, ".5": "500ms", "0": "0s"} {
		d, e := parseTimeout([]byte(in))
		got := e
		if e == "" {
			got = d.String()
		}
		if got != want {
			t.Errorf("parseTimeout(%q) = %q, want %q", in, got, want)
		}
	}
}
