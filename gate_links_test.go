package agentgate_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

// emailDelivery is the delivery the outbox makes for the approval email of r to addr.
func emailDelivery(r *ag.Request, id, addr string) ag.Delivery {
	return ag.Delivery{ID: id, Channel: ag.ChannelEmail, Target: addr, Event: ag.EventRequestCreated, RequestID: r.ID}
}

func issueLinks(t *testing.T, g *ag.Gate, d ag.Delivery) ag.EmailLinks {
	t.Helper()
	l, err := g.EmailLinks(bg, d)
	if err != nil {
		t.Fatalf("links for %s: %v", d.Target, err)
	}
	return l
}

// A link is made when the email is sent, the same for every retry; opening it decides
// nothing however often; its form decides once, as the recipient's person, with channel
// email; then it, and its twin, are spent.
func TestDecisionLinkDecidesOnceAsItsRecipient(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, clock *testClock) {
		ana := person(t, g, "Ana", "ana@example.com", "finance")
		createPolicy(t, g, `[{"match":{"action":"transfer"},"decision":"route_to_human","approvers":["group:finance"]}]`)
		r := submit(t, g, ag.NewRequest{Action: "transfer"})
		d := emailDelivery(r, "dlv_1", "Ana@Example.com")
		links := issueLinks(t, g, d)
		if again := issueLinks(t, g, d); again != links {
			t.Fatalf("a retried email got other links: %+v vs %+v", again, links)
		}
		if links.Name != "Ana" || len(links.Approve) < 22 || links.Approve == links.Deny {
			t.Fatalf("links = %+v: want the person's name and two distinct tokens of 128+ bits", links)
		}
		for range 20 { // a scanner, a preview, a curious person
			p, err := g.OpenLink(bg, links.Approve)
			if err != nil || p.Actor.ID != ana.ID || p.Link.Decision != approved {
				t.Fatalf("open: %+v, %v", p, err)
			}
			if _, err := g.OpenLink(bg, links.Deny); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := g.Get(bg, r.ID); got.Status != ag.StatusPending || len(got.Votes) != 0 || got.Version != r.Version {
			t.Fatalf("opening links changed the request: %+v", got)
		}

		p, err := g.DecideByLink(bg, links.Approve, "fine by me")
		if err != nil || p.Request.Status != ag.StatusApproved || p.Request.DecidedBy != "Ana" {
			t.Fatalf("decide by link: %v %+v", err, p)
		}
		v := p.Request.Votes[0]
		if v.VoterID != ana.ID || v.Channel != ag.DecidedViaEmail || v.Reason != "fine by me" {
			t.Errorf("vote = %+v", v)
		}
		trail, _ := g.RequestAudit(bg, r.ID)
		last := trail[len(trail)-1]
		var details map[string]any
		_ = json.Unmarshal(last.Details, &details)
		if last.EventType != ag.EventRequestApproved || last.Actor != "Ana" || last.ActorType != ag.ActorUser || details["channel"] != "email" {
			t.Errorf("audit: %+v %v", last, details)
		}
		for _, tok := range []string{links.Approve, links.Deny} {
			if _, err := g.DecideByLink(bg, tok, ""); ag.ErrorCode(err) != "link_used" || ag.ErrorKind(err) != ag.KindGone {
				t.Errorf("a spent link: %v, want link_used (gone)", err)
			}
		}
	})
}

// Each way a link cannot decide has its own answer.
func TestDecisionLinkRefusals(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, clock *testClock) {
		person(t, g, "Ana", "ana@example.com", "finance")
		cfo := person(t, g, "cfo", "cfo@example.com", "finance")
		createPolicy(t, g, `[{"match":{"action":"transfer"},"decision":"route_to_human","approvers":["group:finance"],"requiredApprovals":2}]`)

		for _, tok := range []string{"", "short", strings.Repeat("A", 43), strings.Repeat("é", 22)} {
			if _, err := g.OpenLink(bg, tok); ag.ErrorCode(err) != "link_unknown" || ag.ErrorKind(err) != ag.KindNotFound {
				t.Errorf("token %q: %v, want link_unknown", tok, err)
			}
		}

		// Decided elsewhere: 409 with the request's status.
		r := submit(t, g, ag.NewRequest{Action: "transfer"})
		links := issueLinks(t, g, emailDelivery(r, "dlv_1", "ana@example.com"))
		if _, err := g.Cancel(bg, r.ID, agent, "not needed", false); err != nil {
			t.Fatal(err)
		}
		if p, err := g.OpenLink(bg, links.Approve); ag.ErrorCode(err) != "already_decided" || p == nil || p.Request.Status != ag.StatusCancelled {
			t.Errorf("decided elsewhere: %v", err)
		}

		// Expired: the link's own TTL, 24 h by default.
		r = submit(t, g, ag.NewRequest{Action: "transfer", ExpiresAt: ptr(t0.Add(72 * time.Hour))})
		links = issueLinks(t, g, emailDelivery(r, "dlv_2", "ana@example.com"))
		clock.Advance(24 * time.Hour)
		if _, err := g.DecideByLink(bg, links.Approve, ""); ag.ErrorCode(err) != "link_expired" || ag.ErrorKind(err) != ag.KindGone {
			t.Errorf("after 24 h: %v, want link_expired", err)
		}
		// ...but never after the request's own expiry.
		r = submit(t, g, ag.NewRequest{Action: "transfer", ExpiresAt: ptr(clock.Now().Add(time.Hour))})
		links = issueLinks(t, g, emailDelivery(r, "dlv_3", "ana@example.com"))
		if p, _ := g.OpenLink(bg, links.Approve); !p.Link.ExpiresAt.Equal(r.ExpiresAt) {
			t.Errorf("link expires %v, request %v", p.Link.ExpiresAt, r.ExpiresAt)
		}

		// Removed from the approvers after the email was sent: the link cannot decide, and
		// an email not yet sent is not sent.
		r = submit(t, g, ag.NewRequest{Action: "transfer"})
		links = issueLinks(t, g, emailDelivery(r, "dlv_4", "cfo@example.com"))
		if _, err := g.UpdatePerson(bg, alice, cfo.ID, ag.PersonInput{Groups: &[]string{}}); err != nil {
			t.Fatal(err)
		}
		if _, err := g.DecideByLink(bg, links.Approve, ""); ag.ErrorCode(err) != "not_an_approver" {
			t.Errorf("removed approver: %v, want not_an_approver", err)
		}
		if _, err := g.EmailLinks(bg, emailDelivery(r, "dlv_5", "cfo@example.com")); ag.ErrorKind(err) != ag.KindNotFound {
			t.Errorf("email to a removed approver: %v, want not found (the delivery ends)", err)
		}
		if got, _ := g.Get(bg, r.ID); len(got.Votes) != 0 {
			t.Errorf("a refused link voted: %+v", got.Votes)
		}
		// A person deleted: the address is no one's now, so the link made for them is dead.
		if err := g.DeletePerson(bg, alice, cfo.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := g.OpenLink(bg, links.Approve); ag.ErrorCode(err) != "link_recipient_changed" {
			t.Errorf("deleted person's link: %v, want link_recipient_changed", err)
		}
	})
}

// Quorum across channels: a vote by email and one from the dashboard by two people
// approve; the same person by both channels is one vote.
func TestQuorumAcrossChannels(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, clock *testClock) {
		ana := person(t, g, "Ana", "ana@example.com", "finance")
		cfo := person(t, g, "cfo", "cfo@example.com", "finance")
		anaKey, _ := keyFor(t, g, "ana-key", ana.ID)
		cfoKey, _ := keyFor(t, g, "cfo-key", cfo.ID)
		createPolicy(t, g, `[{"match":{"action":"transfer"},"decision":"route_to_human","approvers":["group:finance"],"requiredApprovals":2}]`)
		r := submit(t, g, ag.NewRequest{Action: "transfer"})
		links := issueLinks(t, g, emailDelivery(r, "dlv_1", "ana@example.com"))
		if p, err := g.DecideByLink(bg, links.Approve, ""); err != nil || p.Request.Status != ag.StatusPending {
			t.Fatalf("first vote by email: %v", err)
		}
		if _, err := g.Decide(bg, r.ID, ag.Decide{Decision: approved, Actor: anaKey, Channel: ag.DecidedViaDashboard}); ag.ErrorCode(err) != "already_voted" {
			t.Fatalf("Ana again from the dashboard: %v, want already_voted", err)
		}
		got, err := g.Decide(bg, r.ID, ag.Decide{Decision: approved, Actor: cfoKey, Channel: ag.DecidedViaDashboard})
		if err != nil || got.Status != ag.StatusApproved {
			t.Fatalf("cfo from the dashboard: %v %+v", err, got)
		}
		if got.Votes[0].Channel != ag.DecidedViaEmail || got.Votes[1].Channel != ag.DecidedViaDashboard {
			t.Errorf("vote channels: %+v", got.Votes)
		}

		// And the other way round: a dashboard vote first spends nothing, but the link
		// then finds the person has voted.
		r = submit(t, g, ag.NewRequest{Action: "transfer"})
		links = issueLinks(t, g, emailDelivery(r, "dlv_2", "ana@example.com"))
		if _, err := g.Decide(bg, r.ID, ag.Decide{Decision: approved, Actor: anaKey, Channel: ag.DecidedViaDashboard}); err != nil {
			t.Fatal(err)
		}
		if _, err := g.DecideByLink(bg, links.Deny, ""); ag.ErrorCode(err) != "link_used" {
			t.Errorf("Ana by email after the dashboard: %v, want link_used", err)
		}
	})
}

// Without a directory, a link acts as its address; with no approvers anyone may decide.
func TestDecisionLinkWithoutDirectory(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, clock *testClock) {
		r := submit(t, g, ag.NewRequest{Action: "anything"})
		links := issueLinks(t, g, emailDelivery(r, "dlv_1", "Boss@Example.com"))
		if links.Name != "" {
			t.Errorf("name = %q", links.Name)
		}
		p, err := g.DecideByLink(bg, links.Deny, "no")
		if err != nil || p.Request.Status != ag.StatusDenied || p.Request.Votes[0].VoterID != "email:boss@example.com" ||
			p.Request.DecidedBy != "boss@example.com" {
			t.Fatalf("decide: %v %+v", err, p)
		}
		// A follow-up needs no links.
		follow := ag.Delivery{ID: "dlv_2", Channel: ag.ChannelEmail, Target: "boss@example.com", Event: ag.EventRequestDenied, RequestID: r.ID}
		if l := issueLinks(t, g, follow); l.Approve != "" || l.Deny != "" {
			t.Errorf("follow-up links: %+v", l)
		}
		// The approval email of a request already decided is not sent.
		if _, err := g.EmailLinks(bg, emailDelivery(r, "dlv_3", "boss@example.com")); ag.ErrorKind(err) != ag.KindNotFound {
			t.Errorf("email for a decided request: %v, want not found", err)
		}
	})
}
