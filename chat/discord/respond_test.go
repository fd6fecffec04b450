package discord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/chat/discord"
	"github.com/agentgate/agentgate/chat/discord/discordtest"
)

func parse(t *testing.T, b []byte) discord.Interaction {
	t.Helper()
	in, err := discord.ParseInteraction(b)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestRespond(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.policy(t, `[
			{"match": {"action": "named"}, "decision": "route_to_human", "approvers": ["alice"]},
			{"match": {"action": "why"}, "decision": "route_to_human", "requireReason": true}
		]`)
		p := e.responder()
		respond := func(b []byte) (int, discord.Message, discord.Modal) {
			return decode(t, p.Respond(bg, parse(t, b)))
		}

		t.Run("ping", func(t *testing.T) {
			if typ, _, _ := respond(discordtest.Ping(appID)); typ != discord.ResponsePong {
				t.Fatalf("PING answered with type %d", typ)
			}
		})
		t.Run("approve", func(t *testing.T) {
			r := e.submit(t, "open")
			typ, m, _ := respond(discordtest.Click("10", appID, "approve:"+r.ID, carol))
			if typ != discord.ResponseUpdateMessage || hasButtons(m) || !strings.Contains(m.Content, "Approved") {
				t.Fatalf("answer %d %+v", typ, m)
			}
			got, _ := e.gate.Get(bg, r.ID)
			if got.Status != agentgate.StatusApproved || got.DecidedBy != "Carol (discord:80351110224678912)" || got.Votes[0].Channel != "discord" {
				t.Fatalf("request %s by %q", got.Status, got.DecidedBy)
			}
		})
		t.Run("a reason is asked for, then decides", func(t *testing.T) {
			r := e.submit(t, "why")
			typ, _, modal := respond(discordtest.Click("11", appID, "deny:"+r.ID, carol))
			if typ != discord.ResponseModal || modal.CustomID != "reason:deny:"+r.ID {
				t.Fatalf("answer %d, form %+v", typ, modal)
			}
			if got, _ := e.gate.Get(bg, r.ID); got.Status != agentgate.StatusPending {
				t.Fatal("opening the form decided")
			}
			typ, m, _ := respond(discordtest.Submit("12", appID, modal.CustomID, "not now", carol))
			if typ != discord.ResponseUpdateMessage || !strings.Contains(m.Embeds[0].Description, "not now") {
				t.Fatalf("answer %d %+v", typ, m)
			}
			if got, _ := e.gate.Get(bg, r.ID); got.Status != agentgate.StatusDenied || got.DecisionReason != "not now" {
				t.Fatalf("request %s (%q)", got.Status, got.DecisionReason)
			}
		})

		refused := func(name string, b func(r *agentgate.Request) []byte, action, want string, before func(r *agentgate.Request)) {
			t.Run(name, func(t *testing.T) {
				r := e.submit(t, action)
				if before != nil {
					before(r)
				}
				was, _ := e.gate.Get(bg, r.ID)
				typ, m, _ := respond(b(r))
				if typ != discord.ResponseMessage || m.Flags != discord.FlagEphemeral || !strings.Contains(m.Content, want) {
					t.Fatalf("answer %d %q; want an ephemeral note saying %q", typ, m.Content, want)
				}
				// Nothing is decided; an overdue request is expired on the way.
				got, _ := e.gate.Get(bg, r.ID)
				if len(got.Votes) != len(was.Votes) || (got.Status != was.Status && got.Status != agentgate.StatusExpired) {
					t.Fatalf("a refused click changed the request: %s, %d votes", got.Status, len(got.Votes))
				}
			})
		}
		click := func(id, verb string, u discordtest.User) func(*agentgate.Request) []byte {
			return func(r *agentgate.Request) []byte { return discordtest.Click(id, appID, verb+":"+r.ID, u) }
		}
		refused("not an approver", click("20", "approve", carol), "named", "You may not decide", nil)
		refused("already decided", click("21", "deny", carol), "open", "already decided", func(r *agentgate.Request) {
			if _, err := e.gate.Decide(bg, r.ID, agentgate.Decide{Decision: agentgate.DecisionApproved, Actor: agentgate.Actor{ID: "k", Name: "admin"}}); err != nil {
				t.Fatal(err)
			}
		})
		refused("expired", click("22", "approve", carol), "open", "expired", func(*agentgate.Request) { e.clock.Advance(2 * time.Hour) })
		refused("unknown request", func(*agentgate.Request) []byte {
			return discordtest.Click("23", appID, "approve:req_01JQ3Z5W8E2V7C9T4N6B0M1K2H", carol)
		}, "open", "no such request", nil)
		refused("not our button", func(r *agentgate.Request) []byte {
			return discordtest.Click("24", appID, "launch:"+r.ID, carol)
		}, "open", "not one of AgentGate's buttons", nil)
		refused("another app", func(r *agentgate.Request) []byte {
			return discordtest.Click("25", "999", "approve:"+r.ID, carol)
		}, "open", "another app", nil)
		refused("a form without its reason", func(r *agentgate.Request) []byte {
			return discordtest.Submit("26", appID, "reason:approve:"+r.ID, " ", carol)
		}, "why", "requires a reason", nil)
		refused("no user", func(r *agentgate.Request) []byte {
			return discordtest.Click("27", appID, "approve:"+r.ID, discordtest.User{})
		}, "open", "did not say who clicked", nil)
	})
}

func TestChoice(t *testing.T) {
	for _, tc := range []struct {
		name string
		body []byte
		want discord.Choice
		ok   bool
	}{
		{"approve", discordtest.Click("1", appID, "approve:req_1", carol), discord.Choice{RequestID: "req_1", Decision: "approved"}, true},
		{"deny", discordtest.Click("1", appID, "deny:req_1", carol), discord.Choice{RequestID: "req_1", Decision: "denied"}, true},
		{"form", discordtest.Submit("1", appID, "reason:approve:req_1", "ok", carol), discord.Choice{RequestID: "req_1", Decision: "approved", Reason: "ok", Form: true}, true},
		{"a form's id on a button", discordtest.Click("1", appID, "reason:approve:req_1", carol), discord.Choice{}, false},
		{"a button's id on a form", discordtest.Submit("1", appID, "approve:req_1", "ok", carol), discord.Choice{}, false},
		{"no request", discordtest.Click("1", appID, "approve:", carol), discord.Choice{}, false},
		{"other", discordtest.Click("1", appID, "vote:req_1", carol), discord.Choice{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parse(t, tc.body).Choice()
			if ok != tc.ok || (ok && got != tc.want) {
				t.Fatalf("Choice = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	if _, err := discord.ParseInteraction([]byte(`{"type": 3}`)); err == nil {
		t.Error("an interaction without an id was read")
	}
	if _, err := discord.ParseInteraction([]byte(`not json`)); err == nil {
		t.Error("a body that is not JSON was read")
	}
	u := parse(t, discordtest.Click("1", appID, "approve:req_1", discordtest.User{ID: "7", Username: "dave"})).Clicker()
	if u.ID != "7" || u.Name != "dave" || u.Platform != agentgate.ChannelDiscord {
		t.Errorf("Clicker without a nickname = %+v", u)
	}
}
