package handlers_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
	chatslack "github.com/agentgate/agentgate/chat/slack"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/handlers"
	"github.com/agentgate/agentgate/internal/fakeslack"
)

const slackPath = "/integrations/slack/interactions"

// slackEnv is the API stack with Slack wired in as serve wires it, against a fake Slack.
type slackEnv struct {
	*apiEnv
	slack  *fakeslack.Server
	sender *chatslack.Sender
}

func eachSlack(t *testing.T, fn func(t *testing.T, e *slackEnv)) {
	eachSlackSigned(t, fakeslack.SigningSecret, fn)
}

// eachSlackSigned is eachSlack with the signing secret given.
func eachSlackSigned(t *testing.T, secret string, fn func(t *testing.T, e *slackEnv)) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := &slackEnv{slack: fakeslack.Start(t)}
		e.apiEnv = newAPIEnv(t, s, apiOptions{wire: func(g *ag.Gate, s *db.Store, clock ag.Clock, cfg *handlers.Config) {
			c := chatslack.Config{BotToken: fakeslack.Token, SigningSecret: secret, DefaultChannel: "#approvals", APIURL: e.slack.URL}
			opts := chatslack.Options{BaseURL: "https://gate.example.com", Clock: clock, Logger: slog.New(slog.DiscardHandler)}
			in, err := chatslack.NewInteractions(c, g, opts)
			if err != nil {
				t.Fatal(err)
			}
			if e.sender, err = chatslack.NewSender(c, g, s, opts); err != nil {
				t.Fatal(err)
			}
			cfg.SlackInteractions = in
			cfg.ChannelTesters = map[ag.ChannelKind]handlers.ChannelTester{ag.ChannelSlack: e.sender}
		}})
		fn(t, e)
	})
}

// interact posts payload as Slack does, signed with secret at time at.
func (e *slackEnv) interact(payload []byte, secret string, at time.Time) *apiResponse {
	body := fakeslack.FormBody(payload)
	h := chatslack.SignatureHeaders(secret, body, at)
	return e.call(http.MethodPost, slackPath, "", body, "Content-Type", "application/x-www-form-urlencoded",
		"X-Slack-Signature", h.Get("X-Slack-Signature"), "X-Slack-Request-Timestamp", h.Get("X-Slack-Request-Timestamp"))
}

func (e *slackEnv) click(c fakeslack.Clicker, action, id string) *apiResponse {
	return e.interact(fakeslack.Click(c, action, id), fakeslack.SigningSecret, e.clock.Now())
}

func (e *slackEnv) pending(action string) *ag.Request {
	e.t.Helper()
	r, err := e.gate.Submit(context.Background(), ag.Actor{ID: "key_agent", Name: "agent", Type: ag.ActorAPIKey}, ag.NewRequest{Action: action})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *slackEnv) told(user string) []string {
	var out []string
	for _, c := range e.slack.Calls("chat.postEphemeral") {
		if c.Form.Get("user") == user {
			out = append(out, c.Form.Get("text"))
		}
	}
	return out
}

var (
	slackAlice = fakeslack.Clicker{UserID: "U0ALICE", UserName: "alice", Channel: "CAPPROVALS", TS: "1700000000.000101"}
	slackBob   = fakeslack.Clicker{UserID: "U0BOB", UserName: "bob", Channel: "CAPPROVALS", TS: "1700000000.000101"}
)

// TestSlackClickOverHTTP: a signed click decides as the Slack user, and is answered with an
// empty 200 well within Slack's 3 seconds.
func TestSlackClickOverHTTP(t *testing.T) {
	eachSlack(t, func(t *testing.T, e *slackEnv) {
		r := e.pending("deploy")
		res := e.click(slackAlice, chatslack.ActionApprove, r.ID)
		res.want(t, http.StatusOK)
		if len(res.body) != 0 {
			t.Errorf("answer %s; want an empty 200", res.body)
		}
		got, _ := e.gate.Get(context.Background(), r.ID)
		if got.Status != ag.StatusApproved || got.DecidedBy != "alice (slack:U0ALICE)" || got.Votes[0].Channel != ag.DecidedViaSlack {
			t.Errorf("request %s by %q", got.Status, got.DecidedBy)
		}
		trail, _ := e.gate.RequestAudit(context.Background(), r.ID)
		var details map[string]any
		last := trail[len(trail)-1]
		_ = json.Unmarshal(last.Details, &details)
		if last.Actor != "alice (slack:U0ALICE)" || details["channel"] != "slack" {
			t.Errorf("audit: %s by %s, %s", last.EventType, last.Actor, last.Details)
		}
	})
}

// TestSlackRefusesWhatSlackDidNotSign: nothing unsigned, mis-signed or stale is read,
// let alone decides.
func TestSlackRefusesWhatSlackDidNotSign(t *testing.T) {
	eachSlack(t, func(t *testing.T, e *slackEnv) {
		r := e.pending("deploy")
		payload := fakeslack.Click(slackAlice, chatslack.ActionApprove, r.ID)
		now := e.clock.Now()
		for _, tc := range []struct {
			name   string
			secret string
			at     time.Time
		}{
			{"another secret", "not-the-secret", now},
			{"six minutes old", fakeslack.SigningSecret, now.Add(-6 * time.Minute)},
			{"six minutes ahead", fakeslack.SigningSecret, now.Add(6 * time.Minute)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.interact(payload, tc.secret, tc.at).wantError(t, http.StatusUnauthorized, "invalid_signature")
			})
		}
		e.call(http.MethodPost, slackPath, "", fakeslack.FormBody(payload), "Content-Type", "application/x-www-form-urlencoded").
			wantError(t, http.StatusUnauthorized, "invalid_signature")
		// A body signed but then changed.
		body := fakeslack.FormBody(payload)
		h := chatslack.SignatureHeaders(fakeslack.SigningSecret, body, now)
		e.call(http.MethodPost, slackPath, "", strings.Replace(string(body), "approve", "deny", 1), "Content-Type", "application/x-www-form-urlencoded",
			"X-Slack-Signature", h.Get("X-Slack-Signature"), "X-Slack-Request-Timestamp", h.Get("X-Slack-Request-Timestamp")).
			wantError(t, http.StatusUnauthorized, "invalid_signature")
		if got, _ := e.gate.Get(context.Background(), r.ID); got.Status != ag.StatusPending {
			t.Errorf("an unverified click decided: %s", got.Status)
		}
		e.call(http.MethodPost, slackPath, "", strings.Repeat("x", handlers.MaxBodyBytes+1)).wantError(t, http.StatusRequestEntityTooLarge, "body_too_large")
	})
}

// TestSlackPublishedSignature: Slack's documented example passes the endpoint's check at
// its time (and, being a slash command, is then refused as no interaction).
func TestSlackPublishedSignature(t *testing.T) {
	eachSlackSigned(t, "8f742231b10e8888abcd99yyyzzz85a5", func(t *testing.T, e *slackEnv) {
		const body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
		hdr := []string{"Content-Type", "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp", "1531420618",
			"X-Slack-Signature", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"}
		e.call(http.MethodPost, slackPath, "", body, hdr...).wantError(t, http.StatusUnauthorized, "invalid_signature") // 2018 is long gone
		e.setTime(time.Unix(1531420618, 0).UTC())
		e.call(http.MethodPost, slackPath, "", body, hdr...).wantError(t, http.StatusBadRequest, "invalid_interaction")
	})
}

// TestSlackClicksThatChangeNothing: the answer is still a 200 (Slack shows an error for
// anything else); the clicker alone is told why.
func TestSlackClicksThatChangeNothing(t *testing.T) {
	eachSlack(t, func(t *testing.T, e *slackEnv) {
		e.must(http.StatusCreated, http.MethodPost, "/api/policies", e.admin, map[string]any{"name": "cfo", "enabled": true,
			"rules": []map[string]any{{"match": map[string]any{"action": "wire"}, "decision": "route_to_human", "approvers": []string{"cfo"}}}}, nil)
		wire := e.pending("wire")
		e.click(slackAlice, chatslack.ActionApprove, wire.ID).want(t, http.StatusOK)
		e.click(slackAlice, chatslack.ActionDeny, "req_unknown").want(t, http.StatusOK)
		told := e.told(slackAlice.UserID)
		if len(told) != 2 || !strings.Contains(told[0], "not one of the approvers") || !strings.Contains(told[1], "no request req_unknown") {
			t.Errorf("told %q", told)
		}
		if got, _ := e.gate.Get(context.Background(), wire.ID); got.Status != ag.StatusPending {
			t.Errorf("a disallowed click decided: %s", got.Status)
		}
	})
}

// TestSlackTwoClicksOverHTTP: two people clicking at once make one decision; the other is
// told it was already made.
func TestSlackTwoClicksOverHTTP(t *testing.T) {
	eachSlack(t, func(t *testing.T, e *slackEnv) {
		r := e.pending("deploy")
		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, c := range []fakeslack.Clicker{slackAlice, slackBob} {
			wg.Go(func() {
				<-start
				if res := e.click(c, chatslack.ActionApprove, r.ID); res.status != http.StatusOK {
					t.Errorf("%s's click: status %d", c.UserName, res.status)
				}
			})
		}
		close(start)
		wg.Wait()
		got, _ := e.gate.Get(context.Background(), r.ID)
		if got.Status != ag.StatusApproved || len(got.Votes) != 1 {
			t.Fatalf("two clicks: %s with %d votes", got.Status, len(got.Votes))
		}
		loser := slackBob.UserID
		if got.Votes[0].VoterID == "slack:"+slackBob.UserID {
			loser = slackAlice.UserID
		}
		if told := e.told(loser); len(told) != 1 || !strings.Contains(told[0], "is already approved") {
			t.Errorf("the second clicker was told %q", told)
		}
	})
}

// TestSlackNotConfigured: without Slack the endpoint says so.
func TestSlackNotConfigured(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		e.call(http.MethodPost, slackPath, "", "payload=%7B%7D", "Content-Type", "application/x-www-form-urlencoded").
			wantError(t, http.StatusNotFound, "slack_not_configured")
	})
}
