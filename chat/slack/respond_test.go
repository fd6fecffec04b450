package slack_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/agentgate/agentgate"
	chatslack "github.com/agentgate/agentgate/chat/slack"
	"github.com/agentgate/agentgate/internal/fakeslack"
)

var bob = fakeslack.Clicker{UserID: "U0BOB", UserName: "bob", Channel: "CAPPROVALS", TS: "1700000000.000101"}

// ephemerals returns the texts told to users ephemerally, by user id.
func ephemerals(e *env) map[string][]string {
	out := map[string][]string{}
	for _, c := range e.slack.Calls("chat.postEphemeral") {
		out[c.Form.Get("user")] = append(out[c.Form.Get("user")], c.Form.Get("text"))
	}
	return out
}

// TestClickDecides: Approve decides as the Slack user who clicked, answered with an empty
// 200 and nothing else said.
func TestClickDecides(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		r := e.submit(t, "deploy")
		if ans := e.interactions.Handle(bg, fakeslack.Click(alice, chatslack.ActionApprove, r.ID)); ans != nil {
			t.Errorf("answer %s; want an empty 200", ans)
		}
		got, _ := e.gate.Get(bg, r.ID)
		if got.Status != agentgate.StatusApproved || got.DecidedBy != "alice (slack:U0ALICE)" || got.Votes[0].Channel != "slack" {
			t.Errorf("request %s by %q via %q", got.Status, got.DecidedBy, got.Votes[0].Channel)
		}
		if n := len(e.slack.Calls("")); n != 0 {
			t.Errorf("%d Web API calls answering a click that decided; the outbox updates the message", n)
		}
		// The link to the dashboard is acknowledged and does nothing.
		other := e.submit(t, "other")
		if ans := e.interactions.Handle(bg, fakeslack.Click(alice, chatslack.ActionOpen, "")); ans != nil || e.status(t, other.ID) != agentgate.StatusPending {
			t.Errorf("the dashboard link answered %s", ans)
		}
	})
}

// TestClickThatChangesNothing: the clicker alone is told why, and the request is as it was.
func TestClickThatChangesNothing(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.policy(t, `[{"match": {"action": "named"}, "decision": "route_to_human", "approvers": ["cfo"]}]`)
		named := e.submit(t, "named")
		done := e.submit(t, "done")
		e.decide(t, done.ID, agentgate.DecisionDenied)
		expiring := e.submit(t, "expiring")

		for _, tc := range []struct {
			name, id, says string
		}{
			{"not an approver", named.ID, "You are not one of the approvers of request " + named.ID},
			{"already decided", done.ID, "Request " + done.ID + " is already denied"},
			{"unknown request", "req_gone", "AgentGate has no request req_gone."},
			{"expired", expiring.ID, "Request " + expiring.ID + " expired before your click"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if tc.name == "expired" {
					e.clock.Set(t0.Add(2 * 60 * 60 * 1e9))
				}
				before := len(e.slack.Calls("chat.postEphemeral"))
				if ans := e.interactions.Handle(bg, fakeslack.Click(alice, chatslack.ActionApprove, tc.id)); ans != nil {
					t.Errorf("answer %s", ans)
				}
				calls := e.slack.Calls("chat.postEphemeral")
				if len(calls) != before+1 {
					t.Fatalf("%d ephemeral messages; want one", len(calls)-before)
				}
				c := calls[len(calls)-1].Form
				if c.Get("channel") != alice.Channel || c.Get("user") != alice.UserID || !strings.Contains(c.Get("text"), tc.says) {
					t.Errorf("told %s in %s: %q; want %q", c.Get("user"), c.Get("channel"), c.Get("text"), tc.says)
				}
			})
		}
		if e.status(t, named.ID) != agentgate.StatusPending {
			t.Error("a click by someone who may not decide changed the request")
		}
	})
}

// TestReasonDialog: where the rule requires a reason, a click opens the dialog; its
// submission decides with the reason, or keeps the dialog open saying why not.
func TestReasonDialog(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.policy(t, `[{"match": {"action": "why"}, "decision": "route_to_human", "requireReason": true}]`)
		r := e.submit(t, "why")
		if ans := e.interactions.Handle(bg, fakeslack.Click(alice, chatslack.ActionDeny, r.ID)); ans != nil {
			t.Errorf("answer %s", ans)
		}
		opened := e.slack.Calls("views.open")
		if len(opened) != 1 || !strings.Contains(string(opened[0].JSON), `"trigger_id":"1337.42.trigger"`) {
			t.Fatalf("views.open calls: %v", opened)
		}
		if e.status(t, r.ID) != agentgate.StatusPending {
			t.Fatal("the click decided without the reason")
		}
		meta := fakeslack.DialogMetadata(t, opened[0])

		var answer struct {
			Action string            `json:"response_action"`
			Errors map[string]string `json:"errors"`
		}
		if err := json.Unmarshal(e.interactions.Handle(bg, fakeslack.Submit(alice, meta, "   ")), &answer); err != nil ||
			answer.Action != "errors" || !strings.Contains(answer.Errors["reason"], "Give a reason") {
			t.Errorf("a blank reason answered %+v, %v", answer, err)
		}
		if ans := e.interactions.Handle(bg, fakeslack.Submit(alice, meta, "not on a Friday")); ans != nil {
			t.Errorf("a reason answered %s; want an empty 200, which closes the dialog", ans)
		}
		got, _ := e.gate.Get(bg, r.ID)
		if got.Status != agentgate.StatusDenied || got.DecisionReason != "not on a Friday" || got.DecidedBy != "alice (slack:U0ALICE)" {
			t.Errorf("request %s by %q: %q", got.Status, got.DecidedBy, got.DecisionReason)
		}
		// A second dialog submitted late keeps its dialog open with the news.
		if err := json.Unmarshal(e.interactions.Handle(bg, fakeslack.Submit(bob, meta, "me too")), &answer); err != nil ||
			!strings.Contains(answer.Errors["reason"], "is already denied") {
			t.Errorf("a late submission answered %+v, %v", answer, err)
		}
	})
}

// TestReasonDialogThatWillNotOpen: the clicker hears that nothing changed.
func TestReasonDialogThatWillNotOpen(t *testing.T) {
	dbtestSQLite(t, func(t *testing.T, e *env) {
		e.policy(t, `[{"match": {"action": "why"}, "decision": "route_to_human", "requireReason": true}]`)
		r := e.submit(t, "why")
		e.slack.Fail("views.open", fakeslack.Failure{Error: "expired_trigger_id"})
		e.interactions.Handle(bg, fakeslack.Click(alice, chatslack.ActionApprove, r.ID))
		if told := ephemerals(e)[alice.UserID]; len(told) != 1 || !strings.Contains(told[0], "could not open the dialog") {
			t.Errorf("told %q", told)
		}
	})
}

// TestTwoClicksOneDecision: of two people clicking at once, one decides and the other is
// told it was already decided.
func TestTwoClicksOneDecision(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		for range 5 {
			r := e.submit(t, "deploy")
			start := make(chan struct{})
			var wg sync.WaitGroup
			for _, c := range []fakeslack.Clicker{alice, bob} {
				wg.Go(func() {
					<-start
					decision := chatslack.ActionApprove
					if c.UserID == bob.UserID {
						decision = chatslack.ActionDeny
					}
					e.interactions.Handle(bg, fakeslack.Click(c, decision, r.ID))
				})
			}
			close(start)
			wg.Wait()
			got, _ := e.gate.Get(bg, r.ID)
			if len(got.Votes) != 1 || got.Status == agentgate.StatusPending {
				t.Fatalf("two clicks left %s with %d votes", got.Status, len(got.Votes))
			}
			loser := alice.UserID
			if got.Votes[0].VoterID == "slack:"+alice.UserID {
				loser = bob.UserID
			}
			told := ephemerals(e)[loser]
			if len(told) == 0 || !strings.Contains(told[len(told)-1], r.ID+" is already "+string(got.Status)) {
				t.Errorf("the second clicker was told %q", told)
			}
		}
	})
}
