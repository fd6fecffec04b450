package mail_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/mail"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var created = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// pending is a request as the API returns it when a policy routed it to people.
func pending() agentgate.Request {
	rule := 1
	return agentgate.Request{
		ID: "req_01JNQ0ZK5Q8C6X2V9B7T4M3N1P", Action: "send_email",
		Params:  json.RawMessage(`{"to":"ceo@example.com","subject":"Q1 numbers","body":"Hello,\nthe numbers are attached.\n\u003cb\u003eRegards\u003c/b\u003e","attachments":[{"name":"q1.xlsx","bytes":48213}]}`),
		Context: json.RawMessage(`{"conversation":"c-42","turn":7}`),
		Urgency: agentgate.UrgencyHigh, Status: agentgate.StatusPending, CreatedBy: "mailer-bot",
		CreatedAt: created, UpdatedAt: created, ExpiresAt: created.Add(time.Hour),
		PolicyDecision: agentgate.Outcome{Decision: agentgate.RouteToHuman, PolicyName: "outbound mail",
			RuleIndex: &rule, OWASP: agentgate.DefaultOWASP},
		RequiredApprovals: 1,
	}
}

func decided(r agentgate.Request, s agentgate.Status, by, reason string, at time.Time) agentgate.Request {
	r.Status, r.DecidedBy, r.DecisionReason, r.DecidedAt, r.UpdatedAt = s, by, reason, &at, at
	return r
}

func message(k mail.Kind, r agentgate.Request) mail.Message {
	return mail.Message{
		Kind: k, Request: r, To: mail.Address{Name: "Alice Martin", Address: "alice@example.com"},
		From: "AgentGate <agentgate@example.com>", BaseURL: "https://gate.example.com",
		Links: mail.Links{
			Approve: "https://gate.example.com/decide/tok_APPROVE_alice",
			Deny:    "https://gate.example.com/decide/tok_DENY_alice",
			Request: "https://gate.example.com/requests/" + r.ID,
		},
		Date: r.UpdatedAt,
	}
}

// goldenCases are the messages whose exact text and HTML are kept in testdata.
func goldenCases() map[string]mail.Message {
	decidedAt := created.Add(12 * time.Minute)

	quorum := pending()
	quorum.Urgency = agentgate.UrgencyCritical
	quorum.Action = "deploy_production"
	quorum.Params = json.RawMessage(`{"service":"billing","version":"2.14.0"}`)
	quorum.Context = json.RawMessage(`{}`)
	quorum.RequiredApprovals = 2
	quorum.PolicyDecision.RequireReason = true
	quorum.Votes = []agentgate.Vote{{Voter: "bob", Decision: agentgate.DecisionApproved, Reason: "tests green", CreatedAt: created.Add(5 * time.Minute)}}

	approved := quorum
	approved.Votes = append(approved.Votes[:1:1], agentgate.Vote{Voter: "alice", Decision: agentgate.DecisionApproved, Reason: "two of us checked", CreatedAt: decidedAt})

	hidden := pending()
	hidden.Action = "send_email\u202E"
	hidden.CreatedBy = "m\u0430iler-bot" // a Cyrillic а
	hidden.Params = json.RawMessage(`{"to\u200B":"ceo@example.com","file":"invoice\u202Efdp.exe","note":"tab\there, bell\u0007"}`)

	long := pending()
	long.Action = "bulk_update"
	long.Urgency = agentgate.UrgencyLow
	var p strings.Builder
	p.WriteString(`{"sql":"` + strings.Repeat("UPDATE t SET x = 1; ", 110) + `"`)
	for i := range 44 {
		fmt.Fprintf(&p, `,"k%02d":%d`, i, i)
	}
	p.WriteString("}")
	long.Params = json.RawMessage(p.String())

	return map[string]mail.Message{
		"request":   message(mail.KindRequest, pending()),
		"quorum":    message(mail.KindRequest, quorum),
		"hidden":    message(mail.KindRequest, hidden),
		"long":      message(mail.KindRequest, long),
		"approved":  message(mail.KindApproved, decided(approved, agentgate.StatusApproved, "alice", "two of us checked", decidedAt)),
		"denied":    message(mail.KindDenied, decided(pending(), agentgate.StatusDenied, "alice", "not to the CEO", decidedAt)),
		"expired":   message(mail.KindExpired, decided(pending(), agentgate.StatusExpired, "system", "expired without a decision", created.Add(time.Hour))),
		"cancelled": message(mail.KindCancelled, decided(pending(), agentgate.StatusCancelled, "mailer-bot", "sent by hand", decidedAt)),
	}
}

// TestBuildGolden holds every kind of message to its exact text and HTML. After a deliberate
// change: go test ./mail -run TestBuildGolden -update, and read the diff.
func TestBuildGolden(t *testing.T) {
	for name, m := range goldenCases() {
		t.Run(name, func(t *testing.T) {
			b, err := mail.Build(m)
			if err != nil {
				t.Fatal(err)
			}
			var text strings.Builder
			fmt.Fprintf(&text, "From: %s\nTo: %s\nSubject: %s\n", b.From, b.To, b.Subject)
			for _, h := range b.Headers {
				fmt.Fprintf(&text, "%s: %s\n", h.Name, h.Value)
			}
			text.WriteString("\n" + b.Text)
			golden(t, name+".txt.golden", text.String())
			golden(t, name+".html.golden", b.HTML)
		})
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n%s", path, diff(string(want), got))
	}
}

// diff shows the first line that differs, which is what one needs to find the change.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d\nwant: %q\n got: %q", i+1, wl, gl)
		}
	}
	return "(no line differs)"
}
