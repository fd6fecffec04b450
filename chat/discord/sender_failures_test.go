package discord_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/chat/discord"
	"github.com/agentgate/agentgate/chat/discord/discordtest"
)

// TestSenderFailures: what Discord answers decides what the outbox does next.
func TestSenderFailures(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		for _, tc := range []struct {
			name       string
			answer     discordtest.Answer
			permanent  bool
			retryAfter time.Duration
			want       string
		}{
			{"rate limited", discordtest.Answer{Status: 429, Body: `{"message": "You are being rate limited.", "retry_after": 2.5, "global": false}`}, false, 3 * time.Second, "rate limited"},
			{"rate limited, header only", discordtest.Answer{Status: 429, Header: http.Header{"Retry-After": {"7"}}}, false, 7 * time.Second, "429"},
			{"server error", discordtest.Answer{Status: 502, Body: `<html>bad gateway</html>`}, false, 0, "502"},
			{"missing permissions", discordtest.Answer{Status: 403, Body: `{"message": "Missing Permissions", "code": 50013}`}, true, 0, "Missing Permissions (Discord code 50013)"},
			{"bad token", discordtest.Answer{Status: 401, Body: `{"message": "401: Unauthorized", "code": 0}`}, true, 0, "401"},
			{"refused body", discordtest.Answer{Status: 400, Body: `{"message": "Invalid Form Body", "code": 50035}`}, true, 0, "Invalid Form Body"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.submit(t, "deploy")
				e.discord.Script(http.MethodPost, tc.answer)
				res, err := e.sender(t).Send(bg, delivery(r, agentgate.EventRequestCreated, ""))
				if err == nil || res.Permanent != tc.permanent || res.RetryAfter != tc.retryAfter ||
					res.StatusCode != tc.answer.Status || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("Send = %+v, %v; want permanent=%v, retry after %s, an error saying %q", res, err, tc.permanent, tc.retryAfter, tc.want)
				}
				if saved, _ := e.store.ChatMessages(bg, r.ID, agentgate.ChannelDiscord); len(saved) != 0 {
					t.Fatal("a refused post was recorded")
				}
			})
		}
		t.Run("unreachable", func(t *testing.T) {
			down := httptest.NewServer(http.NotFoundHandler())
			down.Close()
			e.cfg.APIURL = down.URL
			res, err := e.sender(t).Send(bg, delivery(e.submit(t, "deploy"), agentgate.EventRequestCreated, ""))
			if err == nil || res.Permanent {
				t.Fatalf("Send to a closed port = %+v, %v; want a retry", res, err)
			}
		})
	})
}

func TestSenderEdits(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		s := e.sender(t)
		r := e.submit(t, "deploy")
		other := "1200000000000000000"
		send(t, s, delivery(r, agentgate.EventRequestCreated, ""))
		send(t, s, delivery(r, agentgate.EventRequestCreated, other))
		first := e.discord.Messages()[0]
		d := decide(t, e, r.ID, agentgate.DecisionApproved)

		e.discord.Script(http.MethodPatch, discordtest.Answer{Status: 503})
		if res, err := s.Send(bg, delivery(d, agentgate.EventRequestApproved, other)); err == nil || res.Permanent {
			t.Fatalf("an edit refused with 503: %+v, %v; want a retry", res, err)
		}
		e.discord.Delete(first.ID) // someone deleted one copy: the other is still edited
		res := send(t, s, delivery(d, agentgate.EventRequestApproved, other))
		ms := e.discord.Messages()
		if len(ms) != 1 || hasButtons(ms[0].Body) || !strings.Contains(ms[0].Body.Content, "Approved") {
			t.Fatalf("after the edit: %+v (%s)", ms, res.Response)
		}

		e.discord.Script(http.MethodPatch, discordtest.Answer{Status: 403, Body: `{"message": "Missing Access", "code": 50001}`})
		if res, err := s.Send(bg, delivery(d, agentgate.EventRequestApproved, "")); err == nil || !res.Permanent {
			t.Fatalf("an edit refused with 403: %+v, %v; want a permanent failure", res, err)
		}

		none := e.submit(t, "deploy") // never posted: nothing to edit
		if res := send(t, s, delivery(decide(t, e, none.ID, agentgate.DecisionDenied), agentgate.EventRequestDenied, "")); !strings.Contains(res.Response, "no Discord message") {
			t.Fatalf("Send = %+v", res)
		}
		for _, d := range []agentgate.Delivery{
			{ID: "dlv_1", Event: agentgate.EventRequestApproved},                                              // no request
			{ID: "dlv_2", Event: agentgate.EventRequestApproved, RequestID: "req_01JQ3Z5W8E2V7C9T4N6B0M1K2H"}, // unknown request
			{ID: "dlv_3", Event: "policy.created", RequestID: r.ID},                                           // no message for it
		} {
			if res, err := s.Send(bg, d); err == nil || !res.Permanent {
				t.Errorf("Send(%+v) = %+v, %v; want a permanent failure", d, res, err)
			}
		}
	})
}

func TestChannelTest(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		res, err := e.sender(t).Test(bg)
		ms := e.discord.Messages()
		if err != nil || len(ms) != 1 || ms[0].ChannelID != channel || !strings.Contains(res.Response, "posted test message "+ms[0].ID) {
			t.Fatalf("Test = %+v, %v; messages %+v", res, err, ms)
		}
		if !equalJSON(t, ms[0].Body, discord.TestMessage(t0)) {
			t.Fatalf("posted %+v", ms[0].Body)
		}
		e.discord.Script(http.MethodPost, discordtest.Answer{Status: 403, Body: `{"message": "Missing Access", "code": 50001}`})
		if res, err := e.sender(t).Test(bg); err == nil || res.StatusCode != 403 || !strings.Contains(err.Error(), "Missing Access") {
			t.Fatalf("Test refused = %+v, %v", res, err)
		}
		e.cfg.DefaultChannel = ""
		if _, err := e.sender(t).Test(bg); err == nil || !strings.Contains(err.Error(), "DISCORD_DEFAULT_CHANNEL") {
			t.Fatalf("Test without a default channel = %v", err)
		}
	})
}
