package db_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

func TestAudit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		r1, r2 := newRequest("req_1", t0), newRequest("req_2", t0)
		r2.Action = "deploy"
		at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
		events := []agentgate.AuditEvent{
			newEvent(r1, agentgate.EventRequestCreated, "bot", at(0)),
			newEvent(r2, agentgate.EventRequestCreated, "bot", at(1)),
			newEvent(r1, agentgate.EventRequestApproved, "ops@example.com", at(2)),
			newEvent(nil, agentgate.EventLogin, "ops@example.com", at(3)),
			newEvent(r2, agentgate.EventRequestDenied, "slack:U1", at(4)),
			newEvent(r2, agentgate.EventRequestVoted, "slack:U1", at(4)), // same time: id orders
		}
		if err := s.AppendAudit(ctx, events[:3]); err != nil {
			t.Fatal(err)
		}
		if err := s.AppendAudit(ctx, events[3:]); err != nil {
			t.Fatal(err)
		}
		if err := s.AppendAudit(ctx, nil); err != nil {
			t.Fatal(err)
		}
		e := func(i ...int) string {
			out := make([]string, len(i))
			for j, n := range i {
				out[j] = events[n].ID
			}
			return fmt.Sprint(out)
		}
		tests := []struct {
			name  string
			f     agentgate.AuditFilter
			want  string
			total int
		}{
			{"all newest first", agentgate.AuditFilter{}, e(5, 4, 3, 2, 1, 0), 6},
			{"paged", agentgate.AuditFilter{Page: agentgate.Page{Limit: 2, Offset: 1}}, e(4, 3), 6},
			{"event type", agentgate.AuditFilter{EventType: agentgate.EventRequestCreated}, e(1, 0), 2},
			{"action", agentgate.AuditFilter{Action: "deploy"}, e(5, 4, 1), 3},
			{"actor", agentgate.AuditFilter{Actor: "ops@example.com"}, e(3, 2), 2},
			{"request", agentgate.AuditFilter{RequestID: "req_1"}, e(2, 0), 2},
			{"from to", agentgate.AuditFilter{From: at(1), To: at(4)}, e(3, 2, 1), 3},
			{"combined", agentgate.AuditFilter{Actor: "slack:U1", EventType: agentgate.EventRequestDenied}, e(4), 1},
		}
		for _, tt := range tests {
			got, total, err := s.ListAudit(ctx, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if fmt.Sprint(ids(got)) != tt.want || total != tt.total {
				t.Errorf("%s: got %v total %d, want %s total %d", tt.name, ids(got), total, tt.want, tt.total)
			}
		}

		trail, err := s.RequestAudit(ctx, "req_2")
		if err != nil {
			t.Fatal(err)
		}
		assertEvents(t, []agentgate.AuditEvent{events[1], events[4], events[5]}, trail)
		login, _, _ := s.ListAudit(ctx, agentgate.AuditFilter{EventType: agentgate.EventLogin})
		assertEvents(t, events[3:4], login)

		actors, err := s.AuditActors(ctx)
		if err != nil || fmt.Sprint(actors) != "[bot ops@example.com slack:U1]" {
			t.Errorf("actors = %v, %v", actors, err)
		}
		actions, err := s.AuditActions(ctx)
		if err != nil || fmt.Sprint(actions) != "[deploy send_email]" {
			t.Errorf("actions = %v, %v", actions, err)
		}
	})
}

// The page of events by their request's status holds the events of the requests that have
// that status now, newest first (on PostgreSQL read in a transaction of its own, without
// parallel workers): a request decided later brings its earlier events along.
func TestAuditByRequestStatus(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
		r1, r2 := newRequest("req_1", at(0)), newRequest("req_2", at(1))
		created := []agentgate.AuditEvent{newEvent(r1, agentgate.EventRequestCreated, "bot", at(0)),
			newEvent(r2, agentgate.EventRequestCreated, "bot", at(1))}
		for i, r := range []*agentgate.Request{r1, r2} {
			if err := s.CreateRequest(ctx, r, agentgate.Effects{Events: created[i : i+1]}); err != nil {
				t.Fatal(err)
			}
		}
		decided := at(2)
		r2.Status, r2.DecidedAt = agentgate.StatusApproved, &decided
		approved := newEvent(r2, agentgate.EventRequestApproved, "ops@example.com", at(2))
		if err := s.UpdateRequest(ctx, r2, 1, agentgate.Effects{Events: []agentgate.AuditEvent{approved}}); err != nil {
			t.Fatal(err)
		}
		loose := newEvent(nil, agentgate.EventLogin, "ops@example.com", at(3))
		if err := s.AppendAudit(ctx, []agentgate.AuditEvent{loose}); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			status agentgate.Status
			want   []agentgate.AuditEvent
		}{
			{agentgate.StatusPending, created[:1]},
			{agentgate.StatusApproved, []agentgate.AuditEvent{approved, created[1]}},
			{agentgate.StatusDenied, nil},
		} {
			got, total, err := s.ListAudit(ctx, agentgate.AuditFilter{Status: tt.status})
			if err != nil {
				t.Fatalf("%s: %v", tt.status, err)
			}
			if fmt.Sprint(ids(got)) != fmt.Sprint(ids(tt.want)) || total != len(tt.want) {
				t.Errorf("%s: got %v total %d, want %v total %d", tt.status, ids(got), total, ids(tt.want), len(tt.want))
			}
		}
	})
}

func TestAuditEmpty(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		actors, err := s.AuditActors(ctx)
		if err != nil || actors == nil || len(actors) != 0 {
			t.Errorf("actors of an empty log = %#v, %v; want []", actors, err)
		}
		list, total, err := s.ListAudit(ctx, agentgate.AuditFilter{})
		if err != nil || len(list) != 0 || total != 0 {
			t.Errorf("empty log = %v %d %v", list, total, err)
		}
	})
}

// TestAuditTotalIsKept: the audit log's total, unfiltered and by the status its events'
// request has now, comes from the events column of request_counts, which every way of
// writing events keeps equal to a count of the stored rows: events with a new request,
// with a decision that changes its status (its earlier events move with it), alone about
// a request or about none, several writes in one batch (on PostgreSQL collected and
// written by one statement, an event about a request ahead of that request's decision),
// and a batch in which an operation fails after writing an event, which must not count it.
func TestAuditTotalIsKept(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		check := func(when string) {
			t.Helper()
			for _, st := range []agentgate.Status{"", agentgate.StatusPending, agentgate.StatusApproved,
				agentgate.StatusDenied, agentgate.StatusCancelled} {
				f := agentgate.AuditFilter{Status: st, Page: agentgate.Page{Limit: 1}}
				_, kept, err := s.ListAudit(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				f.From = time.Unix(0, 0) // a From filter forces a count of the rows
				_, counted, err := s.ListAudit(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if kept != counted {
					t.Errorf("%s, status %q: kept total %d, counted %d", when, st, kept, counted)
				}
			}
		}
		create := func(id string, events int) *agentgate.Request {
			r := newRequest(id, t0)
			var fx agentgate.Effects
			for range events {
				fx.Events = append(fx.Events, newEvent(r, agentgate.EventRequestCreated, "bot", t0))
			}
			if err := s.CreateRequest(ctx, r, fx); err != nil {
				t.Fatal(err)
			}
			return r
		}
		decide := func(r *agentgate.Request, status agentgate.Status) error {
			prev, at := r.Version, t0.Add(time.Minute)
			r.Status, r.DecidedAt = status, &at
			return s.UpdateRequest(ctx, r, prev, agentgate.Effects{Events: []agentgate.AuditEvent{
				newEvent(r, "request."+string(status), "ops@example.com", t0.Add(time.Minute))}})
		}
		r1, r2 := create("req_1", 2), create("req_2", 1)
		if err := s.AppendAudit(ctx, []agentgate.AuditEvent{
			newEvent(nil, agentgate.EventLogin, "ops@example.com", t0),
			newEvent(r1, agentgate.EventRequestVoted, "ops@example.com", t0), // looked up: pending
			newEvent(&agentgate.Request{ID: "req_gone"}, agentgate.EventRequestVoted, "ops@example.com", t0),
		}); err != nil {
			t.Fatal(err)
		}
		check("creates and events alone")
		if err := decide(r1, agentgate.StatusApproved); err != nil {
			t.Fatal(err)
		}
		check("a decision")

		// One batch: an event about r2 and then r2's decision, a create, and an operation
		// that writes an event and then fails, so that the batch runs again with savepoints.
		release := db.HoldWriter(s)
		errs := make(chan error, 4)
		go func() {
			errs <- s.AppendAudit(ctx, []agentgate.AuditEvent{newEvent(r2, agentgate.EventRequestVoted, "slack:U1", t0)})
		}()
		db.WaitQueued(s, 1)
		go func() { errs <- decide(r2, agentgate.StatusDenied) }()
		db.WaitQueued(s, 2)
		go func() { create("req_3", 1); errs <- nil }()
		db.WaitQueued(s, 3)
		failed := make(chan error, 1)
		go func() { failed <- db.FailAfterAudit(ctx, s, newEvent(r2, agentgate.EventLogin, "x@example.com", t0)) }()
		db.WaitQueued(s, 4)
		release()
		for range 3 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if err := <-failed; err == nil {
			t.Fatal("the failing operation succeeded")
		}
		check("a batch with a failed operation")

		// The same without the failure: on PostgreSQL its rows and counts are one statement.
		r4 := create("req_4", 1)
		release = db.HoldWriter(s)
		go func() {
			errs <- s.AppendAudit(ctx, []agentgate.AuditEvent{newEvent(r4, agentgate.EventRequestVoted, "slack:U1", t0)})
		}()
		db.WaitQueued(s, 1)
		go func() { errs <- decide(r4, agentgate.StatusCancelled) }()
		db.WaitQueued(s, 2)
		go func() {
			errs <- s.AppendAudit(ctx, []agentgate.AuditEvent{newEvent(r4, agentgate.EventRequestVoted, "slack:U2", t0)})
		}()
		db.WaitQueued(s, 3)
		release()
		for range 3 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		check("a collected batch")
	})
}

// TestMigrationCountsStoredAuditEvents: migration 00010 starts the events column of
// request_counts at the number of events already stored, by their request's status and
// urgency, and the store adds to it from there.
func TestMigrationCountsStoredAuditEvents(t *testing.T) {
	for _, dialect := range dbtest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			s := dbtest.OpenEmpty(t, dialect)
			if err := db.MigrateTo(ctx, s, 9); err != nil {
				t.Fatal(err)
			}
			if err := db.Exec(ctx, s, `INSERT INTO requests (id, action, urgency, urgency_rank, status,
				created_at, updated_at, expires_at) VALUES ('req_1', 'deploy', 'normal', 1, 'pending', 0, 0, 0)`); err != nil {
				t.Fatal(err)
			}
			// Two events about the pending request, one about no request, one about none stored.
			for i, req := range []any{"req_1", "req_1", nil, "req_gone"} {
				if err := db.Exec(ctx, s, `INSERT INTO audit_events (id, request_id, event_type, actor, actor_type, created_at)
					VALUES (?, ?, 'auth.login', 'ops', 'session', ?)`, fmt.Sprintf("evt_%d", i), req, t0.UnixMicro()); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := s.AppendAudit(ctx, []agentgate.AuditEvent{newEvent(nil, agentgate.EventLogin, "ops", t0)}); err != nil {
				t.Fatal(err)
			}
			if _, total, err := s.ListAudit(ctx, agentgate.AuditFilter{Page: agentgate.Page{Limit: 1}}); err != nil || total != 5 {
				t.Errorf("total %d (%v), want 5", total, err)
			}
			f := agentgate.AuditFilter{Status: agentgate.StatusPending, Page: agentgate.Page{Limit: 1}}
			if _, total, err := s.ListAudit(ctx, f); err != nil || total != 2 {
				t.Errorf("pending total %d (%v), want 2", total, err)
			}
		})
	}
}

// TestAuditTotalAcrossInstances: two instances on one PostgreSQL database, one writing
// events about requests while the other decides them. Each event is counted under the
// status its request has once both have committed: the look-up of its request's status
// waits for a decision in flight, and a decision waits for an event in flight, whose count
// it then moves. (The events go one at a time: a batch of events about several requests
// holds a lock on each until it commits, and another instance deciding the same requests
// in another order would deadlock with it, as two such batches of decisions can.)
func TestAuditTotalAcrossInstances(t *testing.T) {
	ctx := context.Background()
	url := dbtest.PostgresURL(t) // skips without AGENTGATE_TEST_POSTGRES_URL
	open := func() *db.Store {
		s, err := db.Open(ctx, url, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := open(), open()
	const n = 200
	rs := make([]*agentgate.Request, n)
	for i := range rs {
		rs[i] = newRequest(fmt.Sprintf("req_%03d", i), t0)
		if err := a.CreateRequest(ctx, rs[i], agentgate.Effects{}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, r := range rs {
			e := newEvent(r, agentgate.EventRequestVoted, "slack:U1", t0)
			if err := a.AppendAudit(ctx, []agentgate.AuditEvent{e}); err != nil {
				t.Error(err)
			}
		}
	}()
	for i, r := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := *r
			d.Status = []agentgate.Status{agentgate.StatusApproved, agentgate.StatusDenied}[i%2]
			if err := b.UpdateRequest(ctx, &d, 1, agentgate.Effects{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, st := range []agentgate.Status{"", agentgate.StatusPending, agentgate.StatusApproved, agentgate.StatusDenied} {
		f := agentgate.AuditFilter{Status: st, Page: agentgate.Page{Limit: 1}}
		_, kept, err := a.ListAudit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		f.From = time.Unix(0, 0)
		_, counted, err := a.ListAudit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if kept != counted {
			t.Errorf("status %q: kept total %d, counted %d", st, kept, counted)
		}
	}
}
