package agentgate_test

import (
	"encoding/json"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
)

var carol = ag.ChatUser{Platform: ag.ChannelDiscord, UserID: "80351110224678912", Name: "Carol"}

func TestDecideInChat(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, _ *testClock) {
		createPolicy(t, g, `[
			{"match": {"action": "named"}, "decision": "route_to_human", "approvers": ["alice"]},
			{"match": {"action": "why"}, "decision": "route_to_human", "requireReason": true},
			{"match": {"action": "named_why"}, "decision": "route_to_human", "approvers": ["alice"], "requireReason": true},
			{"match": {"action": "quorum"}, "decision": "route_to_human", "requiredApprovals": 2}
		]`)
		for _, tc := range []struct {
			name, action, reason string
			user                 ag.ChatUser
			code                 string // "" when the decision is recorded
		}{
			{"anyone may decide a request that names no approvers", "open", "", carol, ""},
			{"a chat user is none of the approvers a rule names", "named", "", carol, "not_an_approver"},
			{"a reason is asked for", "why", "", carol, "reason_required"},
			{"and then decides", "why", "looks fine", carol, ""},
			{"who may decide is checked before the reason", "named_why", "", carol, "not_an_approver"},
			{"no user id", "open", "", ag.ChatUser{Platform: ag.ChannelDiscord, Name: "Carol"}, "invalid_chat_user"},
			{"no platform", "open", "", ag.ChatUser{UserID: "1"}, "invalid_chat_user"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := submit(t, g, ag.NewRequest{Action: tc.action})
				got, err := g.DecideInChat(bg, r.ID, tc.user, ag.DecisionApproved, tc.reason)
				if code(err) != tc.code || (tc.code != "" && got != nil) {
					t.Fatalf("DecideInChat = %v, %v; want code %q", got, err, tc.code)
				}
				if tc.code != "" {
					return
				}
				if got.Status != ag.StatusApproved || got.DecidedBy != "Carol (discord:80351110224678912)" {
					t.Fatalf("decided %s by %q", got.Status, got.DecidedBy)
				}
				v := got.Votes[0]
				if v.VoterID != "discord:80351110224678912" || v.Channel != ag.DecidedViaDiscord || v.Reason != tc.reason {
					t.Fatalf("vote %+v", v)
				}
				trail, err := g.RequestAudit(bg, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				last := trail[len(trail)-1]
				var details struct{ Channel string }
				if err := json.Unmarshal(last.Details, &details); err != nil {
					t.Fatal(err)
				}
				if last.Actor != got.DecidedBy || last.ActorType != ag.ActorChat || details.Channel != ag.DecidedViaDiscord {
					t.Fatalf("audit %s by %s (%s): %s", last.EventType, last.Actor, last.ActorType, last.Details)
				}
			})
		}

		t.Run("one user is one vote, whatever the name it shows", func(t *testing.T) {
			r := submit(t, g, ag.NewRequest{Action: "quorum"})
			if _, err := g.DecideInChat(bg, r.ID, carol, ag.DecisionApproved, ""); err != nil {
				t.Fatal(err)
			}
			renamed := carol
			renamed.Name = "Not Carol"
			if _, err := g.DecideInChat(bg, r.ID, renamed, ag.DecisionApproved, ""); ag.ErrorCode(err) != "already_voted" {
				t.Fatalf("second vote by the same id: %v", err)
			}
			same := carol
			same.Platform = ag.ChannelSlack // another platform's user with the same id is someone else
			got, err := g.DecideInChat(bg, r.ID, same, ag.DecisionApproved, "")
			if err != nil || got.Status != ag.StatusApproved || got.Votes[1].Channel != ag.DecidedViaSlack {
				t.Fatalf("second voter: %+v, %v", got, err)
			}
			if _, err := g.DecideInChat(bg, r.ID, carol, ag.DecisionDenied, ""); ag.ErrorCode(err) != "already_decided" {
				t.Fatalf("after the decision: %v", err)
			}
		})
		t.Run("unknown request", func(t *testing.T) {
			if _, err := g.DecideInChat(bg, "req_nope", carol, ag.DecisionApproved, ""); ag.ErrorKind(err) != ag.KindNotFound {
				t.Fatalf("unknown request: %v", err)
			}
		})
	})
}

// code is err's code, or "" for no error.
func code(err error) string {
	if err == nil {
		return ""
	}
	return ag.ErrorCode(err)
}

func TestChatNames(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, _ *testClock) {
		for _, tc := range []struct{ name, want string }{
			{"  Carol \n  Smith ", "Carol Smith (discord:1)"},
			{"evil\u202Egnp.exe\x00", "evilgnp.exe (discord:1)"},
			{"\xff\u200b", "discord:1"},
			{strings.Repeat("é", 100), strings.Repeat("é", ag.MaxChatNameLen) + " (discord:1)"},
		} {
			r := submit(t, g, ag.NewRequest{Action: "open"})
			got, err := g.DecideInChat(bg, r.ID, ag.ChatUser{Platform: ag.ChannelDiscord, UserID: "1", Name: tc.name}, ag.DecisionDenied, "")
			if err != nil || got.DecidedBy != tc.want {
				t.Errorf("name %q: decided by %q (%v); want %q", tc.name, got.DecidedBy, err, tc.want)
			}
		}
	})
}
