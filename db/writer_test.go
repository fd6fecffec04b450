package db_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// TestConcurrentWrites has 200 goroutines create requests (each with an event) while
// others read; everything commits and nothing reports "database is locked".
func TestConcurrentWrites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		const writers, perWriter = 200, 5
		var wg sync.WaitGroup
		errs := make(chan error, writers*perWriter+100)
		stop := make(chan struct{})
		for g := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range perWriter {
					r := newRequest(fmt.Sprintf("req_%03d_%d", g, i), t0.Add(time.Duration(g)*time.Second))
					if err := s.CreateRequest(ctx, r, agentgate.Effects{Events: []agentgate.AuditEvent{newEventFor(r, g, i)}}); err != nil {
						errs <- err
					}
				}
			}()
		}
		var readers sync.WaitGroup
		for range 8 {
			readers.Add(1)
			go func() {
				defer readers.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, _, err := s.ListRequests(ctx, agentgate.RequestFilter{Status: agentgate.StatusPending, Page: agentgate.Page{Limit: 10}}); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(stop)
		readers.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent access failed: %v", err)
			if strings.Contains(err.Error(), "locked") {
				t.Fatal("database is locked under concurrent load")
			}
		}
		_, total, err := s.ListRequests(ctx, agentgate.RequestFilter{Page: agentgate.Page{Limit: 1}})
		if err != nil || total != writers*perWriter {
			t.Errorf("stored %d requests (%v), want %d", total, err, writers*perWriter)
		}
		_, events, _ := s.ListAudit(ctx, agentgate.AuditFilter{Page: agentgate.Page{Limit: 1}})
		if events != writers*perWriter {
			t.Errorf("stored %d events, want %d", events, writers*perWriter)
		}
		t.Logf("%d transactions for %d writes", db.Batches(s), writers*perWriter)
	})
}

// newEventFor gives goroutine g's i-th request a unique event id without shared state.
func newEventFor(r *agentgate.Request, g, i int) agentgate.AuditEvent {
	return agentgate.AuditEvent{ID: fmt.Sprintf("evt_%03d_%d", g, i), RequestID: r.ID, Action: r.Action,
		EventType: agentgate.EventRequestCreated, Actor: "bot", ActorType: agentgate.ActorAPIKey, CreatedAt: r.CreatedAt}
}

// TestBatchIsolatesFailures queues writes while the writer is busy so that they commit as
// one batch; the one that fails (a duplicate id) is rolled back alone.
func TestBatchIsolatesFailures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		if err := s.CreateRequest(ctx, newRequest("req_taken", t0), agentgate.Effects{}); err != nil {
			t.Fatal(err)
		}
		release := db.HoldWriter(s)
		before := db.Batches(s)
		const n = 20
		results := make([]error, n+1)
		var wg sync.WaitGroup
		for i := range n + 1 {
			id := fmt.Sprintf("req_%02d", i)
			if i == n/2 {
				id = "req_taken"
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := newRequest(id, t0)
				results[i] = s.CreateRequest(ctx, r, agentgate.Effects{Events: []agentgate.AuditEvent{newEventFor(r, 0, i)}})
			}()
		}
		db.WaitQueued(s, n+1)
		release()
		wg.Wait()

		for i, err := range results {
			if i == n/2 {
				if agentgate.ErrorKind(err) != agentgate.KindConflict {
					t.Errorf("duplicate: %v, want a conflict", err)
				}
				continue
			}
			if err != nil {
				t.Errorf("write %d failed with its batch: %v", i, err)
			}
		}
		_, total, _ := s.ListRequests(ctx, agentgate.RequestFilter{})
		_, events, _ := s.ListAudit(ctx, agentgate.AuditFilter{})
		if total != n+1 || events != n {
			t.Errorf("stored %d requests and %d events, want %d and %d", total, events, n+1, n)
		}
		if b := db.Batches(s) - before; b > 3 {
			t.Errorf("%d queued writes took %d transactions; want them batched", n+1, b)
		}
	})
}

func TestWriteCancelledWhileQueued(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		release := db.HoldWriter(s)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.CreateRequest(ctx, newRequest("req_cancelled", t0), agentgate.Effects{}) }()
		db.WaitQueued(s, 1)
		cancel()
		err := <-done
		release()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled write: %v, want context.Canceled", err)
		}
		if _, err := s.GetRequest(context.Background(), "req_cancelled"); !errors.Is(err, agentgate.ErrNotFound) {
			t.Errorf("cancelled write was stored: %v", err)
		}
	})
}

func TestWriteAfterClose(t *testing.T) {
	s := dbtest.Open(t, db.DialectSQLite)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRequest(context.Background(), newRequest("req_late", t0), agentgate.Effects{}); !errors.Is(err, db.ErrClosed) {
		t.Errorf("write after close: %v, want ErrClosed", err)
	}
	if err := s.Ping(context.Background()); err == nil {
		t.Error("Ping after close succeeded")
	}
}
