package resp

import (
	"log/slog"
	"sync/atomic"
)

// Version is kvnode's version; INFO reports it as redis_version so clients
// that branch on the server version see a Redis 7.0 feature set.
const Version = "7.0.15"

// KvnodeVersion is kvnode's own release.
const KvnodeVersion = "0.1.0"

var logLevel atomic.Pointer[slog.LevelVar]

// SetLogLevelVar lets CONFIG SET loglevel change the process log level.
func SetLogLevelVar(v *slog.LevelVar) { logLevel.Store(v) }

// LogLevel maps redis' loglevel names onto slog levels.
func LogLevel(name string) slog.Level {
	switch name {
	case "debug", "verbose":
		return slog.LevelDebug
	case "warning":
		return slog.LevelWarn
	}
	return slog.LevelInfo
}
