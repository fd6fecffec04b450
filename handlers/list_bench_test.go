package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/handlers"
	"github.com/agentgate/agentgate/internal/testenv"
)

// BenchmarkListPending measures GET /api/requests?status=pending&limit=50 over 50,000
// pending requests through the whole stack (auth, query, count, JSON), no network, 16
// callers: the listing of issue 9's load run.
func BenchmarkListPending(b *testing.B) {
	for _, d := range dbtest.Dialects() {
		b.Run(d, func(b *testing.B) {
			ctx := context.Background()
			g := ag.NewGate(dbtest.Open(b, d), ag.Options{})
			secret, err := g.BootstrapKey(ctx, "bench", false)
			if err != nil {
				b.Fatal(err)
			}
			seedPendingRequests(b, g, 50_000)
			serveParallel(b, handlers.New(g, handlers.Config{}), http.MethodGet, "/api/requests?status=pending&limit=50", "", secret, http.StatusOK, nil)
		})
	}
}

// serveParallel measures one call through h from 16 callers (8 per CPU on two CPUs, as the
// load test's 16 connections), failing unless each answers want. Each request is first
// passed to prepare when it is not nil. Besides the time it reports cpu-µs/op, the
// process's CPU time (every goroutine's, the collector's included) per call.
func serveParallel(b *testing.B, h http.Handler, method, path, body, secret string, want int, prepare func(*http.Request)) {
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	cpu := testenv.CPUTime()
	defer func() { b.ReportMetric(float64((testenv.CPUTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op") }()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			req.Header.Set("Authorization", "Bearer "+secret)
			if prepare != nil {
				prepare(req)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != want {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			_, _ = io.Copy(io.Discard, rec.Body)
		}
	})
}

// seedPendingRequests submits n requests that no policy decides, from 16 callers.
func seedPendingRequests(b *testing.B, g *ag.Gate, n int) {
	in := ag.NewRequest{Action: "deploy", Urgency: "normal",
		Params:  []byte(`{"service":"billing","version":"2026.03.1","replicas":3,"regions":["eu-west-1","us-east-1"]}`),
		Context: []byte(`{"agent":"release-bot","run":42}`)}
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := w; i < n; i += 16 {
				if _, err := g.Submit(context.Background(), ag.Actor{Name: "agent"}, in); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
