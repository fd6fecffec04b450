package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// server is `agentgate serve` running as a child process.
type server struct {
	cmd    *exec.Cmd
	base   string
	stdout lockedBuffer
	logs   lockedBuffer // stderr: the JSON log
	exited chan error
}

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// printedKey waits for the key that serve prints on first start. The key is written
// before the server listens, but on another pipe than the log, so it may arrive later.
func (s *server) printedKey(t *testing.T) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if k := printedKey.FindString(s.stdout.String()); k != "" {
			return k
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no key printed on first start: %q", s.stdout.String())
	return ""
}

// startServer runs the built binary's serve with env and waits until it listens.
func startServer(t testing.TB, env ...string) *server {
	t.Helper()
	s := &server{cmd: exec.Command(binary, "serve"), exited: make(chan error, 1)}
	s.cmd.Env = childEnv(append([]string{"PORT=0", "LOG_FORMAT=json", "HOME=" + t.TempDir()}, env...)...)
	s.cmd.Stdout = &s.stdout
	logs, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			_, _ = s.logs.Write(append(sc.Bytes(), '\n'))
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "AgentGate is listening." {
				addr <- line.Addr
			}
		}
	}()
	go func() { s.exited <- s.cmd.Wait() }()
	t.Cleanup(func() { _ = s.cmd.Process.Kill() })
	select {
	case a := <-addr:
		s.base = "http://127.0.0.1:" + a[strings.LastIndex(a, ":")+1:]
	case err := <-s.exited:
		t.Fatalf("serve exited before listening: %v; stdout: %s", err, s.stdout.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start listening")
	}
	return s
}

func (s *server) call(t testing.TB, key, method, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// stop sends SIGTERM and returns the exit error.
func (s *server) stop(t testing.TB) error {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.exited:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after SIGTERM")
		return nil
	}
}

var printedKey = regexp.MustCompile(`agk_[A-Za-z0-9_-]{43}`)

func TestServeCreatesAFirstKeyOnce(t *testing.T) {
	dbURL := "DATABASE_URL=" + filepath.Join(t.TempDir(), "data", "gate.db")
	s := startServer(t, dbURL)
	key := s.printedKey(t)
	if code, body := s.call(t, key, http.MethodPost, "/api/requests", `{"action":"send_email"}`); code != http.StatusCreated {
		t.Fatalf("the printed key does not work: %d %s", code, body)
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	again := startServer(t, dbURL)
	if code, _ := again.call(t, key, http.MethodGet, "/api/requests", ""); code != http.StatusOK {
		t.Fatalf("the first key stopped working after a restart: %d", code)
	}
	if err := again.stop(t); err != nil { // Wait has then copied all of stdout
		t.Fatal(err)
	}
	if printedKey.MatchString(again.stdout.String()) {
		t.Fatal("a second start printed another key")
	}
}

func TestServeAdminKeyFromFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "admin-key")
	if err := os.WriteFile(file, []byte("a-long-admin-secret-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, "DATABASE_URL="+filepath.Join(t.TempDir(), "gate.db"), "ADMIN_API_KEY_FILE="+file)
	if code, body := s.call(t, "a-long-admin-secret-value", http.MethodGet, "/api/api-keys", ""); code != http.StatusOK {
		t.Fatalf("ADMIN_API_KEY_FILE key: %d %s", code, body)
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	if printedKey.MatchString(s.stdout.String()) {
		t.Fatal("a key was printed although ADMIN_API_KEY_FILE gave one")
	}
}

func TestServeShutdownEndsLongPollsAndExitsZero(t *testing.T) {
	s := startServer(t, "DATABASE_URL="+filepath.Join(t.TempDir(), "gate.db"), "ADMIN_API_KEY=a-long-admin-secret-value")
	const key = "a-long-admin-secret-value"
	_, body := s.call(t, key, http.MethodPost, "/api/requests", `{"action":"deploy"}`)
	var r struct{ ID string }
	if err := json.Unmarshal([]byte(body), &r); err != nil || r.ID == "" {
		t.Fatalf("create: %s", body)
	}
	// Without keep-alives the long-poll and the probe below each open a new connection, so
	// the long-poll is not sent on an idle one that Shutdown may close before reading it.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	polled := s.longPoll(t, fresh, key, r.ID)
	// Stop the server only once the long-poll is sent and a later connection is answered:
	// the server accepts connections in order, so it has accepted the long-poll's, and
	// Shutdown serves the request of every connection it has accepted.
	probe, err := fresh.Get(s.base + "/health")
	if err != nil {
		t.Fatal(err)
	}
	probe.Body.Close()
	if err := s.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	got := <-polled
	if got.err != nil {
		t.Fatalf("long-poll during shutdown: %v", got.err)
	}
	if got.code != http.StatusOK || !strings.Contains(got.body, `"status":"pending"`) {
		t.Fatalf("long-poll during shutdown: %d %s", got.code, got.body)
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{"PORT", "http"}, {"PORT", "70000"}, {"ADMIN_API_KEY", "short"}, {"REQUEST_TIMEOUT", "soon"},
		{"LOG_LEVEL", "loud"}, {"LOG_FORMAT", "xml"}, {"BASE_URL", "gate.example.com"}, {"SESSION_SECRET", "tiny"},
		{"TRUSTED_PROXIES", "proxy.internal"}, {"TRUSTED_PROXIES", "10.0.0.0/8,10.0.0.0/33"}, {"MAX_CONNECTIONS", "0"},
		{"MAX_CONNECTIONS", "many"}, {"READ_TIMEOUT", "-1s"},
	} {
		env := map[string]string{tc.name: tc.value}
		_, err := loadConfig(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		if err == nil || !strings.HasPrefix(err.Error(), tc.name+":") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s=%q: error %v, want one line starting with %s:", tc.name, tc.value, err, tc.name)
		}
	}
	var out strings.Builder
	err := run(context.Background(), []string{"serve"}, func(k string) (string, bool) {
		return map[string]string{"PORT": "nope"}[k], k == "PORT"
	}, strings.NewReader(""), &out, &out)
	if err == nil || !strings.Contains(err.Error(), "PORT") {
		t.Fatalf("serve with a bad PORT: %v", err)
	}
}
