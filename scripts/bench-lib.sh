# Shell functions shared by scripts/bench and scripts/bench-cpu (sourced,
# not run). The caller sets $me, the name its messages start with.

# free_port prints a loopback port below 32768 that nothing listens on
# (nor on the port 10000 above it, a cluster bus's).
free_port() {
	local p
	for _ in $(seq 200); do
		p=$((21000 + RANDOM % 11000))
		if [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ] && [ -z "$(ss -Hltn "sport = :$((p + 10000))" 2>/dev/null)" ]; then
			echo "$p"
			return
		fi
	done
	echo "$me: no free port" >&2
	exit 1
}

# wait_ready PORT PID LOG waits until the server on PORT answers PING; it
# fails, showing LOG, if process PID exits first or after 30 s.
wait_ready() {
	for _ in $(seq 300); do
		if [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ]; then return; fi
		kill -0 "$2" 2>/dev/null || { echo "$me: the server for port $1 exited; its log:" >&2; cat "$3" >&2; exit 1; }
		sleep 0.1
	done
	echo "$me: nothing answers on port $1" >&2
	exit 1
}
