package handlers_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// logCapture keeps what a server logs, at every level, for a test to read.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
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

// with returns the records whose msg is msg.
func (l *logCapture) with(t testing.TB, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, rec := range l.lines(t) {
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// at returns the records at level ("ERROR", "WARN", ...).
func (l *logCapture) at(t testing.TB, level string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, rec := range l.lines(t) {
		if rec["level"] == level {
			out = append(out, rec)
		}
	}
	return out
}
