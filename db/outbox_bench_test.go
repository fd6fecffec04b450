package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/internal/testenv"
)

// BenchmarkCreateRequestWithOutbox measures what the outbox rows add to a request's write:
// a routed request and its audit event alone, and with the notice and five deliveries that
// five subscribed webhooks cause. Many concurrent callers, as BenchmarkCreateRequestParallel.
func BenchmarkCreateRequestWithOutbox(b *testing.B) {
	for _, d := range dbtest.Dialects() {
		for _, webhooks := range []int{0, 2, 5} {
			b.Run(d+"/"+map[int]string{0: "no-outbox", 2: "notice+2-deliveries", 5: "notice+5-deliveries"}[webhooks], func(b *testing.B) {
				s := dbtest.Open(b, d)
				ctx := context.Background()
				hooks := make([]string, webhooks)
				for i := range hooks {
					hooks[i] = agentgate.NewID("wh", t0)
				}
				b.SetParallelism(benchCallers)
				cpu0 := testenv.CPUTime()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						now := time.Now().UTC()
						r := newRequest(agentgate.NewID("req", now), now)
						fx := agentgate.Effects{Events: []agentgate.AuditEvent{{ID: agentgate.NewID("evt", now), RequestID: r.ID,
							Action: r.Action, EventType: agentgate.EventRequestCreated, Actor: "bot", ActorType: agentgate.ActorAPIKey,
							OWASP: agentgate.DefaultOWASP, Details: []byte(`{"urgency":"normal"}`), CreatedAt: now}}}
						if webhooks > 0 {
							fx.Outbox = []agentgate.Notice{noticeFor(r, now, hooks...)}
						}
						if err := s.CreateRequest(ctx, r, fx); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
				b.ReportMetric(float64(b.N)/float64(db.Batches(s)), "ops/batch")
				b.ReportMetric(float64((testenv.CPUTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
			})
		}
	}
}
