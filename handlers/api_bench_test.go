package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/handlers"
	"github.com/agentgate/agentgate/metrics"
)

const gateCheckBody = `{"action":"read_file","params":{"path":"/srv/app/README.md","bytes":4096},"context":{"agent":"bench","run":42},"urgency":"low"}`

// BenchmarkGateCheck measures the auto-approved gate check through the whole stack (HTTP
// handler, policy engine, SQLite group commit), without a network in between.
func BenchmarkGateCheck(b *testing.B) { benchGateCheck(b, nil) }

// BenchmarkGateCheckIdempotent is the gate check with a new Idempotency-Key on every call,
// as the Go client sends: the price of the record beside the request.
func BenchmarkGateCheckIdempotent(b *testing.B) {
	var n atomic.Int64
	benchGateCheck(b, func(req *http.Request) {
		req.Header.Set("Idempotency-Key", "bench-"+strconv.FormatInt(n.Add(1), 10))
	})
}

// benchGateCheck runs gate checks in parallel, each request first passed to prepare when
// it is not nil.
func benchGateCheck(b *testing.B, prepare func(*http.Request)) {
	ctx := context.Background()
	reg := prometheus.NewRegistry() // the gate's metrics, as serve wires them
	g := ag.NewGate(dbtest.Open(b, "sqlite"), ag.Options{Observer: metrics.New(reg)})
	secret, err := g.BootstrapKey(ctx, "bench", false)
	if err != nil {
		b.Fatal(err)
	}
	p := ag.Policy{Name: "bench", Enabled: true, Rules: []ag.Rule{{Match: map[string]json.RawMessage{"action": json.RawMessage(`"read_file"`)}, Decision: ag.AutoApprove}}}
	if _, err := g.CreatePolicy(ctx, ag.Actor{Name: "bench"}, p); err != nil {
		b.Fatal(err)
	}
	serveParallel(b, handlers.New(g, handlers.Config{Registry: reg}), http.MethodPost, "/api/requests", gateCheckBody, secret, http.StatusCreated, prepare)
}

// BenchmarkDecisionToWaiter measures, over real HTTP on loopback, the time from a decide
// call's response to the return of an agent's GET ?wait= long-poll on the same request.
func BenchmarkDecisionToWaiter(b *testing.B) {
	ctx := context.Background()
	g := ag.NewGate(dbtest.Open(b, "sqlite"), ag.Options{})
	secret, err := g.BootstrapKey(ctx, "bench", false)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(handlers.New(g, handlers.Config{}))
	defer srv.Close()
	call := func(method, path, body string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	lat := make([]time.Duration, 0, b.N)
	for range b.N {
		r, err := g.Submit(ctx, ag.Actor{Name: "agent"}, ag.NewRequest{Action: "deploy"})
		if err != nil {
			b.Fatal(err)
		}
		woke, stop := g.Broker().Wait(r.ID) // to know the long-poll below is parked
		done := make(chan time.Time)
		go func() {
			res := call(http.MethodGet, "/api/requests/"+r.ID+"?wait=30s", "")
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			done <- time.Now()
		}()
		waitParked(g, r.ID)
		res := call(http.MethodPost, "/api/requests/"+r.ID+"/decide", `{"decision":"approved"}`)
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		decided := time.Now()
		lat = append(lat, (<-done).Sub(decided))
		<-woke
		stop()
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// waitParked returns once someone besides the benchmark waits on id.
func waitParked(g *ag.Gate, id string) {
	for g.Broker().Waiters(id) < 2 {
		runtime.Gosched()
	}
}
