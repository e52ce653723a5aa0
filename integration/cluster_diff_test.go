package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDifferentialClusterCorpus runs testdata/cluster_corpus.txt on a
// kvnode and a redis-server that are each a one-node cluster serving every
// slot, in RESP2 and RESP3, and reports every reply that differs: the
// CLUSTER subcommands' replies and errors, CROSSSLOT on every multi-key
// shape, redirections inside MULTI, SELECT, READONLY and ASKING.
func TestDifferentialClusterCorpus(t *testing.T) {
	t.Parallel()
	text, err := os.ReadFile(filepath.Join("testdata", "cluster_corpus.txt"))
	if err != nil {
		t.Fatal(err)
	}
	groups, err := parseCorpus(string(text))
	if err != nil {
		t.Fatalf("cluster_corpus.txt: %v", err)
	}
	total := 0
	for _, g := range groups {
		total += len(g)
	}
	if total < 100 {
		t.Fatalf("cluster_corpus.txt parsed into %d commands: too few, is it truncated?", total)
	}
	kv := startClusterNode(t, kvnodeFlavour)
	rd := startClusterNode(t, redisFlavour)
	for _, p := range []*proc{kv, rd} {
		if out, err := query(p.Addr(), "CLUSTER", "ADDSLOTSRANGE", "0", "16383"); err != nil || out != "+OK\r\n" {
			t.Fatalf("%s: CLUSTER ADDSLOTSRANGE 0 16383: %q %v", p.name, out, err)
		}
		_, ok, last := waitUntil(10*time.Second, 50*time.Millisecond, func() (bool, string) {
			info, err := clusterInfo(p.Addr())
			return err == nil && infoField(info, "cluster_state") == "ok", fmt.Sprint(info, err)
		})
		if !ok {
			t.Fatalf("%s never reached cluster_state:ok: %s", p.name, last)
		}
	}
	d := newDiffer(t, kv, rd)
	defer d.report()
	for _, proto := range []int{2, 3} {
		if !d.connect(proto) {
			continue
		}
		for _, g := range groups {
			where := fmt.Sprintf("cluster_corpus.txt:%d", g[0].line)
			if d.dirty {
				d.resetConns(where)
			}
			d.flush(where)
			for _, c := range g {
				d.run(fmt.Sprintf("cluster_corpus.txt:%d", c.line), c.args)
			}
		}
		// The last group gave slots back and forth; both must serve all
		// of them again for the next pass.
		for _, p := range []*proc{kv, rd} {
			if out, _ := query(p.Addr(), "CLUSTER", "COUNTKEYSINSLOT", "0"); strings.HasPrefix(out, "-") {
				t.Fatalf("%s: %s", p.name, out)
			}
		}
	}
	if d.compared < total {
		t.Errorf("compared %d commands, the corpus has %d", d.compared, total)
	}
}
