package webhook_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agentgate/agentgate/webhook"
)

// readmeSnippet returns the first ```lang block of docs/webhooks.md, the webhook guide.
func readmeSnippet(t *testing.T, lang string) string {
	t.Helper()
	guide, err := os.ReadFile("../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```" + lang + "\n(.*?)```").FindStringSubmatch(string(guide))
	if m == nil {
		t.Fatalf("docs/webhooks.md has no ```%s block", lang)
	}
	return m[1]
}

// TestReadmeGoSnippetIsTheExample: the Go receiver in docs/webhooks.md is ExampleVerify's, which
// compiles and runs with the package.
func TestReadmeGoSnippetIsTheExample(t *testing.T) {
	snippet := readmeSnippet(t, "go")
	snippet = snippet[strings.Index(snippet, "func receive"):]
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), snippet) {
		t.Errorf("the guide's Go receiver is not the one in example_test.go:\n%s", snippet)
	}
}

// snippetCase is one delivery for the guide's Python and Node receivers, and what each
// of their two functions must answer.
type snippetCase struct {
	Name      string `json:"name"`
	Secret    string `json:"secret"`
	Body      string `json:"body"` // base64, so that any bytes pass through JSON
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Signature string `json:"signature"`
	AgentGate string `json:"agentgate"`
	WantStd   bool   `json:"-"`
	WantBody  bool   `json:"-"`
}

// snippetCases signs with the real clock, because the snippets read the real clock.
func snippetCases(t *testing.T) []snippetCase {
	current, previous := webhook.NewSecret(), webhook.NewSecret()
	plain := "your-signing-secret-of-old"
	body := []byte(`{"event":"request.decided","data":{"id":"req_1","params":{"to":"zoë@example.com"}}}`)
	now := time.Now()
	sign := func(name string, secrets []string, verifyWith string, at time.Time, sent []byte, wantStd, wantBody bool) snippetCase {
		h := http.Header{}
		if err := webhook.SignHeaders(h, secrets, "dlv_01JNQ0", at, body); err != nil {
			t.Fatal(err)
		}
		return snippetCase{name, verifyWith, base64.StdEncoding.EncodeToString(sent), h.Get("webhook-id"),
			h.Get("webhook-timestamp"), h.Get("webhook-signature"), h.Get("X-AgentGate-Signature"), wantStd, wantBody}
	}
	changed := bytes.Replace(body, []byte("req_1"), []byte("req_2"), 1)
	cases := []snippetCase{
		sign("whsec_ secret", []string{current}, current, now, body, true, true),
		sign("rotation, receiver with the current key", []string{current, previous}, current, now, body, true, true),
		sign("rotation, receiver with the previous key", []string{current, previous}, previous, now, body, true, false),
		sign("a key the sender does not have", []string{current}, previous, now, body, false, false),
		sign("plain secret, as the original's", []string{plain}, plain, now, body, true, true),
		sign("body changed", []string{current}, current, now, changed, false, false),
		sign("6 minutes old", []string{current}, current, now.Add(-6*time.Minute), body, false, true),
		sign("6 minutes ahead", []string{current}, current, now.Add(6*time.Minute), body, false, true),
	}
	odd := sign("timestamp not a number", []string{current}, current, now, body, false, true)
	odd.Timestamp = "soon"
	return append(cases, odd)
}

// TestReadmeSnippets runs the guide's Python and Node receivers on deliveries signed by
// SignHeaders. It needs python3 and node; without them it says so and skips.
func TestReadmeSnippets(t *testing.T) {
	harness := map[string]struct{ lang, runner, file, code string }{
		"python": {"python", "python3", "verify.py", `
import json, sys
for c in json.load(sys.stdin):
    body = base64.b64decode(c["body"])
    print(json.dumps([verify_webhook(c["secret"], body, c["id"], c["timestamp"], c["signature"]),
                      verify_agentgate_signature(c["secret"], body, c["agentgate"])]))
`},
		"node": {"js", "node", "verify.js", `
for (const c of JSON.parse(require("node:fs").readFileSync(0, "utf8"))) {
  const body = Buffer.from(c.body, "base64");
  console.log(JSON.stringify([verifyWebhook(c.secret, body, c.id, c.timestamp, c.signature),
                              verifyAgentGateSignature(c.secret, body, c.agentgate)]));
}
`},
	}
	cases := snippetCases(t)
	input, _ := json.Marshal(cases)
	for name, h := range harness {
		t.Run(name, func(t *testing.T) {
			runner, err := exec.LookPath(h.runner)
			if err != nil {
				t.Skipf("%s is not installed: the guide's %s snippet is not checked", h.runner, name)
			}
			file := filepath.Join(t.TempDir(), h.file)
			if err := os.WriteFile(file, []byte(readmeSnippet(t, h.lang)+h.code), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(runner, file)
			cmd.Stdin = bytes.NewReader(input)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", h.runner, err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) != len(cases) {
				t.Fatalf("%d answers for %d cases:\n%s", len(lines), len(cases), out)
			}
			for i, c := range cases {
				var got [2]bool
				if err := json.Unmarshal([]byte(lines[i]), &got); err != nil || got != [2]bool{c.WantStd, c.WantBody} {
					t.Errorf("%s: (webhook-signature, X-AgentGate-Signature) = %s, want [%v,%v]", c.Name, lines[i], c.WantStd, c.WantBody)
				}
			}
		})
	}
}
