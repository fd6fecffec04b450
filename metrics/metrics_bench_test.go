package metrics_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/metrics"
)

// BenchmarkObserveGateCheck is what metrics add to one gate check: the action's label, a
// counter and a histogram (the gate also reads the monotonic clock twice). The gate check
// as a whole is BenchmarkGateCheck in package handlers.
func BenchmarkObserveGateCheck(b *testing.B) {
	set, err := ag.CompilePolicies([]ag.Policy{{ID: "pol_1", Name: "bench", Enabled: true, Rules: []ag.Rule{
		{Match: map[string]json.RawMessage{"action": json.RawMessage(`"read_file"`)}, Decision: ag.AutoApprove}}}})
	if err != nil {
		b.Fatal(err)
	}
	m := metrics.New(prometheus.NewRegistry())
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			began := time.Now()
			m.RequestCreated(set.ActionLabel("read_file"), ag.AutoApprove, time.Since(began))
		}
	})
}
