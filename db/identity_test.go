package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// TestMigrationMakesLiveKeyNamesUnique: migration 00004 over a database whose live keys
// share names keeps the oldest name, renames the others after their ids, leaves revoked
// keys alone, attributes pending requests to the one key their creator's name named, and
// from then on refuses a second live key with a name.
func TestMigrationMakesLiveKeyNamesUnique(t *testing.T) {
	for _, dialect := range dbtest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			s := dbtest.OpenEmpty(t, dialect)
			if err := db.MigrateTo(ctx, s, 3); err != nil {
				t.Fatal(err)
			}
			long := strings.Repeat("n", 100)
			at := func(d time.Duration) int64 { return t0.Add(d).UnixMicro() }
			for _, k := range []struct {
				id, name string
				created  int64
				revoked  any
			}{
				{"key_1", "agent", at(0), nil},
				{"key_3", "agent", at(time.Minute), nil}, // same time as key_2: the id breaks the tie
				{"key_2", "agent", at(time.Minute), nil},
				{"key_4", "agent", at(-time.Hour), at(0)}, // revoked: keeps its name, holds nothing
				{"key_5", "solo", at(0), nil},
				{"key_6", long, at(0), nil},
				{"key_7", long, at(time.Second), nil},
			} {
				if err := db.Exec(ctx, s, `INSERT INTO api_keys (id, name, prefix, hash, created_at, updated_at, revoked_at)
					VALUES (?, ?, 'agk_x', ?, ?, ?, ?)`, k.id, k.name, "hash-"+k.id, k.created, k.created, k.revoked); err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range []struct{ id, status, by string }{
				{"req_solo", "pending", "solo"}, {"req_agent", "pending", "agent"}, {"req_done", "approved", "solo"},
			} {
				if err := db.Exec(ctx, s, `INSERT INTO requests (id, action, urgency, urgency_rank, status, created_by,
					created_at, updated_at, expires_at) VALUES (?, 'deploy', 'normal', 1, ?, ?, ?, ?, ?)`,
					r.id, r.status, r.by, at(0), at(0), at(time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("migrate over duplicate names: %v", err)
			}

			want := map[string]string{"key_1": "agent", "key_2": "agent-key_2", "key_3": "agent-key_3", "key_4": "agent",
				"key_5": "solo", "key_6": long, "key_7": long[:69] + "-key_7"}
			for id, name := range want {
				k, err := s.GetKey(ctx, id)
				if err != nil || k.Name != name {
					t.Errorf("%s is named %q (%v), want %q", id, k.Name, err, name)
				}
			}
			for id, owner := range map[string]string{"req_solo": "key_5", "req_agent": "", "req_done": ""} {
				r, err := s.GetRequest(ctx, id)
				if err != nil || r.CreatedByID != owner {
					t.Errorf("%s is owned by %q (%v), want %q", id, r.CreatedByID, err, owner)
				}
			}

			dup := newKey("key_8", t0)
			dup.Name = "agent"
			if err := s.CreateKey(ctx, dup, nil); !errors.Is(err, agentgate.ErrNameTaken) {
				t.Errorf("a second live key named agent: %v, want ErrNameTaken", err)
			}
			solo, _ := s.GetKey(ctx, "key_5")
			solo.Name = "agent"
			if err := s.UpdateKey(ctx, solo, newEvent(nil, agentgate.EventKeyUpdated, "admin", t0)); !errors.Is(err, agentgate.ErrNameTaken) {
				t.Errorf("renaming a key to a live key's name: %v, want ErrNameTaken", err)
			}
			if got, _ := s.GetKey(ctx, "key_5"); got.Name != "solo" {
				t.Errorf("the refused rename wrote %q", got.Name)
			}
		})
	}
}

// TestIdempotencyRecords: a key is recorded with its request, in one transaction; a second
// request under the key within the window writes nothing; an older record is replaced;
// old records are deleted in batches.
func TestIdempotencyRecords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		rec := func(key, reqID string, at time.Time) *agentgate.Idempotency {
			return &agentgate.Idempotency{KeyID: "key_a", Key: key, Fingerprint: "fp-" + reqID, RequestID: reqID, CreatedAt: at}
		}
		create := func(key, reqID string, at time.Time) error {
			r := newRequest(reqID, at)
			return s.CreateRequest(ctx, r, agentgate.Effects{Events: []agentgate.AuditEvent{newEvent(r, agentgate.EventRequestCreated, "a", at)},
				Idempotency: rec(key, reqID, at)})
		}
		if err := create("k1", "req_1", t0); err != nil {
			t.Fatal(err)
		}
		if err := create("k1", "req_2", t0.Add(agentgate.IdempotencyWindow-time.Microsecond)); !errors.Is(err, agentgate.ErrIdempotencyConflict) {
			t.Fatalf("the key again within the window: %v, want ErrIdempotencyConflict", err)
		}
		if _, err := s.GetRequest(ctx, "req_2"); !errors.Is(err, agentgate.ErrNotFound) {
			t.Fatalf("the refused request was stored: %v", err)
		}
		got, err := s.GetIdempotency(ctx, "key_a", "k1")
		if err != nil || *got != *rec("k1", "req_1", t0) {
			t.Fatalf("GetIdempotency = %+v, %v", got, err)
		}
		if _, err := s.GetIdempotency(ctx, "key_b", "k1"); !errors.Is(err, agentgate.ErrNotFound) {
			t.Errorf("another API key's k1: %v, want ErrNotFound", err)
		}

		later := t0.Add(agentgate.IdempotencyWindow)
		if err := create("k1", "req_3", later); err != nil {
			t.Fatalf("the key after the window: %v", err)
		}
		if got, _ := s.GetIdempotency(ctx, "key_a", "k1"); got.RequestID != "req_3" {
			t.Fatalf("after the window k1 names %s, want req_3", got.RequestID)
		}

		for i, key := range []string{"k2", "k3", "k4"} {
			if err := create(key, "req_k"+key, t0.Add(time.Duration(i)*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.DeleteIdempotencyBefore(ctx, later, 2); err != nil || n != 2 {
			t.Fatalf("first batch deleted %d (%v), want 2", n, err)
		}
		if n, err := s.DeleteIdempotencyBefore(ctx, later, 2); err != nil || n != 1 {
			t.Fatalf("second batch deleted %d (%v), want 1", n, err)
		}
		for key, gone := range map[string]bool{"k1": false, "k2": true, "k3": true, "k4": true} {
			if _, err := s.GetIdempotency(ctx, "key_a", key); errors.Is(err, agentgate.ErrNotFound) != gone {
				t.Errorf("%s: %v, want gone = %v", key, err, gone)
			}
		}
	})
}

// TestIdempotentSubmitsInOneBatch: two calls with one Idempotency-Key are committed in one
// write batch (one transaction). The second's insert finds the first's uncommitted record,
// writes nothing, and, answered after the commit, reads the first's request.
func TestIdempotentSubmitsInOneBatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		g := agentgate.NewGate(s, agentgate.Options{})
		caller := agentgate.Actor{ID: "key_agent", Name: "agent", Type: agentgate.ActorAPIKey}
		type answer struct {
			r        *agentgate.Request
			replayed bool
			err      error
		}
		answers := make(chan answer, 2)
		release := db.HoldWriter(s)
		for range 2 {
			go func() {
				r, replayed, err := g.SubmitIdempotent(ctx, caller, "once", agentgate.NewRequest{Action: "deploy"})
				answers <- answer{r, replayed, err}
			}()
		}
		db.WaitQueued(s, 2)
		before := db.Batches(s)
		release()
		a, b := <-answers, <-answers
		if a.err != nil || b.err != nil {
			t.Fatalf("answers: %v, %v", a.err, b.err)
		}
		if a.r.ID != b.r.ID || a.replayed == b.replayed {
			t.Fatalf("ids %s and %s, replayed %v and %v; want one request, one replay", a.r.ID, b.r.ID, a.replayed, b.replayed)
		}
		if n := db.Batches(s) - before; n != 1 {
			t.Fatalf("the two creates took %d write batches, want 1", n)
		}
		if _, n, err := s.ListRequests(ctx, agentgate.RequestFilter{}); err != nil || n != 1 {
			t.Fatalf("%d requests stored (%v), want 1", n, err)
		}
	})
}
