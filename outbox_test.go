package agentgate

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"
)

var outboxT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Who hears of which change: the subscriptions by event type, a rule's channels, and the
// event aliases, each delivery once.
func TestOutboxRecipients(t *testing.T) {
	hooks := []Webhook{
		{ID: "wh_all", Events: []string{"*"}, Enabled: true},
		{ID: "wh_created", Events: []string{EventRequestCreated}, Enabled: true},
		{ID: "wh_decided", Events: []string{EventRequestDecided}, Enabled: true},
		{ID: "wh_off", Events: []string{"*"}, Enabled: false},
	}
	for _, tc := range []struct {
		name     string
		hooks    []Webhook
		channels []string
		event    string
		want     []string // "channel target event"
	}{
		{"nobody listens", nil, nil, EventRequestCreated, nil},
		{"only disabled webhooks", hooks[3:], nil, EventRequestApproved, nil},
		{"created", hooks, nil, EventRequestCreated,
			[]string{"webhook wh_all request.created", "webhook wh_created request.created"}},
		{"approved is also decided", hooks, nil, EventRequestApproved,
			[]string{"webhook wh_all request.approved", "webhook wh_all request.decided", "webhook wh_decided request.decided"}},
		{"denied by a policy on arrival", hooks[1:3], nil, EventRequestDenied, []string{"webhook wh_decided request.decided"}},
		{"a vote shows on chat messages only", hooks, []string{"slack:#ops", "discord", "email", "webhook:wh_all"}, EventRequestVoted, []string{"slack #ops request.voted", "discord  request.voted"}},
		{"expired", hooks, nil, EventRequestExpired, []string{"webhook wh_all request.expired"}},
		// Email goes one delivery per address, after the other channels: a bare "email"
		// reaches the approvers' addresses, of which this rule has none (see emailTargets).
		{"a rule's channels hear every change under its own name", nil,
			[]string{"slack:#ops", "email:ops@example.com", "email", "discord:123"}, EventRequestCancelled,
			[]string{"slack #ops request.cancelled", "discord 123 request.cancelled", "email ops@example.com request.cancelled"}},
		{"a rule naming a subscribed webhook sends it once", hooks, []string{"webhook:wh_all", "webhook:wh_created"}, EventRequestCreated,
			[]string{"webhook wh_all request.created", "webhook wh_created request.created"}},
		{"a rule naming a webhook adds the change to it", hooks, []string{"webhook:wh_decided"}, EventRequestApproved,
			[]string{"webhook wh_all request.approved", "webhook wh_all request.decided", "webhook wh_decided request.decided", "webhook wh_decided request.approved"}},
		{"a rule naming a disabled webhook sends it nothing", hooks, []string{"webhook:wh_off"}, EventRequestCreated,
			[]string{"webhook wh_all request.created", "webhook wh_created request.created"}},
		{"a rule naming an unknown webhook gets a delivery that will fail visibly", nil, []string{"webhook:wh_gone"}, EventRequestCreated,
			[]string{"webhook wh_gone request.created"}},
		{"a bare webhook channel adds nothing", nil, []string{"webhook"}, EventRequestCreated, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewGate(nil, Options{})
			g.subs.Store(newSubscriptions(tc.hooks))
			r := &Request{ID: "req_1", Action: "deploy", Status: StatusPending, Urgency: UrgencyNormal,
				PolicyDecision: Outcome{Decision: RouteToHuman, Channels: tc.channels}}
			ns := g.outbox(r, AuditEvent{EventType: tc.event, CreatedAt: outboxT0})
			var got []string
			for _, n := range ns {
				for _, d := range n.Deliveries {
					got = append(got, fmt.Sprintf("%s %s %s", d.Channel, d.Target, d.Event))
					if d.RequestID != r.ID || d.CreatedAt != outboxT0 || d.ID == "" {
						t.Errorf("delivery %+v", d)
					}
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("deliveries\n got %q\nwant %q", got, tc.want)
			}
			if len(ns) > 1 {
				t.Fatalf("%d notices for one change, want one", len(ns))
			}
			if len(ns) == 1 {
				var data Request
				if err := json.Unmarshal(ns[0].Data, &data); err != nil || data.ID != r.ID || ns[0].RequestID != r.ID {
					t.Fatalf("notice data %s: %v", ns[0].Data, err)
				}
			}
		})
	}
}

// The retry schedule: each wait within the upper half of its step, Retry-After honoured
// (capped), permanent refusals and a spent schedule final, a replay starting afresh.
func TestNextState(t *testing.T) {
	at := outboxT0
	failed := fmt.Errorf("503")
	for _, tc := range []struct {
		name     string
		attempts int // before the one just made
		from     int
		res      SendResult
		err      error
		jitter   float64
		status   DeliveryStatus
		wait     time.Duration
	}{
		{"delivered", 0, 0, SendResult{StatusCode: 200}, nil, 0, DeliveryDelivered, 0},
		{"first failure, least jitter", 0, 0, SendResult{StatusCode: 503}, failed, 0, DeliveryPending, 2500 * time.Millisecond},
		{"first failure, most jitter", 0, 0, SendResult{StatusCode: 503}, failed, 0.999999, DeliveryPending, 4999997500 * time.Nanosecond},
		{"second failure", 1, 0, SendResult{}, failed, 0.5, DeliveryPending, 225 * time.Second},
		{"seventh failure", 6, 0, SendResult{}, failed, 0, DeliveryPending, 5 * time.Hour},
		{"eighth failure is final", 7, 0, SendResult{}, failed, 0, DeliveryFailed, 0},
		{"a replay starts the schedule again", 8, 8, SendResult{}, failed, 0, DeliveryPending, 2500 * time.Millisecond},
		{"permanent", 0, 0, SendResult{StatusCode: 410, Permanent: true}, failed, 0, DeliveryFailed, 0},
		{"Retry-After beyond the step", 0, 0, SendResult{StatusCode: 429, RetryAfter: time.Minute}, failed, 0, DeliveryPending, time.Minute},
		{"Retry-After within the step", 1, 0, SendResult{StatusCode: 429, RetryAfter: time.Minute}, failed, 0, DeliveryPending, 150 * time.Second},
		{"Retry-After capped", 0, 0, SendResult{StatusCode: 503, RetryAfter: 100 * time.Hour}, failed, 0, DeliveryPending, 24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := nextState(Delivery{Attempts: tc.attempts, ScheduleFrom: tc.from}, at, tc.res, tc.err, tc.jitter)
			want := DeliveryState{Status: tc.status}
			if tc.status == DeliveryPending {
				want.NextAttemptAt = at.Add(tc.wait)
			}
			if got != want {
				t.Fatalf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestEventPayloadAndExcerpt(t *testing.T) {
	got := EventPayload("request.created", outboxT0, json.RawMessage(`{"id":"req_1"}`))
	if want := `{"event":"request.created","timestamp":"2026-03-01T12:00:00Z","data":{"id":"req_1"}}`; string(got) != want {
		t.Fatalf("payload %s, want %s", got, want)
	}
	long := string(make([]byte, 2000))
	if e := excerpt(long); len(e) != 0 {
		t.Fatalf("NUL bytes kept: %d", len(e))
	}
	s := "é" + string(slices.Repeat([]byte("é"), 600)) // 1202 bytes, two per character
	if e := excerpt(s); len(e) != MaxResponseExcerpt || !Storable(e) {
		t.Fatalf("excerpt of %d bytes: %d bytes, storable %v", len(s), len(e), Storable(e))
	}
	if e := excerpt("a\xffb"); e != "a\uFFFDb" {
		t.Fatalf("invalid UTF-8 kept: %q", e)
	}
}
