package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentgate/agentgate/db/dbtest"
)

// BenchmarkCrossInstanceWake runs three serve processes on one PostgreSQL database and
// measures how long after a person's decision is sent to B an agent long-polling on A has
// its answer. Beside it, in the same run, the same on one instance (decision and wait on
// A): the in-process wake-up that the cross-instance one adds PostgreSQL's notice to.
// Run it with a fixed count, such as -benchtime 200x; p50-ms and p99-ms are the figures.
func BenchmarkCrossInstanceWake(b *testing.B) {
	s := startInstances(b, dbtest.PostgresURL(b), 3)
	a := s[0]
	for _, tc := range []struct {
		name    string
		decider *server
	}{{"same-instance", a}, {"cross-instance", s[1]}} {
		b.Run(tc.name, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			var times []time.Duration
			for b.Loop() {
				code, body := s[2].call(b, outboxAdminKey, http.MethodPost, "/api/requests", `{"action":"deploy"}`)
				var r struct{ ID string }
				if code != http.StatusCreated || json.Unmarshal([]byte(body), &r) != nil {
					b.Fatalf("create: %d %s", code, body)
				}
				answered := make(chan time.Time, 1)
				go func() {
					req, _ := http.NewRequest(http.MethodGet, a.base+"/api/requests/"+r.ID+"?wait=60s", nil)
					req.Header.Set("Authorization", "Bearer "+outboxAdminKey)
					if res, err := client.Do(req); err == nil {
						_, _ = io.Copy(io.Discard, res.Body)
						res.Body.Close()
					}
					answered <- time.Now()
				}()
				a.waitMetric(b, "agentgate_waiting_requests", 1)
				sent := time.Now()
				decided := make(chan error, 1)
				go func() { decided <- tc.decider.post("/api/requests/"+r.ID+"/decide", `{"decision":"approved"}`) }()
				times = append(times, (<-answered).Sub(sent))
				if err := <-decided; err != nil {
					b.Fatal(err)
				}
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(times[(len(times)*99)/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// post sends an admin POST and fails unless it is answered 200; safe off the test's
// goroutine.
func (s *server) post(path, body string) error {
	req, _ := http.NewRequest(http.MethodPost, s.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+outboxAdminKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		return fmt.Errorf("POST %s: %d %s", path, res.StatusCode, b)
	}
	return nil
}
