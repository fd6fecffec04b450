package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// awkward holds text that array literals and JSON must carry unchanged: quotes,
// backslashes, the literal's own delimiters, the word NULL, line breaks and non-ASCII.
var awkward = []string{`a "quoted" word`, `back\slash \\ and \"`, `{braces}, commas,`, `NULL`, "",
	"line\nbreak\ttab", "ünïcödé 🚀", `\`, `"`}

// A batch written in one statement (PostgreSQL) stores every value as the same writes
// made one by one would: requests pending and decided, their events, an event about no
// request, beside an update that needs a transaction of its own. The counts and totals
// agree.
func TestBatchedWritesKeepEveryByte(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		old := newRequest("req_old", t0)
		if err := s.CreateRequest(ctx, old, agentgate.Effects{}); err != nil {
			t.Fatal(err)
		}
		var reqs []*agentgate.Request
		var events [][]agentgate.AuditEvent
		for i, text := range awkward {
			at := t0.Add(time.Duration(i+1) * time.Second)
			r := newRequest(fmt.Sprintf("req_%02d", i), at)
			r.Action, r.CreatedBy, r.CreatedByID = "act "+text, text, text
			params, _ := json.Marshal(map[string]any{"q": text, "n": i, "list": []string{text}})
			r.Params, r.Context = params, json.RawMessage(fmt.Sprintf(`{"agent":%q}`, text))
			if i%2 == 1 { // decided by a rule on arrival
				decided := at
				r.Status, r.DecidedAt, r.DecidedBy, r.DecisionReason = agentgate.StatusApproved, &decided, "policy", text
			}
			ev := newEvent(r, agentgate.EventRequestCreated, text, at)
			ev.Details, _ = json.Marshal(map[string]string{"why": text})
			reqs, events = append(reqs, r), append(events, []agentgate.AuditEvent{ev})
		}
		loose := newEvent(nil, agentgate.EventPolicyCreated, awkward[0], t0) // request_id NULL

		release := db.HoldWriter(s)
		var wg sync.WaitGroup
		errs := make([]error, len(reqs)+2)
		for i, r := range reqs {
			wg.Go(func() { errs[i] = s.CreateRequest(ctx, r, agentgate.Effects{Events: events[i]}) })
		}
		wg.Go(func() { errs[len(reqs)] = s.AppendAudit(ctx, []agentgate.AuditEvent{loose}) })
		wg.Go(func() {
			if errs[len(reqs)+1] = old.Cancel(agentgate.SystemActor, awkward[1], t0); errs[len(reqs)+1] == nil {
				errs[len(reqs)+1] = s.UpdateRequest(ctx, old, 1, agentgate.Effects{})
			}
		})
		db.WaitQueued(s, int64(len(errs)))
		before, retries := db.Batches(s), db.Retries(s)
		release()
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("write %d: %v", i, err)
			}
		}
		if n := db.Batches(s) - before; n > 3 {
			t.Errorf("%d writes took %d transactions; want them batched", len(errs), n)
		}
		if n := db.Retries(s) - retries; n != 0 { // a batch that failed as a whole was written row by row
			t.Errorf("%d batches were run again", n)
		}

		for i, want := range reqs {
			got, err := s.GetRequest(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			assertRequest(t, want, got)
			trail, err := s.RequestAudit(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			assertEvents(t, events[i], trail)
		}
		got, _, err := s.ListAudit(ctx, agentgate.AuditFilter{EventType: agentgate.EventPolicyCreated})
		if err != nil {
			t.Fatal(err)
		}
		assertEvents(t, []agentgate.AuditEvent{loose}, got)
		pending, err := s.CountPendingByUrgency(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := (len(awkward) + 1) / 2; pending[agentgate.UrgencyNormal] != want {
			t.Errorf("%d pending counted, want %d", pending[agentgate.UrgencyNormal], want)
		}
		for status, want := range map[agentgate.Status]int{agentgate.StatusApproved: len(awkward) / 2, agentgate.StatusCancelled: 1} {
			if _, total, err := s.ListRequests(ctx, agentgate.RequestFilter{Status: status, Page: agentgate.Page{Limit: 1}}); err != nil || total != want {
				t.Errorf("%s: total %d (%v), want %d", status, total, err, want)
			}
		}
	})
}
