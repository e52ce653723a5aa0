package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"
)

// The direction of imports (DESIGN.md §2), kept true by a test:
//
//	cmd/kvnode -> resp -> cluster -> engine -> slots
//
// slots imports no project package, engine only slots, cluster neither
// resp nor cmd, resp not cmd, and integration (also its tests) only slots.

// listedPkg is the part of `go list -json` the rules need.
type listedPkg struct {
	ImportPath   string
	Imports      []string
	Deps         []string
	TestImports  []string
	XTestImports []string
}

// importRules maps a package group (the first path element under the
// module) to a check of the group of a project package it depends on.
var importRules = map[string]func(dep string) bool{
	"slots":       func(dep string) bool { return dep == "slots" },
	"engine":      func(dep string) bool { return dep == "engine" || dep == "slots" },
	"cluster":     func(dep string) bool { return dep != "resp" && dep != "cmd" },
	"resp":        func(dep string) bool { return dep != "cmd" },
	"integration": func(dep string) bool { return dep == "integration" || dep == "slots" },
}

// group returns the package group of a project import path, and false for
// a path outside the module.
func group(mod, path string) (string, bool) {
	if path == mod {
		return "", true
	}
	rest, ok := strings.CutPrefix(path, mod+"/")
	if !ok {
		return "", false
	}
	g, _, _ := strings.Cut(rest, "/")
	return g, true
}

// importViolations returns one line per forbidden dependency: the
// non-test dependencies (direct and transitive) of every package, and for
// integration also those of its test files.
func importViolations(mod string, pkgs []listedPkg) []string {
	byPath := make(map[string]listedPkg, len(pkgs))
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	var out []string
	for _, p := range pkgs {
		g, _ := group(mod, p.ImportPath)
		rule := importRules[g]
		if rule == nil {
			continue
		}
		deps := map[string]string{} // dep -> how
		for _, d := range p.Deps {
			deps[d] = "imports"
		}
		for _, d := range p.Imports {
			deps[d] = "imports"
		}
		if g == "integration" {
			for _, d := range append(append([]string(nil), p.TestImports...), p.XTestImports...) {
				if d == p.ImportPath {
					continue
				}
				if _, seen := deps[d]; !seen {
					deps[d] = "imports (in tests)"
				}
				for _, dd := range byPath[d].Deps {
					if _, seen := deps[dd]; !seen {
						deps[dd] = "imports (in tests, through " + d + ")"
					}
				}
			}
		}
		for d, how := range deps {
			dg, inMod := group(mod, d)
			if inMod && d != p.ImportPath && !rule(dg) {
				out = append(out, p.ImportPath+" "+how+" "+d)
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestImportDirection lists the module's packages with go list and fails on
// any import against DESIGN.md §2.
func TestImportDirection(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	mcmd := exec.CommandContext(ctx, "go", "list", "-m")
	mcmd.Dir = moduleRoot
	modOut, err := mcmd.Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	mod := strings.TrimSpace(string(modOut))
	cmd := exec.CommandContext(ctx, "go", "list", "-e", "-json", "./...")
	cmd.Dir = moduleRoot
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -json ./...: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	found := map[string]bool{}
	for _, p := range pkgs {
		found[p.ImportPath] = true
	}
	for _, want := range []string{"slots", "engine", "resp", "cmd/kvnode", "integration"} {
		if !found[mod+"/"+want] {
			t.Errorf("go list did not list %s/%s: the check would prove nothing", mod, want)
		}
	}
	for _, v := range importViolations(mod, pkgs) {
		t.Errorf("forbidden import (DESIGN.md §2): %s", v)
	}
}

// TestImportRulesCatchViolations feeds the checker a module that breaks
// every rule once, so TestImportDirection is known to be able to fail.
func TestImportRulesCatchViolations(t *testing.T) {
	t.Parallel()
	const m = "example.com/kv"
	pkgs := []listedPkg{
		{ImportPath: m + "/slots", Deps: []string{"fmt", m + "/engine"}},
		{ImportPath: m + "/engine", Deps: []string{m + "/slots", m + "/engine/enc", m + "/resp"}},
		{ImportPath: m + "/engine/enc", Deps: []string{m + "/slots"}},
		{ImportPath: m + "/cluster", Deps: []string{m + "/engine", m + "/slots", m + "/resp"}},
		{ImportPath: m + "/resp", Deps: []string{m + "/cluster", m + "/cmd/kvnode"}},
		{ImportPath: m + "/cmd/kvnode", Deps: []string{m + "/resp"}},
		{ImportPath: m + "/integration", TestImports: []string{m + "/slots", m + "/engine/enc"}},
	}
	got := importViolations(m, pkgs)
	want := []string{
		m + "/cluster imports " + m + "/resp",
		m + "/engine imports " + m + "/resp",
		m + "/integration imports (in tests) " + m + "/engine/enc",
		m + "/integration imports (in tests, through " + m + "/slots) " + m + "/engine",
		m + "/resp imports " + m + "/cmd/kvnode",
		m + "/slots imports " + m + "/engine",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
