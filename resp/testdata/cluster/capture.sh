#!/bin/sh
# capture.sh regenerates the redis-7.0.15 captures in this directory: the raw
# RESP bytes real Redis 7.0.15 clusters reply to CLUSTER NODES / SLOTS /
# SHARDS / INFO / LINKS, over RESP2 and over RESP3 (after HELLO 3).
#
# Usage (from anywhere; needs redis-server/redis-cli 7.0.15 and python3):
#   sh resp/testdata/cluster/capture.sh
#
# It runs throw-away servers on 127.0.0.1 ports 12001-12004 and 12011-12017
# (bus ports 22001-22017) under /tmp/fmt-c, and shuts every one down at the
# end. Node IDs, times and counters differ on every run; the tests in
# resp/cluster_format_test.go rebuild a cluster.View from each capture, so
# any fresh capture is as good as the committed one.
#
# File names are <scenario>.<command>.resp<2|3>; the scenarios are listed in
# README.
set -eu
OUT=$(cd "$(dirname "$0")" && pwd)
W=/tmp/fmt-c
rm -rf "$W"
mkdir -p "$W"

cat > "$W/cap.py" <<'PY'
"""cap.py PORT PROTO OUTFILE CMD [ARGS...]: send one command over a raw
socket (after HELLO 3 when PROTO is 3) and write the reply's raw bytes."""
import socket, sys

def enc(args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out

def readall(s):
    s.settimeout(0.5)
    buf = b""
    while True:
        try:
            d = s.recv(65536)
        except socket.timeout:
            return buf
        if not d:
            return buf
        buf += d

port, proto, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port))
if proto == "3":
    s.sendall(enc(["HELLO", "3"]))
    readall(s)
s.sendall(enc(sys.argv[4:]))
data = readall(s)
with open(out, "wb") as f:
    f.write(data)
PY

start() { # start PORT...
	for p in "$@"; do
		redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes \
			--cluster-config-file "$W/$p.conf" --cluster-node-timeout 2000 \
			--dir "$W" --dbfilename "$p.rdb" --save '' --appendonly no \
			--daemonize yes --logfile "$W/$p.log" --pidfile "$W/$p.pid"
	done
	sleep 1
}
stop() { # stop PORT...
	for p in "$@"; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
}
cleanup() {
	stop 12001 12002 12003 12004 12011 12012 12013 12014 12015 12016 12017
	rm -rf "$W"
}
trap cleanup EXIT

id() { redis-cli -p "$1" cluster myid; }

# cap SCENARIO PORT CMD... : capture CLUSTER CMD from PORT in RESP2 and RESP3
cap() {
	sc=$1 port=$2
	shift 2
	for c in "$@"; do
		lc=$(echo "$c" | tr 'A-Z' 'a-z')
		for proto in 2 3; do
			python3 "$W/cap.py" "$port" "$proto" "$OUT/$sc.$lc.resp$proto" CLUSTER "$c"
		done
	done
}
ALL="NODES SLOTS SHARDS INFO LINKS"

# converge PORT...: wait until every node reports cluster_state:ok and the
# same view of the slots.
converge() {
	for i in $(seq 60); do
		if redis-cli --cluster check "127.0.0.1:$1" 2>/dev/null | grep -q 'All 16384 slots covered' &&
			! redis-cli --cluster check "127.0.0.1:$1" 2>/dev/null | grep -qi 'ERR\|not agree'; then
			ok=1
			for p in "$@"; do
				redis-cli -p "$p" cluster info | grep -q 'cluster_state:ok' || ok=0
			done
			[ $ok = 1 ] && { sleep 2; return; }
		fi
		sleep 1
	done
	echo "cluster did not converge" >&2
	exit 1
}

# synced PORT: wait until PORT sees every replica with a replication offset
# other than 0 (until then CLUSTER SLOTS leaves the replica out and CLUSTER
# SHARDS reports it "loading").
synced() {
	for i in $(seq 60); do
		redis-cli -p "$1" cluster shards | grep -q '^loading$' || return 0
		sleep 1
	done
	echo "replicas did not sync" >&2
	exit 1
}

# --- single: a fresh cluster-enabled node that has met nobody ------------
start 12004
cap single 12004 $ALL

# --- p3: three primaries --------------------------------------------------
start 12001 12002 12003
redis-cli --cluster create 127.0.0.1:12001 127.0.0.1:12002 127.0.0.1:12003 --cluster-yes >/dev/null
converge 12001 12002 12003
cap p3 12001 $ALL

# --- p3mig: 12001 migrates slots 5 and 7 out and imports 6000 -------------
redis-cli -p 12001 cluster setslot 5 migrating "$(id 12002)" >/dev/null
redis-cli -p 12001 cluster setslot 7 migrating "$(id 12003)" >/dev/null
redis-cli -p 12001 cluster setslot 6000 importing "$(id 12002)" >/dev/null
cap p3mig 12001 NODES SLOTS SHARDS
cap p3mig-peer 12002 NODES
for s in 5 7 6000; do redis-cli -p 12001 cluster setslot $s stable >/dev/null; done

# --- p3host: 12001 and 12002 announce hostnames, seen from 12003 ----------
redis-cli -p 12001 config set cluster-announce-hostname node-1.example >/dev/null
redis-cli -p 12002 config set cluster-announce-hostname node-2.example >/dev/null
sleep 4
cap p3host 12003 NODES SLOTS SHARDS
cap p3host-self 12001 NODES SLOTS SHARDS
stop 12001 12002 12003

# --- r3: three primaries with a replica each ------------------------------
start 12011 12012 12013 12014 12015 12016
redis-cli --cluster create 127.0.0.1:12011 127.0.0.1:12012 127.0.0.1:12013 \
	127.0.0.1:12014 127.0.0.1:12015 127.0.0.1:12016 --cluster-replicas 1 --cluster-yes >/dev/null
converge 12011 12012 12013 12014 12015 12016
synced 12011
cap r3 12011 $ALL
# a replica's own view (myself,slave; cluster_my_epoch)
R=$(redis-cli -p 12011 cluster nodes | awk '$3 ~ /slave/ {split($2,a,"[:@]"); print a[2]; exit}')
synced "$R"
cap r3-replica "$R" NODES SLOTS SHARDS INFO LINKS

# --- r3load: 12017 becomes a second replica of 12011 and is held in its
# initial sync (replication offset 0, SHARDS health "loading") -------------
start 12017
redis-cli -p 12011 config set repl-diskless-sync yes >/dev/null
redis-cli -p 12011 config set repl-diskless-sync-delay 20 >/dev/null
redis-cli -p 12017 cluster meet 127.0.0.1 12011 >/dev/null
sleep 3
redis-cli -p 12017 cluster replicate "$(id 12011)" >/dev/null
sleep 4
cap r3load 12012 NODES SLOTS SHARDS

# --- r3x2: after the sync, 12011 has two replicas --------------------------
for i in $(seq 60); do
	redis-cli -p 12017 info replication | grep -q 'master_link_status:up' && break
	sleep 1
done
synced 12012
cap r3x2 12012 NODES SLOTS SHARDS

# --- r3fail: a replica of 12011 and the primary 12013 are killed; 12013's
# replica takes over ----------------------------------------------------------
redis-cli -p 12017 shutdown nosave >/dev/null 2>&1 || true
redis-cli -p 12013 shutdown nosave >/dev/null 2>&1 || true
sleep 15
synced 12012
cap r3fail 12012 $ALL
