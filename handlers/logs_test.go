package handlers_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// logCapture keeps what a server logs, at every level, for a test to read.
type logCapture struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // signalled (without blocking) on every write
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.written == nil {
		l.written = make(chan struct{}, 1)
	}
	select {
	case l.written <- struct{}{}:
	default:
	}
	return l.buf.Write(p)
}

// await returns the first record for which match is true, waiting for it to be logged.
func (l *logCapture) await(t testing.TB, what string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	l.mu.Lock()
	if l.written == nil {
		l.written = make(chan struct{}, 1)
	}
	written := l.written
	l.mu.Unlock()
	deadline := time.After(30 * time.Second)
	for {
		for _, rec := range l.lines(t) {
			if match(rec) {
				return rec
			}
		}
		select {
		case <-written:
		case <-deadline:
			t.Fatalf("no log line %s within 30 s", what)
		}
	}
}

// handler is a JSON slog handler writing into l.
func (l *logCapture) handler() slog.Handler {
	return slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug})
}

// lines returns every record logged so far, decoded.
func (l *logCapture) lines(t testing.TB) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, rec)
	}
	return out
}

// where returns the records whose field (such as "msg" or "level") is value.
func (l *logCapture) where(t testing.TB, field, value string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, rec := range l.lines(t) {
		if rec[field] == value {
			out = append(out, rec)
		}
	}
	return out
}
