package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/internal/smtptest"
)

// financePolicy routes "pay" to the finance group by email: a bare "email" channel reaches
// the group's addresses. Two of them must approve.
const financePolicy = `[{"match":{"action":"pay"},"decision":"route_to_human","approvers":["group:finance"],"channels":["email"],"requiredApprovals":2}]`

func (s *stack) policy(rules string) {
	s.t.Helper()
	var rs []ag.Rule
	if err := json.Unmarshal([]byte(rules), &rs); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.gate.CreatePolicy(context.Background(), ag.SystemActor, ag.Policy{Name: "finance", Enabled: true, Rules: rs}); err != nil {
		s.t.Fatal(err)
	}
}

// The end-to-end path: a routed request reaches each approver with an address as a
// real email over SMTP; its links survive scanners (GET and HEAD, many times); Ana approves
// by her link and Bruno in the dashboard, two people making the quorum across channels,
// while Ana through the dashboard is the same person and is refused; both get a follow-up
// in the thread; a person removed from the approvers after the email cannot use its link.
func TestEmailEndToEnd(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, store *db.Store) {
		in := smtptest.New()
		s := newStack(t, store, smtptest.Start(t, in, 0), ag.Options{})
		ana := s.person("Ana", "ana@example.com", "finance")
		bruno := s.person("Bruno", "bruno@example.com", "finance")
		s.person("Carl", "", "finance") // no address: no email
		anaKey := s.key("ana-laptop", ana.ID, ag.ScopeRequestRead, ag.ScopeRequestDecide)
		brunoKey := s.key("bruno-laptop", bruno.ID, ag.ScopeRequestRead, ag.ScopeRequestDecide)
		agent := s.key("billing-agent", "", ag.ScopeRequestCreate)
		s.policy(financePolicy)

		r := s.submit(agent, `{"action":"pay","urgency":"high","params":{"amount":4200,"to":"ACME GmbH"}}`)
		mails := byRecipient(t, in.Wait(t, 2))
		for _, addr := range []string{"ana@example.com", "bruno@example.com"} {
			m, ok := mails[addr]
			if !ok || m.Subject != "Approval needed: pay (high urgency)" || !strings.Contains(m.Text, "ACME GmbH") {
				t.Fatalf("mail to %s: %+v", addr, m)
			}
		}

		// A scanner follows every link, many times, with GET and HEAD: nothing is decided.
		before := s.request(r.ID)
		var links []string
		for _, m := range mails {
			links = append(links, m.Link(t, "Approve:"), m.Link(t, "Deny:"))
		}
		for _, link := range links {
			if !strings.HasPrefix(link, s.srv.URL+ag.DecisionLinkPath+"/") {
				t.Fatalf("link %q is not under BASE_URL", link)
			}
			for range 5 {
				for _, method := range []string{http.MethodGet, http.MethodHead} {
					if status, _ := s.do(method, link, nil); status != http.StatusOK {
						t.Fatalf("%s %s: %d", method, link, status)
					}
				}
			}
		}
		if got := s.request(r.ID); got.Status != ag.StatusPending || len(got.Votes) != 0 || got.Version != before.Version {
			t.Fatalf("following links changed the request: %+v", got)
		}

		// Ana approves by her link: the page, then its form.
		approve := mails["ana@example.com"].Link(t, "Approve:")
		if status, page := s.do(http.MethodGet, approve, nil); status != http.StatusOK || !strings.Contains(page, `data-testid="link-form"`) {
			t.Fatalf("Ana's approve page: %d", status)
		}
		if status, _ := s.do(http.MethodPost, approve, url.Values{"reason": {"matches the invoice"}}); status != http.StatusOK {
			t.Fatalf("Ana's approval: %d", status)
		}
		got := s.request(r.ID)
		if got.Status != ag.StatusPending || len(got.Votes) != 1 || got.Votes[0].VoterID != ana.ID || got.Votes[0].Channel != ag.DecidedViaEmail {
			t.Fatalf("after Ana's link: %+v", got)
		}
		if status, _ := s.do(http.MethodGet, mails["ana@example.com"].Link(t, "Deny:"), nil); status != http.StatusGone {
			t.Errorf("Ana's other link after her vote: %d, want 410", status)
		}
		// Ana in the dashboard is still Ana: one vote.
		if status := s.dashboardDecide(s.signIn(anaKey), r.ID, ag.DecisionApproved); status != http.StatusConflict {
			t.Errorf("Ana again in the dashboard: %d, want 409", status)
		}
		if status := s.dashboardDecide(s.signIn(brunoKey), r.ID, ag.DecisionApproved); status != http.StatusSeeOther {
			t.Fatalf("Bruno in the dashboard: %d", status)
		}
		got = s.request(r.ID)
		if got.Status != ag.StatusApproved || got.DecidedBy != "Bruno" || got.Votes[1].Channel != ag.DecidedViaDashboard {
			t.Fatalf("after Bruno: %+v", got)
		}
		if status, _ := s.do(http.MethodGet, mails["bruno@example.com"].Link(t, "Approve:"), nil); status != http.StatusConflict {
			t.Errorf("Bruno's link after the decision: %d, want 409", status)
		}

		// Both hear of the decision in the thread of the first email.
		followUps := byRecipient(t, in.Wait(t, 4)[2:])
		for addr, first := range mails {
			f := followUps[addr]
			if f.Subject != "Re: "+first.Subject || f.InReplyTo != first.MessageID || !strings.Contains(f.Text, "Approved") {
				t.Errorf("follow-up to %s: %+v (first %s)", addr, f, first.MessageID)
			}
		}

		// Bruno leaves finance after his email went out: his link cannot decide.
		r2 := s.submit(agent, `{"action":"pay","params":{"amount":99}}`)
		second := byRecipient(t, in.Wait(t, 6)[4:])
		if _, err := s.gate.UpdatePerson(context.Background(), ag.SystemActor, bruno.ID, ag.PersonInput{Groups: &[]string{}}); err != nil {
			t.Fatal(err)
		}
		link := second["bruno@example.com"].Link(t, "Approve:")
		if status, _ := s.do(http.MethodGet, link, nil); status != http.StatusForbidden {
			t.Errorf("a removed approver's link: %d, want 403", status)
		}
		if status, _ := s.do(http.MethodPost, link, url.Values{}); status != http.StatusForbidden {
			t.Errorf("a removed approver's form: %d, want 403", status)
		}
		if got := s.request(r2.ID); len(got.Votes) != 0 || got.Status != ag.StatusPending {
			t.Errorf("a removed approver voted: %+v", got)
		}
		if n := in.Count(); n != 6 {
			t.Errorf("%d emails in all, want 6: Carl has no address", n)
		}
	})
}

// With the SMTP server down, the email's delivery fails and is retried on the outbox's
// schedule; once the server is back, the email arrives and its links work. No directory
// and no policy: APPROVER_EMAILS receives the requests no rule routes.
func TestEmailRetriedWhenSMTPComesBack(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, store *db.Store) {
		port := smtptest.FreePort(t)
		s := newStack(t, store, port, ag.Options{ApproverEmails: []string{"Boss@Example.com"}})
		agent := s.key("agent", "", ag.ScopeRequestCreate)
		r := s.submit(agent, `{"action":"deploy","params":{"env":"prod"}}`)
		if a := <-s.attempts; a.OK || a.Number != 1 {
			t.Fatalf("first attempt with SMTP down: %+v", a)
		}
		in := smtptest.New()
		smtptest.Start(t, in, port)
		s.clock.advance(5 * time.Second) // the first retry is due 2.5-5 s later
		s.dispatcher.Wake()
		if a := <-s.attempts; !a.OK || a.Number != 2 {
			t.Fatalf("retry with SMTP back: %+v", a)
		}
		m := in.Wait(t, 1)[0]
		if !strings.Contains(m.To, "Boss@Example.com") {
			t.Errorf("to %q", m.To)
		}
		if status, _ := s.do(http.MethodPost, m.Link(t, "Deny:"), url.Values{"reason": {"not today"}}); status != http.StatusOK {
			t.Fatalf("deny by the retried email's link: %d", status)
		}
		if got := s.request(r.ID); got.Status != ag.StatusDenied || got.Votes[0].VoterID != "email:boss@example.com" {
			t.Errorf("after the link: %+v", got)
		}
	})
}
