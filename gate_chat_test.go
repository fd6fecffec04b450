package agentgate_test

import (
	"encoding/json"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
)

var (
	slackAlice = ag.ChatUser{Platform: ag.ChannelSlack, ID: "U0ALICE", Name: "alice"}
	slackBob   = ag.ChatUser{Platform: ag.ChannelSlack, ID: "U0BOB", Name: "bob"}
)

// TestDecideInChat: a chat click decides as the platform's user, recorded with the channel
// it came from, and only where the chat user may decide.
func TestDecideInChat(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, _ *testClock) {
		createPolicy(t, g, `[
			{"match": {"action": "open"}, "decision": "route_to_human"},
			{"match": {"action": "named"}, "decision": "route_to_human", "approvers": ["cfo"], "requireReason": true},
			{"match": {"action": "why"}, "decision": "route_to_human", "requireReason": true},
			{"match": {"action": "two"}, "decision": "route_to_human", "requiredApprovals": 2}]`)

		open := submit(t, g, ag.NewRequest{Action: "open"})
		r, err := g.DecideInChat(bg, open.ID, slackAlice, ag.DecisionApproved, "looks fine")
		if err != nil {
			t.Fatalf("DecideInChat(no approvers named) = %v", err)
		}
		if r.Status != ag.StatusApproved || r.DecidedBy != "alice (slack:U0ALICE)" || r.DecisionReason != "looks fine" {
			t.Errorf("decided %s by %q (%q)", r.Status, r.DecidedBy, r.DecisionReason)
		}
		if v := r.Votes[0]; v.VoterID != "slack:U0ALICE" || v.Channel != ag.DecidedViaSlack {
			t.Errorf("vote %+v; want voter slack:U0ALICE through slack", v)
		}
		trail, err := g.RequestAudit(bg, open.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := trail[len(trail)-1]
		var details map[string]any
		_ = json.Unmarshal(last.Details, &details)
		if last.Actor != "alice (slack:U0ALICE)" || last.ActorType != ag.ActorChat || details["channel"] != "slack" {
			t.Errorf("audit %s by %q (%s), details %v", last.EventType, last.Actor, last.ActorType, details)
		}
		// Settled is settled, for anyone.
		if _, err := g.DecideInChat(bg, open.ID, slackBob, ag.DecisionDenied, ""); ag.ErrorCode(err) != "already_decided" {
			t.Errorf("a second click = %v, want already_decided", err)
		}

		named := submit(t, g, ag.NewRequest{Action: "named"})
		// Refused before the reason is asked for, so no dialog opens for someone who may
		// not decide anyway.
		if _, err := g.DecideInChat(bg, named.ID, slackAlice, ag.DecisionApproved, ""); ag.ErrorCode(err) != "not_an_approver" {
			t.Errorf("a click on a request naming approvers = %v, want not_an_approver", err)
		}
		if got, _ := g.Get(bg, named.ID); got.Status != ag.StatusPending || len(got.Votes) != 0 {
			t.Errorf("a refused click changed the request: %s, %d votes", got.Status, len(got.Votes))
		}
		if got := eventTypes(t, g, named.ID); len(got) != 1 {
			t.Errorf("a refused click was audited: %v", got)
		}

		why := submit(t, g, ag.NewRequest{Action: "why"})
		if _, err := g.DecideInChat(bg, why.ID, slackAlice, ag.DecisionDenied, " "); ag.ErrorCode(err) != "reason_required" {
			t.Errorf("no reason = %v, want reason_required", err)
		}
		if r, err := g.DecideInChat(bg, why.ID, slackAlice, ag.DecisionDenied, "not today"); err != nil || r.Status != ag.StatusDenied {
			t.Errorf("with a reason = %v, %v", r, err)
		}

		two := submit(t, g, ag.NewRequest{Action: "two"})
		if r, err := g.DecideInChat(bg, two.ID, slackAlice, ag.DecisionApproved, ""); err != nil || r.Status != ag.StatusPending {
			t.Fatalf("first vote = %v, %v", r, err)
		}
		renamed := slackAlice
		renamed.Name = "alice.smith"
		if _, err := g.DecideInChat(bg, two.ID, renamed, ag.DecisionApproved, ""); ag.ErrorCode(err) != "already_voted" {
			t.Errorf("the same Slack user, renamed, voting again = %v, want already_voted", err)
		}
		if r, err := g.DecideInChat(bg, two.ID, slackBob, ag.DecisionApproved, ""); err != nil || r.Status != ag.StatusApproved {
			t.Errorf("second voter = %v, %v", r, err)
		}
	})
}

func TestDecideInChatRefusesWhatItCannotAttribute(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, _ *testClock) {
		r := submit(t, g, ag.NewRequest{Action: "deploy"})
		for _, tc := range []struct {
			name string
			id   string
			user ag.ChatUser
			want string
		}{
			{"no user id", r.ID, ag.ChatUser{Platform: ag.ChannelSlack, Name: "alice"}, "invalid_chat_user"},
			{"not a chat platform", r.ID, ag.ChatUser{Platform: ag.ChannelEmail, ID: "alice@example.com"}, "invalid_chat_user"},
			{"unknown request", "req_missing", slackAlice, "not_found"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := g.DecideInChat(bg, tc.id, tc.user, ag.DecisionApproved, ""); ag.ErrorCode(err) != tc.want {
					t.Errorf("DecideInChat = %v, want %s", err, tc.want)
				}
			})
		}
	})
}

// TestChatActorNames: the name shown is the platform's, on one line and bounded, beside
// the id that identifies the user.
func TestChatActorNames(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, _ *testClock) {
		for _, tc := range []struct{ name, want string }{
			{"", "discord:42"},
			{"  Ada \n Lovelace ", "Ada Lovelace (discord:42)"},
			{strings.Repeat("é", 50), strings.Repeat("é", 40) + "… (discord:42)"},
			{"bad\x00name", "discord:42"},
		} {
			r := submit(t, g, ag.NewRequest{Action: "deploy"})
			u := ag.ChatUser{Platform: ag.ChannelDiscord, ID: "42", Name: tc.name}
			got, err := g.DecideInChat(bg, r.ID, u, ag.DecisionApproved, "")
			if err != nil {
				t.Fatal(err)
			}
			if got.DecidedBy != tc.want || got.Votes[0].Channel != ag.DecidedViaDiscord {
				t.Errorf("name %q: decided by %q via %s, want %q via discord", tc.name, got.DecidedBy, got.Votes[0].Channel, tc.want)
			}
		}
	})
}

// TestChatUserIsNoApproverByName: where a rule names approvers, a chat user no one in the
// directory is cannot decide, even when the name they act under is spelled like an entry.
func TestChatUserIsNoApproverByName(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, _ *testClock) {
		createPolicy(t, g, `[{"match": {"action": "deploy"}, "decision": "route_to_human", "approvers": ["slack:U0CAROL"]}]`)
		r := submit(t, g, ag.NewRequest{Action: "deploy"})
		carol := ag.ChatUser{Platform: ag.ChannelSlack, ID: "U0CAROL"}
		if _, err := g.DecideInChat(bg, r.ID, carol, ag.DecisionApproved, ""); ag.ErrorCode(err) != "not_an_approver" {
			t.Errorf("a chat user named like an approver entry = %v, want not_an_approver", err)
		}
		if got, _ := g.Get(bg, r.ID); got.Status != ag.StatusPending || len(got.Votes) != 0 {
			t.Errorf("the refused click changed the request: %s, %d votes", got.Status, len(got.Votes))
		}
	})
}
