package resp

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// INFO, with Redis 7.0's sections and field names.

func infoCommands() []*Command {
	return []*Command{
		{Name: "info", Arity: -1, Flags: FlagLoading | FlagStale, Handler: cmdInfo, Group: "server"},
	}
}

// infoSections are the sections INFO knows, in Redis' order; the default
// set is all of them.
var infoSections = []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"}

func cmdInfo(c *Client, args [][]byte) {
	want := map[string]bool{}
	if len(args) == 1 {
		for _, s := range infoSections {
			want[s] = true
		}
	}
	for _, a := range args[1:] {
		switch n := lowerName(a); n {
		case "all", "everything", "default":
			for _, s := range infoSections {
				want[s] = true
			}
		default:
			want[n] = true
		}
	}
	c.w.Verbatim(c.srv.infoString(want))
}

// infoString renders the wanted sections.
func (s *Server) infoString(want map[string]bool) string {
	var sb strings.Builder
	n := 0
	for _, sec := range infoSections {
		if !want[sec] {
			continue
		}
		if n > 0 {
			sb.WriteString("\r\n")
		}
		n++
		title := strings.ToUpper(sec[:1]) + sec[1:]
		if sec == "cpu" {
			title = "CPU"
		}
		sb.WriteString("# " + title + "\r\n")
		for _, f := range s.infoSection(sec) {
			sb.WriteString(f.k)
			sb.WriteByte(':')
			sb.WriteString(f.v)
			sb.WriteString("\r\n")
		}
	}
	return sb.String()
}

type field struct{ k, v string }

func i64(n int64) string { return strconv.FormatInt(n, 10) }

func (s *Server) infoSection(sec string) []field {
	switch sec {
	case "server":
		return s.infoServer()
	case "clients":
		return []field{
			{"connected_clients", strconv.Itoa(s.clientCount())},
			{"cluster_connections", "0"},
			{"maxclients", s.cfg.Get("maxclients")},
			{"client_recent_max_input_buffer", "0"},
			{"client_recent_max_output_buffer", "0"},
			{"blocked_clients", i64(s.blocked.count.Load())},
			{"tracking_clients", "0"},
			{"clients_in_timeout_table", "0"},
		}
	case "memory":
		return s.infoMemory()
	case "persistence":
		st := s.db.Stats()
		return []field{
			{"loading", "0"},
			{"async_loading", "0"},
			{"current_cow_peak", "0"},
			{"current_cow_size", "0"},
			{"current_cow_size_age", "0"},
			{"current_fork_perc", "0.00"},
			{"current_save_keys_processed", "0"},
			{"current_save_keys_total", "0"},
			{"rdb_changes_since_last_save", i64(max(st.Writes.Load()-st.SavedWrites.Load(), 0))},
			{"rdb_bgsave_in_progress", "0"},
			{"rdb_last_save_time", i64(st.LastSave.Load())},
			{"rdb_last_bgsave_status", "ok"},
			{"rdb_last_bgsave_time_sec", "-1"},
			{"rdb_current_bgsave_time_sec", "-1"},
			{"rdb_saves", "0"},
			{"rdb_last_cow_size", "0"},
			{"rdb_last_load_keys_expired", "0"},
			{"rdb_last_load_keys_loaded", "0"},
			{"aof_enabled", b2s(s.cfg.Bool("appendonly"))},
			{"aof_rewrite_in_progress", "0"},
			{"aof_rewrite_scheduled", "0"},
			{"aof_last_rewrite_time_sec", "-1"},
			{"aof_current_rewrite_time_sec", "-1"},
			{"aof_last_bgrewrite_status", "ok"},
			{"aof_rewrites", "0"},
			{"aof_rewrites_consecutive_failures", "0"},
			{"aof_last_write_status", "ok"},
			{"aof_last_cow_size", "0"},
			{"module_fork_in_progress", "0"},
			{"module_fork_last_cow_size", "0"},
		}
	case "stats":
		return s.infoStats()
	case "replication":
		return []field{
			{"role", "master"},
			{"connected_slaves", "0"},
			{"master_failover_state", "no-failover"},
			{"master_replid", s.replID},
			{"master_replid2", strings.Repeat("0", 40)},
			{"master_repl_offset", "0"},
			{"second_repl_offset", "-1"},
			{"repl_backlog_active", "0"},
			{"repl_backlog_size", "1048576"},
			{"repl_backlog_first_byte_offset", "0"},
			{"repl_backlog_histlen", "0"},
		}
	case "cpu":
		var ru, ch syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ch)
		tv := func(t syscall.Timeval) string { return fmt.Sprintf("%d.%06d", t.Sec, t.Usec) }
		return []field{
			{"used_cpu_sys", tv(ru.Stime)},
			{"used_cpu_user", tv(ru.Utime)},
			{"used_cpu_sys_children", tv(ch.Stime)},
			{"used_cpu_user_children", tv(ch.Utime)},
		}
	case "modules":
		return nil
	case "errorstats":
		_, codes := s.errs.snapshot()
		out := make([]field, 0, len(codes))
		for _, cc := range codes {
			out = append(out, field{"errorstat_" + cc.code, "count=" + i64(cc.n)})
		}
		return out
	case "cluster":
		return []field{{"cluster_enabled", b2s(s.cfg.Bool("cluster-enabled"))}}
	case "keyspace":
		keys := s.db.KeyCount()
		if keys == 0 {
			return nil
		}
		return []field{{"db0", fmt.Sprintf("keys=%d,expires=%d,avg_ttl=%d", keys, s.db.ExpiresCount(), s.db.AvgTTL())}}
	}
	return nil
}

func b2s(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func (s *Server) infoServer() []field {
	now := time.Now()
	mode := "standalone"
	if s.cfg.Bool("cluster-enabled") {
		mode = "cluster"
	}
	var un syscall.Utsname
	osName := runtime.GOOS
	if syscall.Uname(&un) == nil {
		osName = utsString(un.Sysname[:]) + " " + utsString(un.Release[:]) + " " + utsString(un.Machine[:])
	}
	exe, _ := os.Executable()
	conf := s.cfg.File()
	if conf != "" {
		if abs, err := filepath.Abs(conf); err == nil {
			conf = abs
		}
	}
	up := int64(now.Sub(s.start) / time.Second)
	return []field{
		{"redis_version", Version},
		{"redis_git_sha1", "00000000"},
		{"redis_git_dirty", "0"},
		{"redis_build_id", "0"},
		{"redis_mode", mode},
		{"kvnode_version", KvnodeVersion},
		{"os", osName},
		{"arch_bits", strconv.Itoa(strconv.IntSize)},
		{"monotonic_clock", "POSIX clock_gettime"},
		{"multiplexing_api", "epoll"},
		{"atomicvar_api", "c11-builtin"},
		{"go_version", runtime.Version()},
		{"process_id", strconv.Itoa(os.Getpid())},
		{"process_supervised", "no"},
		{"run_id", s.runID},
		{"tcp_port", s.cfg.Get("port")},
		{"server_time_usec", i64(now.UnixMicro())},
		{"uptime_in_seconds", i64(up)},
		{"uptime_in_days", i64(up / 86400)},
		{"hz", "10"},
		{"configured_hz", "10"},
		{"lru_clock", i64(now.Unix() & (1<<24 - 1))},
		{"executable", exe},
		{"config_file", conf},
		{"io_threads_active", "0"},
	}
}

// utsString converts a NUL-terminated utsname field.
func utsString[T int8 | uint8](b []T) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c == 0 {
			break
		}
		out = append(out, byte(c))
	}
	return string(out)
}

func (s *Server) infoMemory() []field {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	used := int64(ms.HeapAlloc + ms.StackInuse)
	peak := s.stats.peakMemory.Load()
	if used > peak {
		s.stats.peakMemory.Store(used)
		peak = used
	}
	rss := readRSS()
	total := totalSystemMemory()
	frag := "0.00"
	if used > 0 {
		frag = fmt.Sprintf("%.2f", float64(rss)/float64(used))
	}
	return []field{
		{"used_memory", i64(used)},
		{"used_memory_human", humanBytes(used)},
		{"used_memory_rss", i64(rss)},
		{"used_memory_rss_human", humanBytes(rss)},
		{"used_memory_peak", i64(peak)},
		{"used_memory_peak_human", humanBytes(peak)},
		{"used_memory_peak_perc", fmt.Sprintf("%.2f%%", 100*float64(used)/float64(max(peak, 1)))},
		{"total_system_memory", i64(total)},
		{"total_system_memory_human", humanBytes(total)},
		{"maxmemory", "0"},
		{"maxmemory_human", "0B"},
		{"maxmemory_policy", "noeviction"},
		{"mem_fragmentation_ratio", frag},
		{"mem_allocator", "go-" + runtime.Version()},
		{"lazyfree_pending_objects", "0"},
		{"lazyfreed_objects", "0"},
	}
}

func (s *Server) infoStats() []field {
	st := &s.stats
	total, _ := s.errs.snapshot()
	return []field{
		{"total_connections_received", i64(st.connsReceived.Load())},
		{"total_commands_processed", i64(st.commands.Load())},
		{"instantaneous_ops_per_sec", i64(s.ops.perSec())},
		{"total_net_input_bytes", i64(st.netInput.Load())},
		{"total_net_output_bytes", i64(st.netOutput.Load())},
		{"total_net_repl_input_bytes", "0"},
		{"total_net_repl_output_bytes", "0"},
		{"rejected_connections", i64(st.connsRejected.Load())},
		{"sync_full", "0"},
		{"sync_partial_ok", "0"},
		{"sync_partial_err", "0"},
		{"expired_keys", i64(s.db.Stats().ExpiredKeys.Load())},
		{"expired_stale_perc", "0.00"},
		{"expired_time_cap_reached_count", "0"},
		{"evicted_keys", "0"},
		{"evicted_clients", "0"},
		{"keyspace_hits", i64(st.keyspaceHits.Load())},
		{"keyspace_misses", i64(st.keyspaceMisses.Load())},
		{"pubsub_channels", i64(int64(s.pubsub.count(subChannel)))},
		{"pubsub_patterns", i64(int64(s.pubsub.count(subPattern)))},
		{"pubsubshard_channels", i64(int64(s.pubsub.count(subShard)))},
		{"latest_fork_usec", "0"},
		{"total_forks", "0"},
		{"migrate_cached_sockets", "0"},
		{"unexpected_error_replies", "0"},
		{"total_error_replies", i64(total)},
		{"total_reads_processed", i64(st.commands.Load())},
		{"total_writes_processed", i64(s.db.Stats().Writes.Load())},
	}
}

// humanBytes formats n as Redis' bytesToHuman does.
func humanBytes(n int64) string {
	f := float64(n)
	switch {
	case n < 1024:
		return i64(n) + "B"
	case n < 1<<20:
		return fmt.Sprintf("%.2fK", f/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.2fM", f/(1<<20))
	case n < 1<<40:
		return fmt.Sprintf("%.2fG", f/(1<<30))
	}
	return fmt.Sprintf("%.2fT", f/(1<<40))
}

// readRSS returns the process' resident set size in bytes (0 if unknown).
func readRSS() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// totalSystemMemory returns the machine's memory in bytes (0 if unknown).
func totalSystemMemory() int64 {
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
}
