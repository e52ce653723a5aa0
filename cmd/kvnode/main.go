// Command kvnode runs one kvnode server: a Redis-protocol key-value node
// whose data lives on disk. It takes redis-server's option names.
package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/kvnode/kvnode/cluster"
	"github.com/kvnode/kvnode/engine"
	"github.com/kvnode/kvnode/resp"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	for _, a := range args {
		if a == "--help" || a == "-h" {
			fmt.Print(resp.Usage())
			return 0
		}
		if a == "--version" || a == "-v" {
			fmt.Println("kvnode v=" + resp.Version)
			return 0
		}
	}
	cfg, err := resp.ParseArgs(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kvnode:", err)
		fmt.Fprintln(os.Stderr, "Run kvnode --help for the options.")
		return 2
	}
	log, closeLog, err := newLogger(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kvnode:", err)
		return 1
	}
	defer closeLog()
	// KVNODE_CPUPROFILE=file writes a CPU profile until shutdown (for
	// scripts/bench investigations).
	if path := os.Getenv("KVNODE_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}

	sync := map[string]engine.SyncMode{"always": engine.SyncAlways, "everysec": engine.SyncEverySec, "no": engine.SyncNo}[cfg.Get("appendfsync")]
	dir := cfg.Get("dir")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Error("cannot create data dir", "dir", dir, "err", err)
		return 1
	}
	db, err := engine.Open(engine.Options{Dir: dir, Sync: sync, Logger: log})
	if err != nil {
		log.Error("cannot open data dir", "dir", dir, "err", err)
		return 1
	}
	srv := resp.NewServer(cfg, db, log)
	var node *cluster.Node
	if cfg.Bool("cluster-enabled") {
		if node, err = startCluster(cfg, log); err != nil {
			log.Error("cannot start cluster mode", "err", err)
			_ = db.Close()
			return 1
		}
		srv.SetCluster(node)
	}

	var lns []net.Listener
	for _, host := range strings.Fields(cfg.Get("bind")) {
		host = strings.TrimPrefix(host, "-")
		addr := net.JoinHostPort(host, cfg.Get("port"))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			log.Error("cannot listen", "addr", addr, "err", err)
			for _, l := range lns {
				l.Close()
			}
			if node != nil {
				node.Close()
			}
			_ = db.Close()
			return 1
		}
		lns = append(lns, ln)
	}
	stop := make(chan string, 1)
	srv.Shutdown = func() {
		select {
		case stop <- "SHUTDOWN command":
		default:
		}
	}
	for _, ln := range lns {
		go func() {
			if err := srv.Serve(ln); err != nil {
				log.Error("serve failed", "err", err)
			}
		}()
	}
	log.Info("kvnode ready to accept connections", "port", cfg.Get("port"), "dir", dir, "pid", os.Getpid())

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	var why string
	select {
	case s := <-sigs:
		why = "signal " + s.String()
	case why = <-stop:
	}
	log.Info("shutting down", "reason", why)
	go func() {
		<-sigs
		log.Error("second signal: exiting now")
		os.Exit(1)
	}()
	start := time.Now()
	if err := srv.Close(); err != nil {
		log.Warn("closing clients", "err", err)
	}
	if node != nil {
		node.Close() // leaves the gossip cluster; peers see the node go
	}
	if err := db.Close(); err != nil {
		log.Error("closing store", "err", err)
		return 1
	}
	log.Info("bye", "took", time.Since(start).Round(time.Millisecond).String())
	return 0
}

// startCluster starts this node's cluster membership: gossip on the bus
// port (cluster-port, default port+10000), announcing cluster-announce-ip
// or the first bind address.
func startCluster(cfg *resp.Config, log *slog.Logger) (*cluster.Node, error) {
	port := int(cfg.Int("port"))
	bus := int(cfg.Int("cluster-port"))
	if bus == 0 {
		bus = port + 10000
	}
	if bus > 65535 {
		return nil, fmt.Errorf("cluster bus port %d (port+10000) is out of range: set --cluster-port", bus)
	}
	bind := "127.0.0.1"
	if f := strings.Fields(cfg.Get("bind")); len(f) > 0 {
		bind = strings.TrimPrefix(f[0], "-")
	}
	ip := cfg.Get("cluster-announce-ip")
	if ip == "" {
		ip = bind
		if addr := net.ParseIP(ip); addr == nil || addr.IsUnspecified() {
			return nil, fmt.Errorf("bind %q is not one IP address: set --cluster-announce-ip", bind)
		}
	}
	key, err := resp.GossipKey(cfg.Get("cluster-gossip-key"))
	if err != nil {
		return nil, err
	}
	return cluster.Start(cluster.Config{
		Dir:                 cfg.Get("dir"),
		IP:                  ip,
		Port:                port,
		BusPort:             bus,
		BindIP:              bind,
		NodeTimeout:         time.Duration(cfg.Int("cluster-node-timeout")) * time.Millisecond,
		GossipKey:           key,
		RequireFullCoverage: func() bool { return cfg.Bool("cluster-require-full-coverage") },
		Logger:              log,
	})
}

// newLogger builds the process logger from loglevel and logfile.
func newLogger(cfg *resp.Config) (*slog.Logger, func(), error) {
	var w io.Writer = os.Stdout
	closer := func() {}
	if f := cfg.Get("logfile"); f != "" {
		fh, err := os.OpenFile(f, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("open logfile: %w", err)
		}
		w, closer = fh, func() { fh.Close() }
	}
	lv := new(slog.LevelVar)
	lv.Set(resp.LogLevel(cfg.Get("loglevel")))
	resp.SetLogLevelVar(lv)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lv})), closer, nil
}
