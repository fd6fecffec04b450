package slack_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	chatslack "github.com/agentgate/agentgate/chat/slack"
)

var update = flag.Bool("update", false, "rewrite the golden files from the output")

var (
	t0   = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	base = "https://gate.example.com"
)

// pending is a request routed to people, as the API returns it.
func pending() agentgate.Request {
	rule := 1
	return agentgate.Request{
		ID: "req_01JNX6B5Z0K3T9V7Q2M4W8Y6RA", Action: "send_email", Urgency: agentgate.UrgencyHigh, Status: agentgate.StatusPending,
		Params:    json.RawMessage(`{"to":"ceo@example.com","subject":"Q3 numbers","attachments":["q3.pdf"]}`),
		Context:   json.RawMessage(`{"agent":"mailer"}`),
		CreatedBy: "mail-agent", CreatedAt: t0, UpdatedAt: t0, ExpiresAt: t0.Add(time.Hour), Votes: []agentgate.Vote{},
		PolicyDecision:    agentgate.Outcome{Decision: agentgate.RouteToHuman, PolicyName: "outbound mail", RuleIndex: &rule, OWASP: agentgate.DefaultOWASP},
		RequiredApprovals: 1,
	}
}

func decided(r agentgate.Request, status agentgate.Status, by, reason string) agentgate.Request {
	at := t0.Add(10 * time.Minute)
	r.Status, r.DecidedBy, r.DecisionReason, r.DecidedAt, r.UpdatedAt = status, by, reason, &at, at
	if status == agentgate.StatusApproved || status == agentgate.StatusDenied {
		r.Votes = append(r.Votes, agentgate.Vote{Voter: by, VoterID: "slack:U0ALICE", Decision: string(status), Reason: reason, Channel: "slack", CreatedAt: at})
	}
	return r
}

func TestBuildGolden(t *testing.T) {
	quorum := pending()
	quorum.RequiredApprovals = 2
	quorum.PolicyDecision.RequireReason = true
	quorum.PolicyDecision.Approvers = []string{"cfo", "group:finance"}
	quorum.Votes = []agentgate.Vote{{Voter: "cfo", VoterID: "key_1", Decision: agentgate.DecisionApproved, Reason: "budgeted", Channel: "dashboard", CreatedAt: t0.Add(5 * time.Minute)}}

	quorumDone := decided(quorum, agentgate.StatusApproved, "alice (slack:U0ALICE)", "fine by me")

	hostile := pending()
	hostile.Action = "deploy <!channel> *now*\u202Etxt.exe"
	hostile.Urgency = agentgate.UrgencyCritical
	hostile.CreatedBy = "agent <@U0BOSS>"
	hostile.Params = json.RawMessage(`{"cmd":"echo <https://evil.example|click> & rm -rf /","note":"zero\u200bwidth"}`)
	hostile.Context = json.RawMessage(`{}`)

	long := pending()
	long.Urgency = agentgate.UrgencyLow
	long.Params = json.RawMessage(`{"body":"` + strings.Repeat("lorem ipsum ", 200) + `"}`)

	cancelled := decided(pending(), agentgate.StatusCancelled, "mail-agent", "no longer needed")
	cancelled.Urgency = "" // stored before urgencies were spelled out: shown as normal

	for name, r := range map[string]agentgate.Request{
		"pending":         pending(),
		"quorum":          quorum,
		"approved":        decided(pending(), agentgate.StatusApproved, "alice (slack:U0ALICE)", ""),
		"denied":          decided(pending(), agentgate.StatusDenied, "bob", "not to the CEO"),
		"expired":         decided(pending(), agentgate.StatusExpired, "system", "expired without a decision"),
		"cancelled":       cancelled,
		"quorum_approved": quorumDone,
		"hostile":         hostile,
		"long":            long,
	} {
		t.Run(name, func(t *testing.T) {
			b, err := chatslack.Build(chatslack.Message{Request: r, BaseURL: base + "/"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(b, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".json", append(got, '\n'))
		})
	}
}

// TestBuildShowsNothingAnAgentCanTurnIntoMarkup: an agent's text can neither mention
// people nor make a link wherever Slack reads markup (mrkdwn, the message's text), and
// shows as written in plain_text, which Slack never parses.
func TestBuildShowsNothingAnAgentCanTurnIntoMarkup(t *testing.T) {
	r := pending()
	r.Action = "<!here> go"
	r.CreatedBy = "<@U0BOSS>"
	r.Params = json.RawMessage(`{"a":"<!channel>","b":"<https://evil.example|x>"}`)
	r.PolicyDecision.Approvers = []string{"<!everyone>"}
	r.Votes = []agentgate.Vote{{Voter: "<@U1>", Decision: agentgate.DecisionApproved, Reason: "<!subteam^S1>", CreatedAt: t0}}
	r.RequiredApprovals = 2
	b, err := chatslack.Build(chatslack.Message{Request: r, BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(b)
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatal(err)
	}
	markup := []string{b.Text, b.Attachments[0].Fallback}
	var plain []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if text, ok := v["text"].(string); ok {
				if v["type"] == "plain_text" {
					plain = append(plain, text)
				} else if v["type"] == "mrkdwn" {
					markup = append(markup, text)
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(tree)
	all := strings.Join(markup, "\n")
	for _, bad := range []string{`<!here`, `<!channel`, `<@U0BOSS`, `<https://evil`, `<!everyone`, `<@U1`, `<!subteam`} {
		if strings.Contains(all, bad) {
			t.Errorf("markup carries %q unescaped:\n%s", bad, all)
		}
	}
	if !strings.Contains(all, "&lt;!channel&gt;") || !slices.Contains(plain, "🔔 Approval needed: <!here> go") {
		t.Errorf("the agent's text is not shown as written: markup %q, plain %q", all, plain)
	}
}

func TestBuildRefusesIncompleteMessages(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    chatslack.Message
		want string
	}{
		{"no request", chatslack.Message{BaseURL: base}, "no request"},
		{"no base URL", chatslack.Message{Request: pending()}, "BASE_URL"},
		{"relative base URL", chatslack.Message{Request: pending(), BaseURL: "/gate"}, "BASE_URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := chatslack.Build(tc.m); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Build = %v, want an error about %q", err, tc.want)
			}
		})
	}
}

func TestReasonDialogGolden(t *testing.T) {
	for name, decision := range map[string]string{"dialog_approve": agentgate.DecisionApproved, "dialog_deny": agentgate.DecisionDenied} {
		got, err := json.MarshalIndent(chatslack.ReasonDialog("req_01JNX6B5Z0K3T9V7Q2M4W8Y6RA", decision), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		golden(t, name+".json", append(got, '\n'))
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}
