package db_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// idAt is the n-th id of prefix made at at: unlike NewID's, the time in it is exactly at,
// whatever times other tests made ids at.
func idAt(prefix string, at time.Time, n int) string {
	id := agentgate.FirstID(prefix, at)
	return id[:len(id)-3] + fmt.Sprintf("%03d", n)
}

// TestDeleteFinishedDeliveries: retention deletes the deliveries created and finished
// before the cutoff, with their attempts and the notices none of whose deliveries is left;
// it keeps pending deliveries (and their notices), newer ones, and old ones finished
// since (a replay); it never touches requests or the audit log; and it goes in batches.
func TestDeleteFinishedDeliveries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		day := 24 * time.Hour
		recent := t0.Add(40 * day)
		n := 0
		enqueue := func(at time.Time, targets ...string) (ids []string) {
			r := newRequest(fmt.Sprintf("req_ret_%d", n), at)
			if err := s.CreateRequest(ctx, r, agentgate.Effects{Events: []agentgate.AuditEvent{newEvent(r, "request.created", "agent", at)}}); err != nil {
				t.Fatal(err)
			}
			data, _ := r.AppendJSON(nil)
			notice := agentgate.Notice{ID: idAt("ntc", at, n), RequestID: r.ID, Data: data, CreatedAt: at}
			for _, target := range targets {
				n++
				notice.Deliveries = append(notice.Deliveries, agentgate.Delivery{ID: idAt("dlv", at, n),
					Channel: agentgate.ChannelWebhook, Target: target, Event: agentgate.EventRequestCreated})
				ids = append(ids, idAt("dlv", at, n))
			}
			if err := s.EnqueueNotices(ctx, []agentgate.Notice{notice}); err != nil {
				t.Fatal(err)
			}
			return ids
		}
		attempt := func(id string, at time.Time, number int, next agentgate.DeliveryState) {
			t.Helper()
			got, err := s.ClaimDeliveries(ctx, "me", at, at.Add(time.Minute), 100)
			if err != nil || !slices.Contains(deliveryIDs(got), id) {
				t.Fatalf("claim at %s: %v, %v", at, deliveryIDs(got), err)
			}
			a := agentgate.DeliveryAttempt{DeliveryID: id, Channel: agentgate.ChannelWebhook, Target: "wh", Number: number, At: at, OK: next.Status == agentgate.DeliveryDelivered}
			if err := s.RecordAttempt(ctx, "me", a, next); err != nil {
				t.Fatal(err)
			}
			if err := s.ReleaseDeliveries(ctx, "me", deliveryIDs(got)); err != nil { // the others, untried
				t.Fatal(err)
			}
		}
		delivered := agentgate.DeliveryState{Status: agentgate.DeliveryDelivered}
		both := enqueue(t0, "wh_a", "wh_b") // one delivered, one still being retried
		failed := enqueue(t0, "wh_c")       // failed for good
		replayed := enqueue(t0, "wh_e")     // delivered, replayed lately, delivered again
		attempt(both[0], t0, 1, delivered)
		attempt(both[1], t0, 1, agentgate.DeliveryState{Status: agentgate.DeliveryPending, NextAttemptAt: recent.Add(day)})
		attempt(failed[0], t0, 1, agentgate.DeliveryState{Status: agentgate.DeliveryFailed})
		attempt(replayed[0], t0, 1, delivered)
		newer := enqueue(recent, "wh_d")
		attempt(newer[0], recent, 1, delivered)
		if err := s.ReplayDelivery(ctx, replayed[0], recent, newEvent(nil, "webhook.delivery_replayed", "admin", recent)); err != nil {
			t.Fatal(err)
		}
		attempt(replayed[0], recent, 2, delivered)
		requests, events := totals(t, s)

		cutoff := recent.Add(-30 * day)
		for i, want := range []int{1, 1, 0} { // a batch of one at a time, until none is left
			if got, err := s.DeleteFinishedDeliveries(ctx, cutoff, 1); err != nil || got != want {
				t.Fatalf("batch %d deleted %d, %v; want %d", i, got, err, want)
			}
		}
		for _, id := range []string{both[0], failed[0]} {
			if _, err := s.GetDelivery(ctx, id); !errors.Is(err, agentgate.ErrNotFound) {
				t.Errorf("delivery %s is still there (%v)", id, err)
			}
		}
		for _, id := range []string{both[1], newer[0], replayed[0]} {
			if d, err := s.GetDelivery(ctx, id); err != nil || len(d.History) != d.Attempts {
				t.Errorf("delivery %s: %+v, %v; want it kept with its attempts", id, d, err)
			}
		}
		for table, want := range map[string]int{"outbox_deliveries": 3, "outbox_attempts": 4, "outbox_notices": 3} {
			if got := countRows(t, s, table); got != want {
				t.Errorf("%s: %d rows, want %d", table, got, want)
			}
		}
		if r, e := totals(t, s); r != requests || e != events {
			t.Errorf("requests %d → %d, audit events %d → %d: retention touched them", requests, r, events, e)
		}
		// The pending delivery's notice was kept: its retry still carries the request.
		got, err := s.ClaimDeliveries(ctx, "me", recent.Add(day), recent.Add(day+time.Minute), 10)
		if err != nil || len(got) != 1 || got[0].ID != both[1] || len(got[0].Payload) < 100 {
			t.Fatalf("the retry claimed %+v, %v", got, err)
		}
	})
}

// totals counts the requests and the audit events.
func totals(t *testing.T, s *db.Store) (requests, events int) {
	t.Helper()
	_, requests, err := s.ListRequests(context.Background(), agentgate.RequestFilter{Page: agentgate.Page{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	_, events, err = s.ListAudit(context.Background(), agentgate.AuditFilter{Page: agentgate.Page{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return requests, events
}

// CountPendingDeliveries counts each channel's pending deliveries, due or not.
func TestCountPendingDeliveries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		n := noticeFor(newRequest("req_cnt", t0), t0, "wh_a", "wh_b")
		n.Deliveries = append(n.Deliveries, agentgate.Delivery{ID: idAt("dlv", t0, 900), Channel: agentgate.ChannelSlack, Target: "#ops", Event: agentgate.EventRequestCreated})
		if err := s.EnqueueNotices(ctx, []agentgate.Notice{n}); err != nil {
			t.Fatal(err)
		}
		got, err := s.CountPendingDeliveries(ctx)
		if err != nil || len(got) != 2 || got[agentgate.ChannelWebhook] != 2 || got[agentgate.ChannelSlack] != 1 {
			t.Fatalf("counted %v, %v", got, err)
		}
	})
}
