package integration

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kvnode/kvnode/slots"
)

// testPubSubAcrossNodes: PUBLISH on one node reaches channel and pattern
// subscribers on every other node (its reply counts the publishing node's
// receivers only, as in Redis Cluster); SPUBLISH/SSUBSCRIBE are routed to
// the shard channel's slot owner.
func testPubSubAcrossNodes(t *testing.T, c *testCluster) {
	subs := make([]*rawClient, len(c.nodes))
	for i, n := range c.nodes {
		subs[i] = dial(t, n)
		expect(t, subs[i], "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", "SUBSCRIBE", "news")
		expect(t, subs[i], "*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:2\r\n", "PSUBSCRIBE", "n*")
	}
	pub := dial(t, c.nodes[0])
	for i := 0; i < 3; i++ {
		// Two receivers on the publishing node itself: the channel and the
		// pattern subscription.
		expect(t, pub, ":2\r\n", "PUBLISH", "news", fmt.Sprintf("m%d", i))
	}
	for i, s := range subs {
		var got strings.Builder
		for n := 0; n < 6; n++ {
			r, err := s.Read()
			if err != nil {
				t.Fatalf("node %d: message %d of 6 did not arrive: %v (got %q)", i, n+1, err, got.String())
			}
			got.Write(r)
		}
		for m := 0; m < 3; m++ {
			msg := fmt.Sprintf("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nm%d\r\n", m)
			pmsg := fmt.Sprintf("*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nm%d\r\n", m)
			if !strings.Contains(got.String(), msg) || !strings.Contains(got.String(), pmsg) {
				t.Fatalf("node %d: message m%d missing from %q", i, m, got.String())
			}
		}
		// Order per publisher is kept.
		if a, b := strings.Index(got.String(), "m0"), strings.Index(got.String(), "m2"); a > b {
			t.Fatalf("node %d: m2 before m0 in %q", i, got.String())
		}
	}

	// Shard channels: routed like keys.
	slot := slots.KeySlot([]byte("orders"))
	owner := c.owner(slot)
	other := c.nodes[(owner+1)%len(c.nodes)]
	moved := fmt.Sprintf("-MOVED %d %s\r\n", slot, c.nodes[owner].Addr())
	expect(t, dial(t, other), moved, "SPUBLISH", "orders", "x")
	expect(t, dial(t, other), moved, "SSUBSCRIBE", "orders")
	ssub := dial(t, c.nodes[owner])
	expect(t, ssub, "*3\r\n$10\r\nssubscribe\r\n$6\r\norders\r\n:1\r\n", "SSUBSCRIBE", "orders")
	expect(t, dial(t, c.nodes[owner]), ":1\r\n", "SPUBLISH", "orders", "x")
	r, err := ssub.Read()
	if err != nil || string(r) != "*3\r\n$8\r\nsmessage\r\n$6\r\norders\r\n$1\r\nx\r\n" {
		t.Fatalf("smessage: %q %v", r, err)
	}
}
