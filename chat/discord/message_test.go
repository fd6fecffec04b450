package discord_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/chat/discord"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const baseURL = "https://gate.example.com"

// pending is a request routed to people, as the API returns it.
func pending() agentgate.Request {
	rule := 1
	return agentgate.Request{
		ID: "req_01JQ3Z5W8E2V7C9T4N6B0M1K2H", Action: "send_email", Urgency: agentgate.UrgencyHigh,
		Params:    json.RawMessage(`{"to":"ceo@example.com","subject":"Q3 numbers","body":"See attached."}`),
		Context:   json.RawMessage(`{"agent":"mailer","run":42}`),
		Status:    agentgate.StatusPending,
		CreatedBy: "mailer-agent", CreatedAt: t0, UpdatedAt: t0, ExpiresAt: t0.Add(time.Hour),
		PolicyDecision: agentgate.Outcome{Decision: agentgate.RouteToHuman, PolicyName: "Outgoing mail",
			RuleIndex: &rule, OWASP: agentgate.DefaultOWASP},
		RequiredApprovals: 1, Votes: []agentgate.Vote{},
	}
}

func decided(r agentgate.Request, s agentgate.Status, by, reason string, at time.Time) agentgate.Request {
	r.Status, r.DecidedBy, r.DecisionReason, r.DecidedAt, r.UpdatedAt = s, by, reason, &at, at
	return r
}

func vote(voter, decision, channel, reason string, at time.Time) agentgate.Vote {
	return agentgate.Vote{Voter: voter, VoterID: voter, Decision: decision, Channel: channel, Reason: reason, CreatedAt: at}
}

// TestBuildGolden holds every message to the exact JSON Discord is sent.
func TestBuildGolden(t *testing.T) {
	at := t0.Add(10 * time.Minute)
	quorum := pending()
	quorum.RequiredApprovals = 2
	quorum.PolicyDecision.RequireReason = true
	quorum.Votes = []agentgate.Vote{vote("Carol (discord:80351110224678912)", agentgate.DecisionApproved, "discord", "fine by me", at)}
	quorumDone := quorum
	quorumDone.Votes = append(quorumDone.Votes, vote("admin", agentgate.DecisionApproved, "dashboard", "ok", at.Add(time.Minute)))
	quorumDone = decided(quorumDone, agentgate.StatusApproved, "admin", "ok", at.Add(time.Minute))
	long := pending()
	long.Params = json.RawMessage(`{"body":"` + strings.Repeat("lorem ipsum ", 200) + `","to":"a@example.com"}`)
	long.Context = json.RawMessage(`{}`)
	hostile := pending()
	hostile.Action = "deploy\u202Egnp.exe [click](https://evil.example) @everyone"
	hostile.CreatedBy = "**bold** <@123>"
	hostile.Params = json.RawMessage(`{"cmd":"echo ` + "```" + ` done","note":"\u200b"}`)
	hostile.Urgency = agentgate.UrgencyCritical

	for _, tc := range []struct {
		name  string
		r     agentgate.Request
		links discord.Links
	}{
		{"pending", pending(), discord.LinksFor(baseURL, pending().ID)},
		{"pending_no_link", pending(), discord.LinksFor("http://localhost:3000", pending().ID)},
		{"quorum_voted", quorum, discord.LinksFor(baseURL, quorum.ID)},
		{"quorum_approved", quorumDone, discord.LinksFor(baseURL, quorum.ID)},
		{"denied", decided(pending(), agentgate.StatusDenied, "Carol (discord:80351110224678912)", "not this quarter", at), discord.LinksFor(baseURL, pending().ID)},
		{"expired", decided(pending(), agentgate.StatusExpired, "system", "expired without a decision", t0.Add(time.Hour)), discord.LinksFor(baseURL, pending().ID)},
		{"cancelled", decided(pending(), agentgate.StatusCancelled, "mailer-agent", "", at), discord.LinksFor(baseURL, pending().ID)},
		{"long", long, discord.LinksFor(baseURL, long.ID)},
		{"hostile", hostile, discord.LinksFor(baseURL, hostile.ID)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := discord.Build(tc.r, tc.links)
			checkLimits(t, m)
			golden(t, tc.name, m)
		})
	}
}

func TestAnswersGolden(t *testing.T) {
	r := pending()
	golden(t, "reason_form", discord.ReasonForm(r.ID, agentgate.DecisionDenied))
	golden(t, "ephemeral", discord.Ephemeral("You are not one of the approvers of this request."))
	golden(t, "test_message", discord.TestMessage(t0))
}

// checkLimits checks m against Discord's documented limits, which it answers with a 400
// (a delivery that can never succeed).
func checkLimits(t *testing.T, m discord.Message) {
	t.Helper()
	n := func(s string) int { return utf8.RuneCountInString(strings.TrimSpace(s)) }
	for _, e := range m.Embeds {
		total := n(e.Title) + n(e.Description) + n(e.Footer.Text)
		if n(e.Title) > 256 || n(e.Description) > 4096 || len(e.Fields) > 25 {
			t.Errorf("embed title %d, description %d, %d fields", n(e.Title), n(e.Description), len(e.Fields))
		}
		for _, f := range e.Fields {
			if n(f.Name) > 256 || n(f.Value) > 1024 || n(f.Value) == 0 {
				t.Errorf("field %q: name %d, value %d characters", f.Name, n(f.Name), n(f.Value))
			}
			total += n(f.Name) + n(f.Value)
		}
		if total > 6000 {
			t.Errorf("embed has %d characters", total)
		}
	}
	if n(m.Content) > 2000 {
		t.Errorf("content has %d characters", n(m.Content))
	}
	for _, row := range m.Components {
		for _, c := range row.Components {
			if len(c.CustomID) > 100 || len(c.URL) > 512 || n(c.Label) > 80 {
				t.Errorf("component %+v", c)
			}
		}
	}
}

// golden compares the JSON sent for v with testdata/<name>.json, or writes it with -update.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	sent, err := discord.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer // the bytes sent, indented for reading
	if err := json.Indent(&b, sent, "", "  "); err != nil {
		t.Fatal(err)
	}
	b.WriteByte('\n')
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("%s differs from %s:\n%s", name, path, b.String())
	}
}
