package resp

import (
	"sync"
	"time"
)

// slowlog keeps the slowest recent commands, like Redis' SLOWLOG.
type slowlog struct {
	mu      sync.Mutex
	entries []slowEntry // newest first
	nextID  int64
}

type slowEntry struct {
	id       int64
	at       int64 // unix seconds
	micros   int64
	args     [][]byte
	addr     string
	name     string
	argCount int
}

const (
	slowlogMaxArgs   = 32
	slowlogMaxArgLen = 128
)

func (l *slowlog) record(cfg *Config, c *Client, args [][]byte, start time.Time, d time.Duration) {
	limit, maxLen64 := cfg.Slowlog()
	if limit < 0 || d.Microseconds() < limit {
		return
	}
	maxLen := int(maxLen64)
	// Arguments are trimmed as Redis does: at most 32, each at most 128
	// bytes with a note of how many more there were.
	n := min(len(args), slowlogMaxArgs)
	kept := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		if i == slowlogMaxArgs-1 && len(args) > slowlogMaxArgs {
			kept = append(kept, []byte("... ("+itoa(int64(len(args)-slowlogMaxArgs+1))+" more arguments)"))
			break
		}
		a := args[i]
		if len(a) > slowlogMaxArgLen {
			kept = append(kept, []byte(string(a[:slowlogMaxArgLen])+"... ("+itoa(int64(len(a)-slowlogMaxArgLen))+" more bytes)"))
		} else {
			kept = append(kept, append([]byte(nil), a...))
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e := slowEntry{id: l.nextID, at: start.Unix(), micros: d.Microseconds(), args: kept, addr: c.raddr, name: c.name(), argCount: len(args)}
	l.nextID++
	l.entries = append([]slowEntry{e}, l.entries...)
	if len(l.entries) > maxLen {
		l.entries = l.entries[:maxLen]
	}
}

func (l *slowlog) get(n int) []slowEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n < 0 || n > len(l.entries) {
		n = len(l.entries)
	}
	return append([]slowEntry(nil), l.entries[:n]...)
}

func (l *slowlog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

func (l *slowlog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = nil
}
