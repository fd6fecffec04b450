package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// BenchmarkSearchRequests searches 100,000 requests (one in ten pending) for text in their
// params, context or requester, as the dashboard's queue does: a page of 25 with its
// total, on every status and on the pending tab (10,000 requests), for a rare word, a word
// in no request and one in every request. A search reads the newest SearchWindow of its
// status, so "rare" matches one request of the ten that hold it.
func BenchmarkSearchRequests(b *testing.B) {
	const n = 100_000
	for _, d := range dbtest.Dialects() {
		s := dbtest.Open(b, d)
		seedSearchable(b, s, n)
		for _, tc := range []struct {
			name string
			f    agentgate.RequestFilter
			at   int // requests that match within the window
		}{
			{"all/rare", agentgate.RequestFilter{Query: "northwind-17."}, 1},
			{"pending/rare", agentgate.RequestFilter{Status: agentgate.StatusPending, Query: "northwind-17."}, 10},
			{"all/none", agentgate.RequestFilter{Query: "no such words"}, 0},
			{"all/common", agentgate.RequestFilter{Query: "invoice"}, n},
		} {
			b.Run(d+"/"+tc.name, func(b *testing.B) {
				f := tc.f
				f.Page = agentgate.Page{Limit: 25}
				times := make([]time.Duration, 0, b.N)
				for b.Loop() {
					start := time.Now()
					_, total, err := s.ListRequests(context.Background(), f)
					times = append(times, time.Since(start))
					if err != nil || (tc.at < n && total != tc.at && f.Status == "") {
						b.Fatalf("total %d, want %d: %v", total, tc.at, err)
					}
				}
				slices.Sort(times)
				b.ReportMetric(float64(times[len(times)/2].Microseconds()), "p50-µs")
			})
		}
	}
}

// seedSearchable inserts n requests with params and context of a realistic size (~150
// bytes); request i's recipient is at northwind-<i % 10,000>.example.
func seedSearchable(b testing.TB, s *db.Store, n int) {
	b.Helper()
	rs := make([]*agentgate.Request, n)
	for i := range rs {
		r := newRequest(fmt.Sprintf("req_%08d", i), t0.Add(time.Duration(i)*time.Second))
		r.Params, _ = json.Marshal(map[string]any{"to": fmt.Sprintf("billing@northwind-%d.example", i%10_000),
			"subject": fmt.Sprintf("Invoice %d for March", i), "amount": i % 5000, "currency": "EUR"})
		r.Context, _ = json.Marshal(map[string]any{"conversation": fmt.Sprintf("c-%d", i), "model": "gpt-agent-2"})
		r.CreatedBy = fmt.Sprintf("agent-%d", i%20)
		if i%10 != 0 {
			r.Status = agentgate.StatusApproved
		}
		rs[i] = r
	}
	if err := db.BulkInsertRequests(s, rs); err != nil {
		b.Fatal(err)
	}
}
