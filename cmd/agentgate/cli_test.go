package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/client"
	"github.com/agentgate/agentgate/internal/testserver"
	"github.com/agentgate/agentgate/internal/waittest"
)

func TestCLIConfigRoundTrip(t *testing.T) {
	c := newCLI(t, nil)
	path := filepath.Join(c.home, ".agentgate", "config.json")
	if got := strings.TrimSpace(c.ok("config", "path")); got != path {
		t.Errorf("config path = %q, want %q", got, path)
	}
	if got := strings.TrimSpace(c.ok("config", "get", "serverUrl")); got != defaultServerURL {
		t.Errorf("default serverUrl = %q", got)
	}

	const key = "agk_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
	c.ok("config", "set", "serverUrl", "http://gate.example.com:3000")
	out := c.ok("config", "set", "apiKey", key)
	if strings.Contains(out, key) {
		t.Errorf("config set echoed the API key: %q", out)
	}
	c.ok("config", "set", "outputFormat", "table")

	for k, want := range map[string]string{"serverUrl": "http://gate.example.com:3000", "apiKey": key, "outputFormat": "table"} {
		if got := strings.TrimSpace(c.ok("config", "get", k)); got != want {
			t.Errorf("config get %s = %q, want %q", k, got, want)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("config file mode = %v, want 0600", fi.Mode().Perm())
	}
	if di, err := os.Stat(filepath.Dir(path)); err != nil || di.Mode().Perm() != 0o700 {
		t.Errorf("config dir mode = %v, %v; want 0700", di.Mode().Perm(), err)
	}
	var file map[string]string
	if b, err := os.ReadFile(path); err != nil || json.Unmarshal(b, &file) != nil || file["apiKey"] != key {
		t.Errorf("config file = %s, %v", b, err)
	}

	show := c.ok("config", "show")
	if strings.Contains(show, key) {
		t.Errorf("config show printed the API key:\n%s", show)
	}
	golden(t, "config_show", strings.ReplaceAll(show, c.home, "$HOME"))
	golden(t, "config_show_json", strings.ReplaceAll(c.ok("config", "show", "--json"), c.home, "$HOME"))

	for _, args := range [][]string{
		{"config", "set", "colour", "blue"},
		{"config", "set", "outputFormat", "xml"},
		{"config", "set", "serverUrl", "gate.example.com"},
		{"config", "get", "colour"},
	} {
		if res := c.run(args...); res.code != 1 || !strings.HasPrefix(res.stderr, "agentgate: ") {
			t.Errorf("agentgate %v: exit %d, stderr %q; want exit 1 and a one-line error", args, res.code, res.stderr)
		}
	}
}

func TestCLIEnvironmentOverridesFile(t *testing.T) {
	srv := testserver.Start(t)
	c := newCLI(t, nil)
	c.ok("config", "set", "serverUrl", "http://127.0.0.1:1")
	c.ok("config", "set", "apiKey", "agk_revoked-or-wrong")

	res := c.run("list")
	if res.code != 1 || !strings.Contains(res.stderr, "cannot reach AgentGate at http://127.0.0.1:1") {
		t.Errorf("list against the file's dead server: exit %d, stderr %q", res.code, res.stderr)
	}

	c.env["AGENTGATE_URL"] = srv.URL
	c.env["AGENTGATE_API_KEY"] = srv.AdminKey
	if out := c.ok("list"); !strings.Contains(out, "No requests found.") {
		t.Errorf("list with the environment's server = %q", out)
	}
	show := c.ok("config", "show")
	if !strings.Contains(show, "(AGENTGATE_URL)") || !strings.Contains(show, "(AGENTGATE_API_KEY)") || !strings.Contains(show, srv.URL) {
		t.Errorf("config show does not credit the environment:\n%s", show)
	}
	if got := strings.TrimSpace(c.ok("config", "get", "apiKey")); got != srv.AdminKey {
		t.Errorf("config get apiKey = %q, want the environment's key", got)
	}

	c2 := newCLI(t, map[string]string{"AGENTGATE_URL": srv.URL})
	if res := c2.run("list"); res.code != 1 || !strings.Contains(res.stderr, "no API key") {
		t.Errorf("list with no key: exit %d, stderr %q", res.code, res.stderr)
	}
}

func TestCLIOutput(t *testing.T) {
	srv := testserver.Start(t)
	c := forServer(t, srv, srv.Key(t, "billing-agent", agentgate.ScopeRequestCreate, agentgate.ScopeRequestRead, agentgate.ScopeRequestDecide))

	out := c.ok("request", "send_email", "--params", `{"to": "ana@example.com", "subject": "Invoice 1042"}`,
		"--context", `{"reason": "customer asked"}`, "--urgency", "high")
	golden(t, "request_table", out)
	id := idPattern.FindString(out)

	out = c.ok("request", "deploy", "-p", `{"env": "prod"}`, "--json")
	golden(t, "request_json", out)
	var created agentgate.Request
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.Status != agentgate.StatusPending {
		t.Fatalf("request --json = %q, %v", out, err)
	}

	golden(t, "status_table", c.ok("status", id))
	golden(t, "approve_table", c.ok("approve", id, "--reason", "looks right"))
	golden(t, "cancel_json", c.ok("cancel", created.ID, "-r", "not needed", "--json"))
	golden(t, "list_table", c.ok("list"))
	golden(t, "list_json", c.ok("list", "--status", "approved", "--json"))
	golden(t, "list_page", c.ok("list", "--limit", "1"))

	c.ok("config", "set", "outputFormat", "json")
	var listed []agentgate.Request
	if err := json.Unmarshal([]byte(c.ok("list", "--action", "deploy")), &listed); err != nil || len(listed) != 1 {
		t.Errorf("list with outputFormat json = %v, %v", listed, err)
	}
}

func TestCLIServerErrorMessage(t *testing.T) {
	srv := testserver.Start(t)
	c := forServer(t, srv, srv.AdminKey)
	out := c.ok("request", "refund", "--json")
	var r agentgate.Request
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	c.ok("approve", r.ID)
	res := c.run("deny", r.ID, "--reason", "too late")
	want := "agentgate: request " + r.ID + " is already approved (already_decided)\n"
	if res.code != 1 || res.stderr != want || res.stdout != "" {
		t.Errorf("deciding twice: exit %d, stderr %q, stdout %q; want exit 1 and %q", res.code, res.stderr, res.stdout, want)
	}
	if res := c.run("status", "req_nope"); res.code != 1 || res.stderr != "agentgate: request \"req_nope\" not found (not_found)\n" {
		t.Errorf("status of a missing request: exit %d, stderr %q", res.code, res.stderr)
	}
	if res := c.run("request", "x", "--params", "[1,2]"); res.code != 1 || !strings.Contains(res.stderr, "--params must be a JSON object") {
		t.Errorf("array params: exit %d, stderr %q", res.code, res.stderr)
	}
}

func TestCLIRequestWaitExitCodes(t *testing.T) {
	srv := testserver.Start(t)
	admin := client.New(srv.URL, srv.AdminKey)
	_, err := admin.CreatePolicy(t.Context(), client.PolicyInput{Name: "no rm", Rules: []agentgate.Rule{{
		Match: map[string]json.RawMessage{"action": json.RawMessage(`"rm_rf"`)}, Decision: agentgate.AutoDeny,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	c := forServer(t, srv, srv.Key(t, "deploy-bot", agentgate.ScopeRequestCreate, agentgate.ScopeRequestRead))

	// waitFor runs `request <action> --wait 1m` and lets decide act once it is waiting; the
	// command must then be woken and exit at once, not when its long-poll runs out.
	waitFor := func(action string, decide func(id string)) result {
		cmd, stdout, stderr := c.command(t.Context(), "request", action, "--wait", "1m")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		decide(srv.NextLongPoll(t))
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		return finish(t, waittest.Answer(t, exited), stdout, stderr)
	}

	res := waitFor("deploy", func(id string) {
		if _, err := admin.Approve(t.Context(), id, "ship it"); err != nil {
			t.Error(err)
		}
	})
	if res.code != exitApproved || !strings.Contains(res.stdout, "approved") {
		t.Errorf("approved: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = waitFor("deploy", func(id string) {
		if _, err := admin.Deny(t.Context(), id, "freeze"); err != nil {
			t.Error(err)
		}
	})
	if res.code != exitDenied || !strings.Contains(res.stderr, "was denied by admin: freeze") {
		t.Errorf("denied: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = waitFor("deploy", func(id string) {
		if _, err := admin.Cancel(t.Context(), id, "superseded"); err != nil {
			t.Error(err)
		}
	})
	if res.code != exitNoDecide || !strings.Contains(res.stderr, "was cancelled") {
		t.Errorf("cancelled: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}

	if res := c.run("request", "rm_rf", "--wait", "1m"); res.code != exitDenied {
		t.Errorf("denied by policy: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = c.run("request", "deploy", "--wait", "300ms", "--json")
	var r agentgate.Request
	if res.code != exitNoDecide || json.Unmarshal([]byte(res.stdout), &r) != nil || r.Status != agentgate.StatusPending ||
		!strings.Contains(res.stderr, "still pending") {
		t.Errorf("timed out: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}

// TestCLIRequestIdempotencyKey: running `request` again with the same --idempotency-key
// answers with the first request instead of creating another.
func TestCLIRequestIdempotencyKey(t *testing.T) {
	srv := testserver.Start(t)
	c := forServer(t, srv, srv.AdminKey)
	id := func(args ...string) string {
		var r agentgate.Request
		if err := json.Unmarshal([]byte(c.ok(append([]string{"request", "deploy", "--json"}, args...)...)), &r); err != nil || r.ID == "" {
			t.Fatalf("request %v: %v", args, err)
		}
		return r.ID
	}
	first := id("--idempotency-key", "release-42")
	if again := id("--idempotency-key", "release-42"); again != first {
		t.Errorf("the same --idempotency-key gave %s, then %s", first, again)
	}
	if other := id(); other == first {
		t.Error("a request without --idempotency-key repeated an earlier one")
	}
}
