package db_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

func TestRequestRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		r := newRequest("req_01", t0)
		ev := newEvent(r, agentgate.EventRequestCreated, "agent-key", t0)
		if err := s.CreateRequest(ctx, r, agentgate.Effects{Events: []agentgate.AuditEvent{ev}}); err != nil {
			t.Fatal(err)
		}
		if r.Version != 1 {
			t.Errorf("version after create = %d, want 1", r.Version)
		}
		got, err := s.GetRequest(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertRequest(t, r, got)
		evs, err := s.RequestAudit(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertEvents(t, []agentgate.AuditEvent{ev}, evs)

		// Decide it: every written field comes back, the version moves on.
		later := t0.Add(time.Minute)
		if _, err := got.ApplyDecision(agentgate.Decide{Decision: agentgate.DecisionApproved,
			Reason: "fine", Actor: agentgate.Actor{Name: "ops@example.com", Type: agentgate.ActorUser}}, later); err != nil {
			t.Fatal(err)
		}
		ev2 := newEvent(got, agentgate.EventRequestApproved, "ops@example.com", later)
		if err := s.UpdateRequest(ctx, got, 1, agentgate.Effects{Events: []agentgate.AuditEvent{ev2}}); err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 {
			t.Errorf("version after update = %d, want 2", got.Version)
		}
		again, err := s.GetRequest(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertRequest(t, got, again)
		if again.DecidedAt == nil || !again.DecidedAt.Equal(later) || len(again.Votes) != 1 {
			t.Errorf("decision not stored: %+v", again)
		}
		evs, _ = s.RequestAudit(ctx, r.ID)
		assertEvents(t, []agentgate.AuditEvent{ev, ev2}, evs)
	})
}

func TestRequestNotFound(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		if _, err := s.GetRequest(ctx, "req_missing"); !errors.Is(err, agentgate.ErrNotFound) {
			t.Errorf("GetRequest missing: %v, want ErrNotFound", err)
		}
		r := newRequest("req_missing", t0)
		ev := newEvent(r, agentgate.EventRequestCancelled, "x", t0)
		if err := s.UpdateRequest(ctx, r, 1, agentgate.Effects{Events: []agentgate.AuditEvent{ev}}); !errors.Is(err, agentgate.ErrNotFound) {
			t.Errorf("UpdateRequest missing: %v, want ErrNotFound", err)
		}
		if evs, _, _ := s.ListAudit(ctx, agentgate.AuditFilter{}); len(evs) != 0 {
			t.Errorf("events written for a missing request: %v", ids(evs))
		}
	})
}

func TestUpdateRequestStale(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		r := newRequest("req_stale", t0)
		if err := s.CreateRequest(ctx, r, agentgate.Effects{}); err != nil {
			t.Fatal(err)
		}
		a, _ := s.GetRequest(ctx, r.ID)
		b, _ := s.GetRequest(ctx, r.ID)
		if err := a.Cancel(agentgate.SystemActor, "first", t0.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateRequest(ctx, a, 1, agentgate.Effects{Events: []agentgate.AuditEvent{newEvent(a, agentgate.EventRequestCancelled, "a", t0)}}); err != nil {
			t.Fatal(err)
		}
		if err := b.Expire(t0.Add(2 * time.Hour)); err != nil {
			t.Fatal(err)
		}
		loser := newEvent(b, agentgate.EventRequestExpired, "b", t0)
		err := s.UpdateRequest(ctx, b, 1, agentgate.Effects{Events: []agentgate.AuditEvent{loser}})
		if !errors.Is(err, agentgate.ErrStale) {
			t.Fatalf("second update: %v, want ErrStale", err)
		}
		if b.Version != 1 {
			t.Errorf("stale update changed b.Version to %d", b.Version)
		}
		got, _ := s.GetRequest(ctx, r.ID)
		if got.Status != agentgate.StatusCancelled || got.Version != 2 || got.DecisionReason != "first" {
			t.Errorf("stored %s v%d %q, want the first update", got.Status, got.Version, got.DecisionReason)
		}
		evs, _ := s.RequestAudit(ctx, r.ID)
		for _, e := range evs {
			if e.ID == loser.ID {
				t.Errorf("the stale update wrote its event")
			}
		}
	})
}

func TestCreateRequestDuplicate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		r := newRequest("req_dup", t0)
		if err := s.CreateRequest(ctx, r, agentgate.Effects{}); err != nil {
			t.Fatal(err)
		}
		ev := newEvent(r, agentgate.EventRequestCreated, "x", t0)
		err := s.CreateRequest(ctx, newRequest("req_dup", t0), agentgate.Effects{Events: []agentgate.AuditEvent{ev}})
		if agentgate.ErrorKind(err) != agentgate.KindConflict {
			t.Fatalf("duplicate create: %v, want a conflict", err)
		}
		if evs, _ := s.RequestAudit(ctx, r.ID); len(evs) != 0 {
			t.Errorf("failed create wrote events %v", ids(evs))
		}
	})
}

func TestListOverdueAndCounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		mk := func(id string, exp time.Duration, u agentgate.Urgency, st agentgate.Status) {
			r := newRequest(id, t0)
			r.ExpiresAt, r.Urgency, r.Status = t0.Add(exp), u, st
			if err := s.CreateRequest(ctx, r, agentgate.Effects{}); err != nil {
				t.Fatal(err)
			}
		}
		mk("req_a", 3*time.Minute, agentgate.UrgencyHigh, agentgate.StatusPending)
		mk("req_b", 1*time.Minute, agentgate.UrgencyHigh, agentgate.StatusPending)
		mk("req_c", 2*time.Minute, agentgate.UrgencyCritical, agentgate.StatusApproved)
		mk("req_d", 2*time.Minute, agentgate.UrgencyLow, agentgate.StatusPending)
		mk("req_e", 9*time.Minute, agentgate.UrgencyHigh, agentgate.StatusPending)

		now := t0.Add(3 * time.Minute) // at expiry counts as overdue
		got, err := s.ListOverdue(ctx, now, 10)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(got)) != "[req_b req_d req_a]" {
			t.Errorf("overdue = %v, want [req_b req_d req_a]", ids(got))
		}
		if got, _ := s.ListOverdue(ctx, now, 2); len(got) != 2 {
			t.Errorf("overdue with limit 2 gave %d", len(got))
		}

		counts, err := s.CountPendingByUrgency(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[agentgate.Urgency]int{agentgate.UrgencyCritical: 0, agentgate.UrgencyHigh: 3,
			agentgate.UrgencyNormal: 0, agentgate.UrgencyLow: 1}
		if fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Errorf("pending counts = %v, want %v", counts, want)
		}
	})
}

// TestRequestCounts checks the kept counts against counted rows through creates, decisions,
// a stale update and a failed create.
func TestRequestCounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		urgencies := []agentgate.Urgency{agentgate.UrgencyLow, agentgate.UrgencyHigh, agentgate.UrgencyCritical}
		for i := range 9 {
			r := newRequest(fmt.Sprintf("req_%d", i), t0)
			r.Urgency = urgencies[i%3]
			if err := s.CreateRequest(ctx, r, agentgate.Effects{}); err != nil {
				t.Fatal(err)
			}
		}
		_ = s.CreateRequest(ctx, newRequest("req_0", t0), agentgate.Effects{}) // duplicate: not counted
		for i, decide := range []func(r *agentgate.Request) error{
			func(r *agentgate.Request) error { return r.Cancel(agentgate.SystemActor, "", t0) },
			func(r *agentgate.Request) error { return r.Expire(t0.Add(2 * time.Hour)) },
		} {
			r, _ := s.GetRequest(ctx, fmt.Sprintf("req_%d", i))
			if err := decide(r); err != nil {
				t.Fatal(err)
			}
			if err := s.UpdateRequest(ctx, r, 1, agentgate.Effects{}); err != nil {
				t.Fatal(err)
			}
			if err := s.UpdateRequest(ctx, r, 1, agentgate.Effects{}); !errors.Is(err, agentgate.ErrStale) {
				t.Fatalf("repeat update: %v", err)
			}
		}
		counts, err := s.CountPendingByUrgency(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[agentgate.Urgency]int{agentgate.UrgencyLow: 2, agentgate.UrgencyNormal: 0, agentgate.UrgencyHigh: 2, agentgate.UrgencyCritical: 3}
		if fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Errorf("pending counts = %v, want %v", counts, want)
		}
		// Totals from the kept counts (status and urgency filters) agree with counted rows
		// (the From filter forces a count).
		epoch := time.Unix(0, 0)
		for _, f := range []agentgate.RequestFilter{
			{}, {Status: agentgate.StatusPending}, {Status: agentgate.StatusCancelled},
			{Urgency: agentgate.UrgencyHigh}, {Status: agentgate.StatusExpired, Urgency: agentgate.UrgencyHigh},
		} {
			f.Limit = 1
			_, kept, err := s.ListRequests(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			f.From = epoch
			_, counted, _ := s.ListRequests(ctx, f)
			if kept != counted {
				t.Errorf("filter %+v: kept total %d, counted %d", f, kept, counted)
			}
		}
	})
}

// TestRequestCountsDropFailedOperation batches a create with an operation that counts a
// request and then fails part-way: the batch is run again with savepoints, and only the
// create's count may survive. (The failures in TestRequestCounts fail before counting.)
func TestRequestCountsDropFailedOperation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		release := db.HoldWriter(s)
		created, failed := make(chan error, 1), make(chan error, 1)
		go func() {
			r := newRequest("req_kept", t0)
			r.Urgency = agentgate.UrgencyHigh
			created <- s.CreateRequest(ctx, r, agentgate.Effects{})
		}()
		go func() {
			failed <- db.FailAfterCounting(ctx, s, agentgate.StatusPending, agentgate.UrgencyCritical)
		}()
		db.WaitQueued(s, 2) // both are taken into the batch after the held one
		release()
		if err := <-created; err != nil {
			t.Fatalf("create in the failing batch: %v", err)
		}
		if err := <-failed; err == nil {
			t.Fatal("the failing operation succeeded")
		}
		counts, err := s.CountPendingByUrgency(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[agentgate.Urgency]int{agentgate.UrgencyLow: 0, agentgate.UrgencyNormal: 0, agentgate.UrgencyHigh: 1, agentgate.UrgencyCritical: 0}
		if fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Errorf("pending counts = %v, want %v", counts, want)
		}
	})
}
