package agentgate_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

// Every change of a request reaches a "*" subscriber: created, each decision (by people and
// by a policy on arrival, also as request.decided), cancelled, expired; each delivery once,
// with the request as the API returns it.
func TestWebhookHearsEveryChange(t *testing.T) {
	eachOutbox(t, func(t *testing.T, e *outboxEnv) {
		e.webhook(t, "/all", "*")
		if _, err := e.gate.CreatePolicy(bg, alice, rulesPolicy(t, `[{"match": {"action": "read"}, "decision": "auto_approve"}]`)); err != nil {
			t.Fatal(err)
		}
		routed := submit(t, e.gate, ag.NewRequest{Action: "deploy"})
		if _, err := e.gate.Decide(bg, routed.ID, ag.Decide{Decision: approved, Actor: bob}); err != nil {
			t.Fatal(err)
		}
		cancelled := submit(t, e.gate, ag.NewRequest{Action: "deploy"})
		if _, err := e.gate.Cancel(bg, cancelled.ID, agent, "not needed", false); err != nil {
			t.Fatal(err)
		}
		soon := t0.Add(time.Minute)
		expiring := submit(t, e.gate, ag.NewRequest{Action: "deploy", ExpiresAt: &soon})
		want := map[string]string{ // request id + event → status in the payload
			routed.ID + " request.created": "pending", routed.ID + " request.approved": "approved", routed.ID + " request.decided": "approved",
			cancelled.ID + " request.created": "pending", cancelled.ID + " request.cancelled": "cancelled",
			expiring.ID + " request.created": "pending",
		}
		seen := map[string]bool{}
		e.expectDeliveries(t, want, seen)
		// Only once those are recorded does the clock move: past their leases, it would hand
		// attempts in flight to the next claim.
		e.clock.Advance(2 * time.Minute)
		if n, err := e.gate.ExpireOverdue(bg); err != nil || n != 1 {
			t.Fatalf("expired %d: %v", n, err)
		}
		auto := submit(t, e.gate, ag.NewRequest{Action: "read"})
		e.expectDeliveries(t, map[string]string{expiring.ID + " request.expired": "expired",
			auto.ID + " request.approved": "approved", auto.ID + " request.decided": "approved"}, seen)
		if routedApproval := e.find(t, routed.ID, "request.approved"); routedApproval.Data.DecidedBy != bob.Name {
			t.Fatalf("decidedBy %q", routedApproval.Data.DecidedBy)
		}
	})
}

// A receiver that fails gets the same delivery, with the same webhook-id, on the retry
// schedule of the injected clock, and the log keeps every attempt.
func TestRetriesOnTheSchedule(t *testing.T) {
	eachOutbox(t, func(t *testing.T, e *outboxEnv) {
		e.recv.respond = func(_ received, n int) (int, http.Header) {
			if n <= 2 {
				return http.StatusServiceUnavailable, nil
			}
			return http.StatusNoContent, nil
		}
		w := e.webhook(t, "/flaky", ag.EventRequestCreated)
		submit(t, e.gate, ag.NewRequest{Action: "deploy"})

		first := e.nextAttempt(t)
		if first.Number != 1 || first.OK || first.StatusCode != 503 || first.At != t0 {
			t.Fatalf("first attempt %+v", first)
		}
		d := delivery(t, e, first.DeliveryID)
		if d.Status != ag.DeliveryPending || d.NextAttemptAt == nil || !d.NextAttemptAt.Equal(t0.Add(2500*time.Millisecond)) {
			t.Fatalf("after the first failure: %s, next at %v; want pending at t0+2.5s", d.Status, d.NextAttemptAt)
		}
		e.clock.Advance(2500 * time.Millisecond)
		e.disp.Wake()
		if a := e.nextAttempt(t); a.Number != 2 || a.OK {
			t.Fatalf("second attempt %+v", a)
		}
		d = delivery(t, e, first.DeliveryID)
		if want := e.clock.Now().Add(150 * time.Second); !d.NextAttemptAt.Equal(want) {
			t.Fatalf("after the second failure, next at %v, want %v (half of 5 min)", d.NextAttemptAt, want)
		}
		e.clock.Advance(150 * time.Second)
		e.disp.Wake()
		if a := e.nextAttempt(t); a.Number != 3 || !a.OK || a.StatusCode != 204 {
			t.Fatalf("third attempt %+v", a)
		}
		ds, _, err := e.gate.WebhookDeliveries(bg, w.ID, ag.DeliveryFilter{})
		if err != nil || len(ds) != 1 {
			t.Fatalf("log: %v, %v", ds, err)
		}
		if d := ds[0]; d.Status != ag.DeliveryDelivered || d.Attempts != 3 || len(d.History) != 3 || d.History[0].StatusCode != 503 {
			t.Fatalf("log entry %+v", d)
		}
		ids := map[string]bool{}
		for range 3 {
			ids[e.recv.next(t).ID] = true
		}
		if len(ids) != 1 || !ids[first.DeliveryID] {
			t.Fatalf("webhook-ids across the attempts: %v, want only %s", ids, first.DeliveryID)
		}
	})
}

// A 4xx other than 408 and 429 ends a delivery at once; a 429's Retry-After holds the next
// attempt back beyond the schedule's step.
func TestRefusalsAndRetryAfter(t *testing.T) {
	eachOutbox(t, func(t *testing.T, e *outboxEnv) {
		e.recv.respond = func(r received, _ int) (int, http.Header) {
			if r.Path == "/gone" {
				return http.StatusGone, nil
			}
			return http.StatusTooManyRequests, http.Header{"Retry-After": {"120"}}
		}
		e.webhook(t, "/gone", ag.EventRequestCreated)
		e.webhook(t, "/busy", ag.EventRequestCreated)
		submit(t, e.gate, ag.NewRequest{Action: "deploy"})
		for range 2 {
			a := e.nextAttempt(t)
			d := delivery(t, e, a.DeliveryID)
			switch a.StatusCode {
			case http.StatusGone:
				if d.Status != ag.DeliveryFailed || d.LastStatusCode != 410 || d.LastError == "" {
					t.Fatalf("after a 410: %+v", d)
				}
			case http.StatusTooManyRequests:
				if d.Status != ag.DeliveryPending || !d.NextAttemptAt.Equal(t0.Add(120*time.Second)) {
					t.Fatalf("after a 429 with Retry-After: 120: %s, next at %v", d.Status, d.NextAttemptAt)
				}
			default:
				t.Fatalf("attempt %+v", a)
			}
		}
	})
}

// A rule's channel that no sender serves is not dropped: its delivery is attempted, fails
// with a reason, and stays due on the schedule; serve is told of the channel at start.
func TestChannelWithoutSenderFailsInTheLog(t *testing.T) {
	eachOutbox(t, func(t *testing.T, e *outboxEnv) {
		rules := `[{"match": {"action": "pay"}, "decision": "route_to_human", "channels": ["email:ops@example.com"]}]`
		if _, err := e.gate.CreatePolicy(bg, alice, rulesPolicy(t, rules)); err != nil {
			t.Fatal(err)
		}
		submit(t, e.gate, ag.NewRequest{Action: "pay"})
		a := e.nextAttempt(t)
		if a.OK || a.Error != "no email sender configured" || a.Channel != ag.ChannelEmail || a.Target != "ops@example.com" {
			t.Fatalf("attempt %+v", a)
		}
		if d := delivery(t, e, a.DeliveryID); d.Status != ag.DeliveryPending || d.LastError != a.Error {
			t.Fatalf("delivery %+v", d)
		}
		got, err := e.gate.UnservedChannels(bg, e.disp.Kinds())
		if err != nil || !slices.Equal(got, []string{"email:ops@example.com"}) {
			t.Fatalf("unserved channels %q, %v", got, err)
		}
	})
}

// A test event goes through the outbox like any other, and the caller learns how it went.
func TestWebhookTestEvent(t *testing.T) {
	eachOutbox(t, func(t *testing.T, e *outboxEnv) {
		w := e.webhook(t, "/test", ag.EventRequestDenied)
		d, err := e.gate.TestWebhook(bg, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != ag.DeliveryDelivered || d.Event != ag.EventWebhookTest || len(d.History) != 1 {
			t.Fatalf("test delivery %+v", d)
		}
		r := e.recv.next(t)
		var p struct {
			Event string
			Data  struct{ Message, WebhookID string }
		}
		if err := json.Unmarshal(r.Body, &p); err != nil || p.Event != "test" || p.Data.WebhookID != w.ID || p.Data.Message == "" || r.ID != d.ID {
			t.Fatalf("test payload %s (id %s): %v", r.Body, r.ID, err)
		}
	})
}

// A replay sends the same payload with the same webhook-id again; deleting a webhook fails
// what it still had pending.
func TestReplayAndDelete(t *testing.T) {
	eachOutbox(t, func(t *testing.T, e *outboxEnv) {
		w := e.webhook(t, "/r", ag.EventRequestCreated)
		submit(t, e.gate, ag.NewRequest{Action: "deploy"})
		first := e.recv.next(t)
		a := e.nextAttempt(t)
		if _, err := e.gate.ReplayDelivery(bg, alice, w.ID, a.DeliveryID); err != nil {
			t.Fatal(err)
		}
		again := e.recv.next(t)
		if again.ID != first.ID || string(again.Body) != string(first.Body) {
			t.Fatalf("replay sent %s %s, first was %s %s", again.ID, again.Body, first.ID, first.Body)
		}
		if a := e.nextAttempt(t); a.Number != 2 || !a.OK {
			t.Fatalf("replayed attempt %+v", a)
		}

		e.recv.respond = func(received, int) (int, http.Header) { return http.StatusBadGateway, nil }
		submit(t, e.gate, ag.NewRequest{Action: "deploy"})
		pending := e.nextAttempt(t)
		if err := e.gate.DeleteWebhook(bg, alice, w.ID); err != nil {
			t.Fatal(err)
		}
		if d := delivery(t, e, pending.DeliveryID); d.Status != ag.DeliveryFailed || d.LastError != "the webhook was deleted" {
			t.Fatalf("a deleted webhook's pending delivery: %+v", d)
		}
	})
}

// Shutdown lets an attempt in flight finish within its budget; past the budget it cuts the
// attempt off and releases the claim, so the delivery is due again at once, not when the
// lease runs out.
func TestShutdownFinishesOrReleases(t *testing.T) {
	eachOutbox(t, func(t *testing.T, e *outboxEnv) {
		release := make(chan struct{})
		e.recv.respond = func(received, int) (int, http.Header) { <-release; return http.StatusOK, nil }
		e.webhook(t, "/slow", ag.EventRequestCreated)
		e.disp.Shutdown(bg) // the env's own dispatcher; two more below
		graceful := e.startDispatcher(t, "graceful")
		submit(t, e.gate, ag.NewRequest{Action: "deploy"})
		e.waitInFlight(t)
		stopped := make(chan struct{})
		go func() { graceful.Shutdown(bg); close(stopped) }()
		release <- struct{}{}
		<-stopped
		if a := e.nextAttempt(t); !a.OK {
			t.Fatalf("the attempt in flight at a graceful shutdown: %+v", a)
		}

		hasty := e.startDispatcher(t, "hasty")
		submit(t, e.gate, ag.NewRequest{Action: "deploy"})
		e.waitInFlight(t)
		spent, cancel := context.WithCancel(bg)
		cancel()
		hasty.Shutdown(spent)
		close(release)
		got, err := e.store.ClaimDeliveries(bg, "next", e.clock.Now(), e.clock.Now().Add(time.Minute), 10)
		if err != nil || len(got) != 1 || got[0].Attempts != 0 {
			t.Fatalf("after a shutdown past its budget, claimed %d (%v): want the cut-off delivery, unattempted", len(got), err)
		}
	})
}
