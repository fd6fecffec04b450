package db_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/internal/testenv"
)

// BenchmarkCreateRequestParallel measures durable writes of one request and one audit event
// from many concurrent callers, as an HTTP server has them.
func BenchmarkCreateRequestParallel(b *testing.B) {
	for _, d := range dbtest.Dialects() {
		b.Run(d, func(b *testing.B) {
			s := dbtest.Open(b, d)
			ctx := context.Background()
			b.SetParallelism(benchCallers) // callers per CPU
			cpu0 := testenv.CPUTime()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					now := time.Now().UTC()
					r := newRequest(agentgate.NewID("req", now), now)
					ev := agentgate.AuditEvent{ID: agentgate.NewID("evt", now), RequestID: r.ID, Action: r.Action,
						EventType: agentgate.EventRequestCreated, Actor: "bot", ActorType: agentgate.ActorAPIKey,
						OWASP: agentgate.DefaultOWASP, Details: []byte(`{"decision":"route_to_human"}`), CreatedAt: now}
					if err := s.CreateRequest(ctx, r, agentgate.Effects{Events: []agentgate.AuditEvent{ev}}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			b.ReportMetric(float64(b.N)/float64(db.Batches(s)), "ops/batch")
			// CPU time per write, which other load on a shared machine disturbs less.
			b.ReportMetric(float64((testenv.CPUTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// BenchmarkListPending lists the first page of 50 pending requests, with the total, among
// 50,000 pending requests.
func BenchmarkListPending(b *testing.B) {
	for _, d := range dbtest.Dialects() {
		s := dbtest.Open(b, d)
		seedPending(b, s, 50_000)
		for _, sort := range []string{agentgate.SortNewest, agentgate.SortUrgency} {
			b.Run(d+"/"+sort, func(b *testing.B) {
				f := agentgate.RequestFilter{Status: agentgate.StatusPending, Sort: sort, Page: agentgate.Page{Limit: 50}}
				times := make([]time.Duration, 0, b.N)
				b.ResetTimer()
				for b.Loop() {
					start := time.Now()
					list, total, err := s.ListRequests(context.Background(), f)
					times = append(times, time.Since(start))
					if err != nil || len(list) != 50 || total != 50_000 {
						b.Fatalf("got %d of %d, %v", len(list), total, err)
					}
				}
				slices.Sort(times)
				b.ReportMetric(float64(times[len(times)/2].Microseconds()), "p50-µs")
				b.ReportMetric(float64(times[len(times)*99/100].Microseconds()), "p99-µs")
			})
		}
	}
}

// seedPending inserts n pending requests, one second apart, in one transaction.
func seedPending(b testing.TB, s *db.Store, n int) {
	b.Helper()
	urgencies := []agentgate.Urgency{agentgate.UrgencyLow, agentgate.UrgencyNormal, agentgate.UrgencyHigh, agentgate.UrgencyCritical}
	rs := make([]*agentgate.Request, n)
	for i := range rs {
		at := t0.Add(time.Duration(i) * time.Second)
		rs[i] = newRequest(fmt.Sprintf("req_%08d", i), at)
		rs[i].Urgency = urgencies[i%4]
	}
	if err := db.BulkInsertRequests(s, rs); err != nil {
		b.Fatal(err)
	}
}

// benchCallers is how many concurrent callers per CPU the write benchmark runs: 8 on two
// CPUs matches the 16 connections of the HTTP load test.
var benchCallers = 8
