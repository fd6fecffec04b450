package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// noticeFor returns a notice of r's creation with a delivery per webhook id.
func noticeFor(r *agentgate.Request, at time.Time, webhooks ...string) agentgate.Notice {
	data, err := r.AppendJSON(nil)
	if err != nil {
		panic(err)
	}
	n := agentgate.Notice{ID: agentgate.NewID("ntc", at), RequestID: r.ID, Data: data, CreatedAt: at}
	for _, w := range webhooks {
		n.Deliveries = append(n.Deliveries, agentgate.Delivery{ID: agentgate.NewID("dlv", at),
			Channel: agentgate.ChannelWebhook, Target: w, Event: agentgate.EventRequestCreated})
	}
	return n
}

func deliveryIDs(ds []agentgate.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

func countRows(t *testing.T, s *db.Store, table string) int {
	t.Helper()
	n, err := db.CountRows(s, table)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A request's notice is written with it, its data once for every delivery, and a claim
// hands each delivery out with the payload built from what was stored.
func TestOutboxWrittenWithTheRequest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		r := newRequest("req_outbox_1", t0)
		n := noticeFor(r, t0, "wh_a", "wh_b", "wh_c", "wh_d", "wh_e")
		if err := s.CreateRequest(ctx, r, agentgate.Effects{Events: []agentgate.AuditEvent{newEvent(r, "request.created", "agent", t0)},
			Outbox: []agentgate.Notice{n}}); err != nil {
			t.Fatal(err)
		}
		if got := countRows(t, s, "outbox_notices"); got != 1 {
			t.Fatalf("%d notice rows for one change, want 1", got)
		}
		got, err := s.ClaimDeliveries(ctx, "me", t0, t0.Add(time.Minute), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 5 {
			t.Fatalf("claimed %d deliveries, want 5", len(got))
		}
		want := agentgate.EventPayload(agentgate.EventRequestCreated, t0, n.Data)
		for _, d := range got {
			if string(d.Payload) != string(want) || d.RequestID != r.ID || d.Channel != agentgate.ChannelWebhook || d.Attempts != 0 {
				t.Fatalf("claimed %+v\npayload %s\nwant    %s", d, d.Payload, want)
			}
			var p struct {
				Event, Timestamp string
				Data             struct{ ID, Status string }
			}
			if err := json.Unmarshal(d.Payload, &p); err != nil || p.Event != "request.created" || p.Data.ID != r.ID || p.Data.Status != "pending" {
				t.Fatalf("payload %s does not read as the event: %v", d.Payload, err)
			}
		}
	})
}

// A change nobody listens to writes no outbox rows.
func TestNoOutboxRowsWithoutNotices(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		r := newRequest("req_quiet", t0)
		if err := s.CreateRequest(context.Background(), r, agentgate.Effects{}); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, s, "outbox_notices") + countRows(t, s, "outbox_deliveries"); n != 0 {
			t.Fatalf("%d outbox rows for a change with no notice", n)
		}
	})
}

// A claim is a lease: what is claimed is not claimed again until the lease runs out or is
// released; an expired lease is taken over, and the old holder can no longer move the
// delivery on, though its attempt is kept.
func TestClaimLeases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		if err := s.EnqueueNotices(ctx, []agentgate.Notice{noticeFor(newRequest("req_x", t0), t0, "wh_a", "wh_b")}); err != nil {
			t.Fatal(err)
		}
		claim := func(owner string, at time.Time, limit int) []agentgate.Delivery {
			t.Helper()
			got, err := s.ClaimDeliveries(ctx, owner, at, at.Add(time.Minute), limit)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := claim("a", t0.Add(-time.Second), 10); len(got) != 0 {
			t.Fatalf("claimed %d deliveries before they were due", len(got))
		}
		first := claim("a", t0, 1)
		if len(first) != 1 {
			t.Fatalf("claimed %d with limit 1", len(first))
		}
		second := claim("b", t0, 10)
		if len(second) != 1 || second[0].ID == first[0].ID {
			t.Fatalf("second claim got %v; the first holds %s", deliveryIDs(second), first[0].ID)
		}
		if got := claim("b", t0.Add(30*time.Second), 10); len(got) != 0 {
			t.Fatalf("claimed %d leased deliveries", len(got))
		}
		if err := s.ReleaseDeliveries(ctx, "b", []string{second[0].ID}); err != nil {
			t.Fatal(err)
		}
		if got := claim("c", t0.Add(30*time.Second), 10); len(got) != 1 || got[0].ID != second[0].ID {
			t.Fatalf("after a release, claimed %v, want %s", deliveryIDs(got), second[0].ID)
		}
		// a's lease runs out; d takes the delivery over and a's record comes too late.
		late := t0.Add(75 * time.Second) // a's lease ended at 60 s, c's lasts to 90 s
		taken := claim("d", late, 10)
		if len(taken) != 1 || taken[0].ID != first[0].ID {
			t.Fatalf("after a's lease ran out, claimed %v, want %s", deliveryIDs(taken), first[0].ID)
		}
		a := agentgate.DeliveryAttempt{DeliveryID: first[0].ID, Channel: agentgate.ChannelWebhook, Target: first[0].Target,
			Number: 1, At: late, OK: true, StatusCode: 200}
		err := s.RecordAttempt(ctx, "a", a, agentgate.DeliveryState{Status: agentgate.DeliveryDelivered})
		if !errors.Is(err, agentgate.ErrStale) {
			t.Fatalf("recording under a lost lease: %v, want ErrStale", err)
		}
		d, err := s.GetDelivery(ctx, first[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != agentgate.DeliveryPending || len(d.History) != 1 {
			t.Fatalf("after a late record: status %s, %d attempts; want pending with the attempt kept", d.Status, len(d.History))
		}
		if err := s.RecordAttempt(ctx, "d", a, agentgate.DeliveryState{Status: agentgate.DeliveryDelivered}); err != nil {
			t.Fatalf("the holder's record: %v", err)
		}
		if d, _ := s.GetDelivery(ctx, first[0].ID); d.Status != agentgate.DeliveryDelivered || len(d.History) != 1 {
			t.Fatalf("after the holder's record: %s with %d attempts", d.Status, len(d.History))
		}
	})
}

// An attempt moves a delivery on: pending until the next attempt is due, and the log keeps
// every attempt; a replay makes it due again with its schedule started afresh.
func TestAttemptsAndReplay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		if err := s.EnqueueNotices(ctx, []agentgate.Notice{noticeFor(newRequest("req_y", t0), t0, "wh_a")}); err != nil {
			t.Fatal(err)
		}
		got, _ := s.ClaimDeliveries(ctx, "a", t0, t0.Add(time.Minute), 10)
		if len(got) != 1 {
			t.Fatalf("claimed %d", len(got))
		}
		id := got[0].ID
		retry := t0.Add(5 * time.Second)
		a1 := agentgate.DeliveryAttempt{DeliveryID: id, Channel: agentgate.ChannelWebhook, Target: "wh_a", Number: 1, At: t0,
			LatencyMillis: 1.5, StatusCode: 503, Error: "503 Service Unavailable", Response: "busy"}
		if err := s.RecordAttempt(ctx, "a", a1, agentgate.DeliveryState{Status: agentgate.DeliveryPending, NextAttemptAt: retry}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ClaimDeliveries(ctx, "a", retry.Add(-time.Microsecond), retry, 10); len(got) != 0 {
			t.Fatal("claimed a delivery before its retry was due")
		}
		got, _ = s.ClaimDeliveries(ctx, "a", retry, retry.Add(time.Minute), 10)
		if len(got) != 1 || got[0].Attempts != 1 {
			t.Fatalf("the retry claimed %+v", got)
		}
		a2 := agentgate.DeliveryAttempt{DeliveryID: id, Channel: agentgate.ChannelWebhook, Target: "wh_a", Number: 2, At: retry, OK: true, StatusCode: 204}
		if err := s.RecordAttempt(ctx, "a", a2, agentgate.DeliveryState{Status: agentgate.DeliveryDelivered}); err != nil {
			t.Fatal(err)
		}
		ds, total, err := s.ListDeliveries(ctx, agentgate.DeliveryFilter{Channel: agentgate.ChannelWebhook, Target: "wh_a"})
		if err != nil || total != 1 || len(ds) != 1 {
			t.Fatalf("log: %d of %d, %v", len(ds), total, err)
		}
		d := ds[0]
		if d.Status != agentgate.DeliveryDelivered || d.Attempts != 2 || len(d.History) != 2 || d.NextAttemptAt != nil ||
			d.History[0].Response != "busy" || d.History[0].LatencyMillis != 1.5 || d.History[0].OK || !d.History[1].OK || d.Payload != nil {
			t.Fatalf("log entry %+v", d)
		}
		if _, n, _ := s.ListDeliveries(ctx, agentgate.DeliveryFilter{Channel: agentgate.ChannelWebhook, Target: "wh_a", Status: agentgate.DeliveryFailed}); n != 0 {
			t.Fatalf("%d failed deliveries, want 0", n)
		}

		later := t0.Add(time.Hour)
		if err := s.ReplayDelivery(ctx, id, later, newEvent(nil, "webhook.delivery_replayed", "admin", later)); err != nil {
			t.Fatal(err)
		}
		if err := s.ReplayDelivery(ctx, id, later, newEvent(nil, "webhook.delivery_replayed", "admin", later)); !errors.Is(err, agentgate.ErrStale) {
			t.Fatalf("replaying a pending delivery: %v, want ErrStale", err)
		}
		got, _ = s.ClaimDeliveries(ctx, "a", later, later.Add(time.Minute), 10)
		if len(got) != 1 || got[0].ID != id || got[0].Attempts != 2 || got[0].ScheduleFrom != 2 {
			t.Fatalf("the replay claimed %+v", got)
		}
	})
}
