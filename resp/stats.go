package resp

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"
)

// errorStats counts error replies by their code (the first word), for
// INFO's total_error_replies and errorstats section.
type errorStats struct {
	mu     sync.Mutex
	total  int64
	byCode map[string]int64
}

func (e *errorStats) count(msg string) {
	code := msg
	if i := strings.IndexByte(msg, ' '); i >= 0 {
		code = msg[:i]
	}
	if len(code) > 64 {
		code = code[:64]
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.byCode == nil {
		e.byCode = make(map[string]int64)
	}
	e.total++
	// Redis stops adding new codes past 128 distinct ones.
	if _, ok := e.byCode[code]; ok || len(e.byCode) < 128 {
		e.byCode[code]++
	}
}

// snapshot returns the total and the per-code counts sorted by code.
func (e *errorStats) snapshot() (int64, []codeCount) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]codeCount, 0, len(e.byCode))
	for k, v := range e.byCode {
		out = append(out, codeCount{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].code < out[j].code })
	return e.total, out
}

func (e *errorStats) reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.total = 0
	e.byCode = nil
}

type codeCount struct {
	code string
	n    int64
}

// opsSampler computes instantaneous_ops_per_sec as Redis does: the mean of
// the last 16 samples, taken every 100 ms, of the command rate.
type opsSampler struct {
	mu      sync.Mutex
	samples [16]int64
	idx     int
	last    int64
	lastAt  time.Time
}

func (o *opsSampler) run(ctx context.Context, counter func() int64) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	o.mu.Lock()
	o.last, o.lastAt = counter(), time.Now()
	o.mu.Unlock()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			n := counter()
			o.mu.Lock()
			if dt := now.Sub(o.lastAt); dt > 0 {
				o.samples[o.idx] = (n - o.last) * int64(time.Second) / int64(dt)
				o.idx = (o.idx + 1) % len(o.samples)
			}
			o.last, o.lastAt = n, now
			o.mu.Unlock()
		}
	}
}

func (o *opsSampler) perSec() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	var sum int64
	for _, s := range o.samples {
		sum += s
	}
	return sum / int64(len(o.samples))
}
