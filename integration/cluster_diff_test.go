package integration

import (
	"fmt"
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
	groups, total := loadCorpus(t, "cluster_corpus.txt", 5, 100)
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
		d.runGroups("cluster_corpus.txt", groups)
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
