package agentgate_test

import (
	"context"
	"errors"
	"testing"

	ag "github.com/agentgate/agentgate"
)

// A chat click by someone in the directory (by chat user id, else by the address the
// platform gives) acts as that person: approvers naming the person or their group match,
// and the person's vote by email or chat is one vote.
func TestChatUsersAreTheirPerson(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, _ *testClock) {
		slack := "U0ANA"
		ana, err := g.CreatePerson(bg, alice, ag.PersonInput{Name: ptr("Ana"), Email: ptr("ana@example.com"), SlackUserID: &slack,
			Groups: &[]string{"finance"}})
		if err != nil {
			t.Fatal(err)
		}
		person(t, g, "Bruno", "bruno@example.com", "finance")
		createPolicy(t, g, `[{"match":{"action":"pay"},"decision":"route_to_human","approvers":["group:finance"],"requiredApprovals":2}]`)
		anaInSlack := ag.ChatUser{Platform: ag.ChannelSlack, ID: "U0ANA", Name: "ana"}
		lookups := 0
		brunoInDiscord := ag.ChatUser{Platform: ag.ChannelDiscord, ID: "80351110224678912", Name: "bruno",
			Email: func(context.Context) (string, error) { lookups++; return "Bruno@Example.com", nil }}
		stranger := ag.ChatUser{Platform: ag.ChannelSlack, ID: "U0EVE", Name: "eve",
			Email: func(context.Context) (string, error) { return "", errors.New("users.info: missing_scope") }}

		r := submit(t, g, ag.NewRequest{Action: "pay"})
		links := issueLinks(t, g, emailDelivery(r, "dlv_1", "ana@example.com"))
		if _, err := g.DecideInChat(bg, r.ID, stranger, approved, ""); ag.ErrorCode(err) != "not_an_approver" {
			t.Errorf("someone in no directory: %v, want not_an_approver", err)
		}
		got, err := g.DecideInChat(bg, r.ID, anaInSlack, approved, "")
		if err != nil || got.Votes[0].VoterID != ana.ID || got.Votes[0].Voter != "Ana" || got.Votes[0].Channel != ag.DecidedViaSlack {
			t.Fatalf("Ana in Slack: %v %+v", err, got)
		}
		if _, err := g.DecideByLink(bg, links.Approve, ""); ag.ErrorCode(err) != "link_used" {
			t.Errorf("Ana by email after Slack: %v, want link_used (she has voted)", err)
		}
		got, err = g.DecideInChat(bg, r.ID, brunoInDiscord, approved, "")
		if err != nil || got.Status != ag.StatusApproved || got.DecidedBy != "Bruno" || lookups != 1 {
			t.Fatalf("Bruno in Discord, found by address: %v %+v (%d lookups)", err, got, lookups)
		}
	})
}
