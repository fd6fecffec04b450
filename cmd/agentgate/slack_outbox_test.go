package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	chatslack "github.com/agentgate/agentgate/chat/slack"
	"github.com/agentgate/agentgate/internal/fakeslack"
)

// TestServeSlackMessagesStayTrue: a request routed to two Slack targets is posted to both
// through the outbox; each vote from a click shows on both, the API's decision that
// reaches the quorum takes the buttons off both, and a cancelled request says so.
func TestServeSlackMessagesStayTrue(t *testing.T) {
	fake := fakeslack.Start(t)
	const key = "a-long-admin-secret-value"
	s := startServer(t, "DATABASE_URL="+filepath.Join(t.TempDir(), "gate.db"), "ADMIN_API_KEY="+key,
		"SLACK_BOT_TOKEN="+fakeslack.Token, "SLACK_SIGNING_SECRET="+fakeslack.SigningSecret,
		"SLACK_DEFAULT_CHANNEL=#approvals", "SLACK_API_URL="+fake.URL, "BASE_URL=https://gate.example.com")
	if code, body := s.call(t, key, http.MethodPost, "/api/policies", `{"name":"deploys","rules":[
		{"match":{"action":"deploy"},"decision":"route_to_human","requiredApprovals":3,"channels":["slack","slack:#ops"]},
		{"match":{"action":"restart"},"decision":"route_to_human","channels":["slack:U0ONCALL"]}]}`); code != http.StatusCreated {
		t.Fatalf("policy: %d %s", code, body)
	}
	id := func(body string) string {
		var r struct{ ID string }
		if err := json.Unmarshal([]byte(body), &r); err != nil || r.ID == "" {
			t.Fatalf("create: %s", body)
		}
		return r.ID
	}
	shows := func(m fakeslack.Message, s string) bool { return strings.Contains(string(m.Attachments)+m.Text, s) }
	buttons := func(m fakeslack.Message) bool { return shows(m, chatslack.ActionApprove) }
	both := func(ok func(m fakeslack.Message) bool) func([]fakeslack.Message) bool {
		return func(ms []fakeslack.Message) bool { return len(ms) == 2 && ok(ms[0]) && ok(ms[1]) }
	}

	_, body := s.call(t, key, http.MethodPost, "/api/requests", `{"action":"deploy"}`)
	deploy := id(body)
	ms := fake.WaitMessages(t, "two posts", both(buttons))
	if ms[0].Channel == ms[1].Channel {
		t.Errorf("both posts went to %s", ms[0].Channel)
	}
	// Alice's vote may reach the messages through their posts (a post shows the request as
	// it is once kept); Bob's, cast once both show hers, only through its own delivery.
	for i, voter := range []fakeslack.Clicker{{UserID: "U0ALICE", UserName: "alice"}, {UserID: "U0BOB", UserName: "bob"}} {
		voter.Channel, voter.TS = ms[0].Channel, ms[0].TS
		res := fakeslack.PostInteraction(t, s.base+"/integrations/slack/interactions", fakeslack.SigningSecret,
			fakeslack.Click(voter, chatslack.ActionApprove, deploy), time.Now())
		res.Body.Close()
		tally := fmt.Sprintf("%d of 3 so far", i+1)
		fake.WaitMessages(t, voter.UserName+"'s vote on both", both(func(m fakeslack.Message) bool {
			return buttons(m) && shows(m, voter.UserName+" (slack:"+voter.UserID+") approved") && shows(m, tally)
		}))
	}
	if code, body := s.call(t, key, http.MethodPost, "/api/requests/"+deploy+"/decide", `{"decision":"approved"}`); code != http.StatusOK {
		t.Fatalf("decide: %d %s", code, body)
	}
	fake.WaitMessages(t, "the decision on both", both(func(m fakeslack.Message) bool {
		return !buttons(m) && shows(m, "Approved: deploy") && shows(m, `*Approved by*\nadmin`)
	}))

	_, body = s.call(t, key, http.MethodPost, "/api/requests", `{"action":"restart"}`)
	restart := id(body)
	ms = fake.WaitMessages(t, "the restart posted", func(ms []fakeslack.Message) bool { return len(ms) == 3 && buttons(ms[2]) })
	if ms[2].Channel != "D0ONCALL" {
		t.Errorf("the restart went to %s, not as a direct message to U0ONCALL", ms[2].Channel)
	}
	if code, body := s.call(t, key, http.MethodPost, "/api/requests/"+restart+"/cancel", `{"reason":"not needed"}`); code != http.StatusOK {
		t.Fatalf("cancel: %d %s", code, body)
	}
	fake.WaitMessages(t, "the cancellation", func(ms []fakeslack.Message) bool {
		return len(ms) == 3 && !buttons(ms[2]) && shows(ms[2], "Cancelled: restart") && shows(ms[2], "not needed")
	})
	if err := s.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}
