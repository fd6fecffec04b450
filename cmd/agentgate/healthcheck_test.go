package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// TestHealthcheck runs `agentgate healthcheck` as the image's HEALTHCHECK does, against a
// server started as the image starts it, and against servers that are not ready.
func TestHealthcheck(t *testing.T) {
	s := startServer(t, "DATABASE_URL="+filepath.Join(t.TempDir(), "data", "agentgate.db"), "ADMIN_API_KEY=a-long-admin-secret-value")
	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"status":"unavailable"}`, http.StatusServiceUnavailable)
	}))
	// Cleanup, not defer: the parallel subtests run after this function returns.
	t.Cleanup(notReady.Close)
	// silent accepts connections and never answers.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()

	for _, tc := range []struct {
		name, port string
		code       int
		stderr     string
	}{
		{"ready", port(s.base), 0, ""},
		{"503", port(notReady.URL), 1, "answered 503 Service Unavailable"},
		{"no answer", port(silent.Addr().String()), 1, "deadline exceeded"},
		{"closed port", port(closed.Addr().String()), 1, "connection refused"},
		{"no port", "0", 1, "PORT is 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := newCLI(t, map[string]string{"PORT": tc.port}).run("healthcheck")
			lines := strings.Count(res.stderr, "\n")
			if res.code != tc.code || !strings.Contains(res.stderr, tc.stderr) || lines > 1 || res.stdout != "" {
				t.Errorf("healthcheck (PORT=%s): exit %d, stdout %q, stderr %q; want exit %d and one line with %q",
					tc.port, res.code, res.stdout, res.stderr, tc.code, tc.stderr)
			}
		})
	}
}

// port returns the port of a URL or host:port.
func port(addr string) string { return addr[strings.LastIndex(addr, ":")+1:] }
