package agentgate

import (
	"slices"
	"testing"
)

// Who a routed request is emailed to, by its outcome's channels and APPROVER_EMAILS.
func TestEmailTargets(t *testing.T) {
	routed := func(approvers []string, channels ...string) *Request {
		return &Request{PolicyDecision: Outcome{Decision: RouteToHuman, Approvers: approvers, Channels: channels}}
	}
	finance := []string{"group:finance"}
	tests := []struct {
		name     string
		defaults []string
		r        *Request
		want     []string
	}{
		{"nothing configured: no email", nil, routed(nil), nil},
		{"APPROVER_EMAILS: the default route", []string{"boss@example.com"}, routed(nil), []string{"boss@example.com"}},
		{"APPROVER_EMAILS: a rule silent about channels reaches its approvers", []string{"boss@example.com"}, routed(finance), []string{"Ana@Example.com", "cfo@example.com"}},
		{"auto-approved: never", []string{"boss@example.com"}, &Request{PolicyDecision: Outcome{Decision: AutoApprove}}, nil},
		{"auto-denied with an email channel: never", nil, &Request{PolicyDecision: Outcome{Decision: AutoDeny, Channels: []string{"email"}}}, nil},
		{"bare email: the approvers", nil, routed(finance, "email"), []string{"Ana@Example.com", "cfo@example.com"}},
		{"bare email without approvers: APPROVER_EMAILS", []string{"boss@example.com"}, routed(nil, "email"), []string{"boss@example.com"}},
		{"bare email without approvers or APPROVER_EMAILS: no one", nil, routed(nil, "email"), nil},
		{"explicit address, and a duplicate once", nil, routed(finance, "email", "email:CFO@example.com", "email:audit@example.com"),
			[]string{"Ana@Example.com", "cfo@example.com", "audit@example.com"}},
		{"other channels only: no email", []string{"boss@example.com"}, routed(finance, "slack:#ops", "webhook:wh_1"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &Gate{people: newPeopleState(Options{ApproverEmails: tt.defaults})}
			g.people.dir.Store(testDirectory())
			if got := g.emailTargets(tt.r); !slices.Equal(got, tt.want) {
				t.Errorf("emailTargets = %q, want %q", got, tt.want)
			}
		})
	}
}

// BenchmarkOutboxRouting is the CPU the gate check spends deciding who hears of a routed
// request, with no I/O: an auto-approved one while APPROVER_EMAILS is set (email is then
// considered, and must cost nothing); a routed one heard by no one; by two approvers by
// email, resolved from the directory; and by two webhooks, the same rows with nothing to
// resolve.
func BenchmarkOutboxRouting(b *testing.B) {
	r := &Request{ID: "req_1", Action: "pay", Status: StatusPending, Urgency: UrgencyHigh, Params: []byte(`{"amount":4200}`),
		Context: []byte(`{}`), PolicyDecision: Outcome{Decision: RouteToHuman, Approvers: []string{"group:finance"}}}
	ev := AuditEvent{EventType: EventRequestCreated, CreatedAt: outboxT0}
	approved := *r
	approved.PolicyDecision = Outcome{Decision: AutoApprove}
	for _, bc := range []struct {
		name     string
		r        *Request
		defaults []string
		hooks    []Webhook
	}{
		{"auto-approved/APPROVER_EMAILS-set", &approved, []string{"boss@example.com"}, nil},
		{"no-one", r, nil, nil},
		{"2-email-recipients", r, []string{"boss@example.com"}, nil},
		{"2-webhooks", r, nil, []Webhook{{ID: "wh_1", Events: []string{"*"}, Enabled: true}, {ID: "wh_2", Events: []string{"*"}, Enabled: true}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			g := NewGate(nil, Options{ApproverEmails: bc.defaults})
			g.people.dir.Store(testDirectory()) // finance: Ana and cfo, with addresses
			g.subs.Store(newSubscriptions(bc.hooks))
			b.ReportAllocs()
			for b.Loop() {
				_ = g.outbox(bc.r, ev)
			}
		})
	}
}
