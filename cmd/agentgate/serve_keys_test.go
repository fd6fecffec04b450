package main

import (
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestServeStartsWithARevokedAdminKey: revoking the key ADMIN_API_KEY names does not stop
// the next start. The start warns, once, with the fix; the revoked key stays revoked and
// the other keys work.
func TestServeStartsWithARevokedAdminKey(t *testing.T) {
	const adminKey = "a-long-admin-secret-value"
	env := []string{"DATABASE_URL=" + filepath.Join(t.TempDir(), "gate.db"), "ADMIN_API_KEY=" + adminKey}
	s := startServer(t, env...)
	code, body := s.call(t, adminKey, http.MethodPost, "/api/api-keys", `{"name":"ops","scopes":["admin"]}`)
	var ops struct{ Key string }
	if code != http.StatusCreated || json.Unmarshal([]byte(body), &ops) != nil {
		t.Fatalf("create a second admin key: %d %s", code, body)
	}
	_, body = s.call(t, ops.Key, http.MethodGet, "/api/api-keys", "")
	var list struct{ Keys []struct{ ID, Name string } }
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	for _, k := range list.Keys {
		if k.Name == "admin" {
			if code, body := s.call(t, ops.Key, http.MethodDelete, "/api/api-keys/"+k.ID, ""); code != http.StatusOK {
				t.Fatalf("revoke the ADMIN_API_KEY key: %d %s", code, body)
			}
		}
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}

	again := startServer(t, env...) // fails the test unless it listens
	if code, _ := again.call(t, adminKey, http.MethodGet, "/api/requests", ""); code != http.StatusUnauthorized {
		t.Errorf("the revoked ADMIN_API_KEY answers %d, want 401", code)
	}
	if code, _ := again.call(t, ops.Key, http.MethodGet, "/api/requests", ""); code != http.StatusOK {
		t.Errorf("another admin key answers %d, want 200", code)
	}
	if err := again.stop(t); err != nil {
		t.Fatal(err)
	}
	logs := again.logs.String()
	if n := strings.Count(logs, "The configured admin key is revoked"); n != 1 || !strings.Contains(logs, "set ADMIN_API_KEY to a new value, or unset it") {
		t.Fatalf("%d warnings, want one with the fix, in:\n%s", n, logs)
	}
}

// TestBootstrapRefusesATakenName: bootstrap --name respects unique live names and says
// how to choose another.
func TestBootstrapRefusesATakenName(t *testing.T) {
	c := newCLI(t, map[string]string{"DATABASE_URL": filepath.Join(t.TempDir(), "gate.db"), "LOG_LEVEL": "error"})
	if out := c.ok("bootstrap", "--name", "ops"); !printedKey.MatchString(out) {
		t.Fatalf("bootstrap printed no key: %s", out)
	}
	res := c.run("bootstrap", "--name", "ops")
	if res.code != 1 || !strings.Contains(res.stderr, `already named "ops"`) || !strings.Contains(res.stderr, "--name") || printedKey.MatchString(res.stdout) {
		t.Fatalf("a second bootstrap --name ops: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
}

// TestServeBindsBeforeTheFirstKey: on an empty database and a port another process holds,
// serve stops with one line naming the port, and prints no key (one no server accepts).
func TestServeBindsBeforeTheFirstKey(t *testing.T) {
	taken, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := strconv.Itoa(taken.Addr().(*net.TCPAddr).Port)
	c := newCLI(t, map[string]string{"DATABASE_URL": filepath.Join(t.TempDir(), "gate.db"), "PORT": port, "LOG_LEVEL": "error"})
	res := c.run("serve")
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	if res.code == 0 || len(lines) != 1 || !strings.Contains(lines[0], "listen on port "+port) {
		t.Fatalf("serve on a taken port: exit %d, stderr %q", res.code, res.stderr)
	}
	if printedKey.MatchString(res.stdout) || strings.Contains(res.stdout, "admin API key") {
		t.Fatalf("serve printed a key before failing to listen: %q", res.stdout)
	}
}
