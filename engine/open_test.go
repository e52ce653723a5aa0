package engine

import "testing"

// Test stores. openLive opens a store with its background loops (active
// expiry, sync, collector) running, as kvnode runs it; openQuiet stops
// them, so counters and element keys only move when the test moves them.
// Both close the store when the test ends.

func openLive(t testing.TB, o Options) *DB {
	t.Helper()
	db, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func openQuiet(t testing.TB, o Options) *DB {
	t.Helper()
	db := openLive(t, o)
	db.cancel()
	db.wg.Wait()
	return db
}

// mem is an in-memory store's options.
var mem = Options{InMemory: true}
