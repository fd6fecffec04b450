package slack_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	chatslack "github.com/agentgate/agentgate/chat/slack"
	"github.com/agentgate/agentgate/internal/fakeslack"
)

// TestSenderPosts: request.created posts Build's exact message to the target, or to the
// default channel, and keeps where it went.
func TestSenderPosts(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		r := e.submit(t, "deploy")
		e.post(t, r.ID, "#ops")
		e.post(t, r.ID, "") // a rule's bare "slack"
		e.post(t, r.ID, "U0CFO")

		calls := e.slack.Calls("chat.postMessage")
		want, err := chatslack.Build(chatslack.Message{Request: *r, BaseURL: base})
		if err != nil {
			t.Fatal(err)
		}
		blocks, _ := json.Marshal(want.Blocks)
		attachments, _ := json.Marshal(want.Attachments)
		for i, target := range []string{"#ops", "#approvals", "U0CFO"} {
			f := calls[i].Form
			if f.Get("channel") != target || f.Get("text") != want.Text || f.Get("blocks") != string(blocks) || f.Get("attachments") != string(attachments) {
				t.Errorf("post %d sent %v; want Build's message to %s", i, f, target)
			}
		}
		kept, err := e.store.ChatMessages(bg, r.ID, agentgate.ChannelSlack)
		if err != nil {
			t.Fatal(err)
		}
		posted := e.slack.Messages()
		if len(kept) != 3 || len(posted) != 3 {
			t.Fatalf("kept %d messages, Slack holds %d; want 3", len(kept), len(posted))
		}
		byTS := map[string]agentgate.ChatMessage{}
		for _, k := range kept {
			byTS[k.MessageID] = k
		}
		for _, m := range posted {
			if k := byTS[m.TS]; k.Channel != m.Channel || k.CreatedAt != t0 {
				t.Errorf("kept %+v for the message Slack holds in %s as %s", k, m.Channel, m.TS)
			}
		}
		if posted[1].Channel != "CAPPROVALS" || posted[2].Channel != "D0CFO" {
			t.Errorf("posted to %s and %s; want the default channel and a direct message", posted[1].Channel, posted[2].Channel)
		}
	})
}

// TestSenderUpdatesEveryMessage: a later event rewrites every kept message to the
// request as it is, whichever target its delivery names.
func TestSenderUpdatesEveryMessage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		r := e.submit(t, "deploy")
		e.post(t, r.ID, "#ops")
		e.post(t, r.ID, "#finance")
		e.decide(t, r.ID, agentgate.DecisionDenied)
		if _, err := e.deliver(t, r.ID, agentgate.EventRequestDenied, "#ops"); err != nil {
			t.Fatal(err)
		}
		for _, m := range e.slack.Messages() {
			if m.Updates != 1 || hasButtons(m) || !shows(m, "Denied: deploy", "*Denied by*\\nbob") {
				t.Errorf("message in %s after the decision (%d updates): %s", m.Channel, m.Updates, m.Attachments)
			}
		}
		// Another request's event leaves these alone.
		other := e.submit(t, "other")
		if res, err := e.deliver(t, other.ID, agentgate.EventRequestExpired, ""); err != nil || res.Response != "no Slack message of this request to update" {
			t.Errorf("an event of a request never posted = %+v, %v", res, err)
		}
	})
}

// TestSenderShowsTheRequestAsItIsNow: a delivery made late (a retry, a slow outbox)
// writes the request as it is, so it never brings back the buttons of a decided request.
func TestSenderShowsTheRequestAsItIsNow(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.policy(t, `[{"match": {"action": "deploy"}, "decision": "route_to_human", "requiredApprovals": 2}]`)
		r := e.submit(t, "deploy")
		e.post(t, r.ID, "#ops")
		e.decide(t, r.ID, agentgate.DecisionDenied)
		// The vote's delivery, retried after the decision's went out.
		if _, err := e.deliver(t, r.ID, agentgate.EventRequestVoted, "#ops"); err != nil {
			t.Fatal(err)
		}
		if m := e.slack.Messages()[0]; hasButtons(m) || !shows(m, "Denied: deploy") {
			t.Errorf("a late vote delivery wrote %s", m.Attachments)
		}
		// A post made after the decision shows it too.
		e.post(t, r.ID, "#late")
		if m := e.slack.Messages()[1]; hasButtons(m) || !shows(m, "Denied: deploy") {
			t.Errorf("a late post wrote %s", m.Attachments)
		}
	})
}

// TestSenderCatchesAChangeMadeWhilePosting: a decision made while the post is on its way
// finds no message to update; the post then updates its own message.
func TestSenderCatchesAChangeMadeWhilePosting(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		r := e.submit(t, "deploy")
		e.slack.Before("chat.postMessage", func() {
			e.decide(t, r.ID, agentgate.DecisionApproved)
			if _, err := e.deliver(t, r.ID, agentgate.EventRequestApproved, ""); err != nil {
				t.Error(err)
			}
		})
		e.post(t, r.ID, "#ops")
		if m := e.slack.Messages()[0]; m.Updates != 1 || hasButtons(m) || !shows(m, "Approved: deploy") {
			t.Errorf("message after a decision made while posting (%d updates): %s", m.Updates, m.Attachments)
		}
	})
}

// TestSenderFailures: what Slack answers decides what the outbox does next.
func TestSenderFailures(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		r := e.submit(t, "deploy")
		for _, tc := range []struct {
			name      string
			fail      fakeslack.Failure
			permanent bool
			status    int
			retry     time.Duration
			says      string
		}{
			{"rate limited", fakeslack.Failure{Status: 429, RetryAfter: 7}, false, 429, 7 * time.Second, "rate limited"},
			{"rate limited without Retry-After", fakeslack.Failure{Status: 429}, false, 429, 0, "429"},
			{"down", fakeslack.Failure{Status: 503}, false, 503, 0, "503"},
			{"a gateway timeout", fakeslack.Failure{Status: 408}, false, 408, 0, "408"},
			{"refused for good", fakeslack.Failure{Status: 404}, true, 404, 0, "404"},
			{"no such channel", fakeslack.Failure{Error: "channel_not_found"}, true, 200, 0, "check the rule's slack: target"},
			{"not in the channel", fakeslack.Failure{Error: "not_in_channel"}, true, 200, 0, "/invite"},
			{"Slack's own trouble", fakeslack.Failure{Error: "internal_error"}, false, 200, 0, "internal_error"},
			{"a revoked token", fakeslack.Failure{Error: "token_revoked"}, false, 200, 0, "reinstall the app"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.slack.Fail("chat.postMessage", tc.fail)
				res, err := e.deliver(t, r.ID, agentgate.EventRequestCreated, "#ops")
				if err == nil || res.Permanent != tc.permanent || res.StatusCode != tc.status || res.RetryAfter != tc.retry || !strings.Contains(err.Error(), tc.says) {
					t.Errorf("Send = %+v, %v; want permanent %v, status %d, retry after %s, saying %q", res, err, tc.permanent, tc.status, tc.retry, tc.says)
				}
			})
		}
		if n := len(e.kept(t, r.ID)); n != 0 {
			t.Errorf("failed posts kept %d messages", n)
		}
	})
}

// TestSenderLogsAnAppProblemOnce: a problem with the app as a whole is logged once while
// it lasts, and its end once, however many deliveries meet it.
func TestSenderLogsAnAppProblemOnce(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		r := e.submit(t, "deploy")
		e.slack.Fail("chat.postMessage", fakeslack.Failure{Error: "invalid_auth"}, fakeslack.Failure{Error: "invalid_auth"})
		for range 2 {
			if res, err := e.deliver(t, r.ID, agentgate.EventRequestCreated, "#ops"); err == nil || res.Permanent {
				t.Fatalf("Send with a refused token = %+v, %v; want a retry", res, err)
			}
		}
		e.post(t, r.ID, "#ops")
		logs := e.logs.String()
		if strings.Count(logs, "Slack messages cannot be sent") != 1 || strings.Count(logs, "Slack messages are being sent again") != 1 ||
			!strings.Contains(logs, "does not accept SLACK_BOT_TOKEN") {
			t.Errorf("logs:\n%s", logs)
		}
	})
}

// TestSenderUpdateFailures: a message that can no longer be edited is skipped; any other
// failure retries the whole update.
func TestSenderUpdateFailures(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		r := e.submit(t, "deploy")
		e.post(t, r.ID, "#ops")
		e.post(t, r.ID, "#finance")
		e.decide(t, r.ID, agentgate.DecisionApproved)

		e.slack.Fail("chat.update", fakeslack.Failure{Status: 500})
		if res, err := e.deliver(t, r.ID, agentgate.EventRequestApproved, ""); err == nil || res.Permanent {
			t.Errorf("an update Slack failed = %+v, %v; want a retry", res, err)
		}
		e.slack.Fail("chat.update", fakeslack.Failure{Error: "message_not_found"})
		res, err := e.deliver(t, r.ID, agentgate.EventRequestApproved, "")
		if err != nil || !strings.Contains(res.Response, "updated 1 message(s) to approved; 1 could no longer be updated") {
			t.Errorf("an update of a deleted message = %+v, %v", res, err)
		}
		updated := 0
		for _, m := range e.slack.Messages() {
			if !hasButtons(m) {
				updated++
			}
		}
		if updated != 1 {
			t.Errorf("%d messages updated; want the one still there", updated)
		}
	})
}

// TestSenderDeletesWhatItCannotKeep: a message posted but not kept would never be
// updated, so it is deleted and the post retried.
func TestSenderDeletesWhatItCannotKeep(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		r := e.submit(t, "deploy")
		e.slack.Before("chat.postMessage", func() { e.store.Close() })
		res, err := e.deliver(t, r.ID, agentgate.EventRequestCreated, "#ops")
		if err == nil || res.Permanent || !strings.Contains(err.Error(), "keeping the posted message") {
			t.Errorf("Send = %+v, %v; want a retry", res, err)
		}
		if n := len(e.slack.Calls("chat.delete")); n != 1 || len(e.slack.Messages()) != 0 {
			t.Errorf("%d chat.delete calls, %d messages left; want the posted message deleted", n, len(e.slack.Messages()))
		}
	})
}

func TestSenderRefusesWhatCanNeverGo(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		noDefault := newEnv(t, e.store, func(c *chatslack.Config) { c.DefaultChannel = "" })
		r := e.submit(t, "deploy")
		for _, tc := range []struct {
			name string
			s    *chatslack.Sender
			d    agentgate.Delivery
			says string
		}{
			{"no target, no default", noDefault.sender, agentgate.Delivery{Event: agentgate.EventRequestCreated, RequestID: r.ID}, "SLACK_DEFAULT_CHANNEL"},
			{"an unknown request", e.sender, agentgate.Delivery{Event: agentgate.EventRequestCreated, RequestID: "req_gone"}, "not found"},
			{"no request", e.sender, agentgate.Delivery{ID: "dlv_1", Event: "test"}, "names no request"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if res, err := tc.s.Send(bg, tc.d); err == nil || !res.Permanent || !strings.Contains(err.Error(), tc.says) {
					t.Errorf("Send = %+v, %v; want a permanent failure saying %q", res, err, tc.says)
				}
			})
		}
	})
}

// TestSenderUnreachable: Slack out of reach is retried.
func TestSenderUnreachable(t *testing.T) {
	dbtestSQLite(t, func(t *testing.T, e *env) {
		gone := newEnv(t, e.store, func(c *chatslack.Config) { c.APIURL = "http://127.0.0.1:1/api/" })
		r := e.submit(t, "deploy")
		res, err := gone.deliver(t, r.ID, agentgate.EventRequestCreated, "#ops")
		if err == nil || res.Permanent || !strings.Contains(err.Error(), "cannot reach Slack") {
			t.Errorf("Send to an unreachable Slack = %+v, %v; want a retry", res, err)
		}
	})
}

func TestSenderTest(t *testing.T) {
	dbtestSQLite(t, func(t *testing.T, e *env) {
		res, err := e.sender.Test(bg)
		if err != nil || !strings.Contains(res.Response, "bot agentgate in the workspace Fake Workspace; posted to CAPPROVALS") {
			t.Errorf("Test = %+v, %v", res, err)
		}
		if e.sender.Target() != "#approvals" {
			t.Errorf("Target = %q", e.sender.Target())
		}
		e.slack.Fail("chat.postMessage", fakeslack.Failure{Error: "not_in_channel"})
		if res, err := e.sender.Test(bg); err == nil || !strings.Contains(err.Error(), "/invite") || !strings.Contains(res.Response, "bot agentgate") {
			t.Errorf("Test into a channel without the app = %+v, %v", res, err)
		}
		e.slack.Fail("auth.test", fakeslack.Failure{Error: "invalid_auth"})
		if _, err := e.sender.Test(bg); err == nil || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN") {
			t.Errorf("Test with a refused token = %v", err)
		}
		noDefault := newEnv(t, e.store, func(c *chatslack.Config) { c.DefaultChannel = "" })
		if res, err := noDefault.sender.Test(bg); err == nil || !strings.Contains(err.Error(), "SLACK_DEFAULT_CHANNEL is not set") || res.StatusCode != 200 {
			t.Errorf("Test without a default channel = %+v, %v", res, err)
		}
	})
}
