// Package integration holds kvnode's end-to-end tests. They build the
// kvnode binary once, start real kvnode (and redis-server) processes on free
// loopback ports, each with its own data directory, and drive them over the
// network like a user would: go-redis, redis-cli, raw RESP frames, kill -9
// and restarts. The differential tests send the same commands to kvnode and
// to a real redis-server and compare the replies byte for byte.
//
// The package imports no project package but slots (DESIGN.md §2); a test
// in this package keeps the import direction of the whole module true.
//
// Run with:
//
//	go test -race -count=1 ./integration/
//
// KVNODE_RACE=1 builds kvnode itself with -race (a data race report in a
// node's output fails the test that ran it). KVNODE_DIFF_OUT=dir also
// writes each differential test's mismatch report to dir/<test>.txt.
// KVNODE_DIFF_SELF=1 runs the differential tests against a second
// redis-server instead of kvnode: they must then pass, which shows the
// corpus and the normalisations are deterministic.
package integration
