package cluster

import (
	"bytes"
	"context"
	"log"
	"log/slog"
)

// serfLogger returns a standard logger for Serf and memberlist that routes
// their lines into slog, with the level taken from the line's "[DEBUG]",
// "[INFO]", "[WARN]" or "[ERR]" prefix. Serf does not pass its logger down
// to memberlist, so both configs get one.
func serfLogger(l *slog.Logger) *log.Logger {
	return log.New(serfWriter{l}, "", 0)
}

type serfWriter struct{ l *slog.Logger }

var serfLevels = []struct {
	tag   []byte
	level slog.Level
}{
	{[]byte("[DEBUG]"), slog.LevelDebug},
	{[]byte("[INFO]"), slog.LevelDebug}, // membership chatter; kvnode logs what matters itself
	{[]byte("[WARN]"), slog.LevelWarn},
	{[]byte("[ERR]"), slog.LevelError},
}

func (w serfWriter) Write(p []byte) (int, error) {
	msg := bytes.TrimSpace(p)
	level := slog.LevelInfo
	for _, s := range serfLevels {
		if i := bytes.Index(msg, s.tag); i >= 0 {
			level = s.level
			msg = bytes.TrimSpace(msg[i+len(s.tag):])
			break
		}
	}
	if w.l.Enabled(context.Background(), level) {
		w.l.Log(context.Background(), level, string(msg), "component", "serf")
	}
	return len(p), nil
}
