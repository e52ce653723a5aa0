package resp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseArgsFileAndOverride(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "kvnode.conf")
	conf := "# a comment\nport 7000\n\nrequirepass \"p w\"\nappendfsync always\nmaxclients 2k\n"
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := ParseArgs([]string{file, "--port", "7001", "--loglevel", "warning"})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"port": "7001", "requirepass": "p w", "appendfsync": "always",
		"maxclients": "2000", "loglevel": "warning", "bind": "127.0.0.1",
	} {
		if got := c.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if c.File() != file {
		t.Errorf("File() = %q", c.File())
	}
}

func TestParseArgsErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--nosuch", "1"}, "unknown option 'nosuch'"},
		{[]string{"--port"}, "option --port needs a value"},
		{[]string{"--port", "x"}, "option 'port': argument couldn't be parsed into an integer"},
		{[]string{"--port", "70000"}, "argument must be between 0 and 65535 inclusive"},
		{[]string{"--appendfsync", "sometimes"}, "argument(s) must be one of the following: always, everysec, no"},
		{[]string{"--cluster-enabled", "maybe"}, "argument must be 'yes' or 'no'"},
		{[]string{"--port", "1", "stray"}, "option 'port'"},
		{[]string{"/nonexistent/kvnode.conf"}, "read config file"},
	} {
		_, err := ParseArgs(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseArgs(%q) error = %v, want it to contain %q", tc.args, err, tc.want)
		}
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "bad.conf")
	if err := os.WriteFile(file, []byte("port 7000\nbogus yes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseArgs([]string{file}); err == nil || !strings.Contains(err.Error(), "bad.conf:2: unknown option 'bogus'") {
		t.Errorf("bad file error = %v", err)
	}
}

func TestUsageListsEveryOption(t *testing.T) {
	u := Usage()
	for _, p := range Params {
		if !strings.Contains(u, "--"+p.Name+" ") {
			t.Errorf("--help lacks --%s", p.Name)
		}
	}
	if !strings.Contains(u, "(default 6379)") {
		t.Error("--help does not show the port default")
	}
}

func TestConfigRewrite(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "kvnode.conf")
	if err := os.WriteFile(file, []byte("# keep me\nport 7000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := ParseArgs([]string{file})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Set("maxclients", "77"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rewrite(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(file)
	got := string(b)
	for _, want := range []string{"# keep me\n", "port 7000\n", "maxclients 77\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("rewritten file %q lacks %q", got, want)
		}
	}
}

// FuzzConfigLoad feeds arbitrary config text to the parser: it may
// refuse it, but must not panic, and what it accepts must be valid values.
func FuzzConfigLoad(f *testing.F) {
	f.Add("port 7000\n# c\nrequirepass \"a b\"\n")
	f.Add("save \"\"\nbind 127.0.0.1 ::1\n")
	f.Add("port '7000\n")
	f.Fuzz(func(t *testing.T, text string) {
		c := DefaultConfig()
		if err := c.load(strings.NewReader(text), "fuzz"); err != nil {
			return
		}
		for _, p := range Params {
			if _, err := p.Check(c.Get(p.Name)); err != nil {
				t.Fatalf("accepted config leaves %s = %q, which its check refuses: %v", p.Name, c.Get(p.Name), err)
			}
		}
	})
}

// TestConfigConcurrentSetGet reads options while another goroutine sets
// them (every command reads a few): readers see either value, never a torn
// or missing one.
func TestConfigConcurrentSetGet(t *testing.T) {
	c := DefaultConfig()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 2000 {
			v := "1000"
			if i%2 == 1 {
				v = "2000"
			}
			if err := c.Set("slowlog-max-len", v); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for {
		select {
		case <-done:
			if n := c.Int("slowlog-max-len"); n != 2000 {
				t.Fatalf("slowlog-max-len = %d after the last Set, want 2000", n)
			}
			return
		default:
		}
		if n := c.Int("slowlog-max-len"); n != 1000 && n != 2000 && n != 128 {
			t.Fatalf("slowlog-max-len read as %d", n)
		}
		if c.Int("proto-max-bulk-len") != 512<<20 || c.Get("port") != "6379" {
			t.Fatalf("unrelated options changed: %d %q", c.Int("proto-max-bulk-len"), c.Get("port"))
		}
	}
}
