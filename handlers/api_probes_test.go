package handlers_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestAPIProbes(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		e.submit(e.admin, `{"action":"deploy"}`)
		var health, ready map[string]any
		// No key needed, and a bad one is not held against the caller.
		e.must(http.StatusOK, http.MethodGet, "/health", "", nil, &health)
		e.must(http.StatusOK, http.MethodGet, "/ready", "agk_wrong", nil, &ready)
		if health["status"] != "ok" || health["timestamp"] != "2026-03-02T09:30:15Z" {
			t.Errorf("health = %v", health)
		}
		if checks, _ := ready["checks"].(map[string]any); ready["status"] != "ok" || checks["database"] != "ok" {
			t.Errorf("ready = %v", ready)
		}
		res := e.must(http.StatusOK, http.MethodGet, "/metrics", "", nil, nil)
		for _, s := range []string{
			`agentgate_http_request_duration_seconds_count{method="POST",route="/api/requests",status="201"} 1`,
			`agentgate_requests_total{action="other",outcome="route_to_human"} 1`,
			`go_goroutines`,
		} {
			if !strings.Contains(string(res.body), s) {
				t.Errorf("/metrics lacks %s", s)
			}
		}
	})
}

// TestAPIRequestIDs: every response carries X-Request-ID, a sane incoming one is kept and
// anything else is replaced.
func TestAPIRequestIDs(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		big := strings.Repeat("a", 1<<20+1)
		seen := map[string]bool{}
		for _, c := range []struct {
			method, path, secret string
			body                 any
			status               int
		}{
			{"GET", "/health", "", nil, 200},
			{"GET", "/ready", "", nil, 200},
			{"GET", "/metrics", "", nil, 200},
			{"GET", "/api/requests", e.admin, nil, 200},
			{"POST", "/api/requests", e.admin, `{"action":"x"}`, 201},
			{"GET", "/api/requests", "", nil, 401},
			{"GET", "/api/api-keys", e.admin[:len(e.admin)-1] + "x", nil, 401},
			{"POST", "/api/requests", e.admin, `{`, 400},
			{"GET", "/api/requests/req_nope", e.admin, nil, 404},
			{"POST", "/api/requests", e.admin, big, 413},
		} {
			res := e.call(c.method, c.path, c.secret, c.body)
			res.want(t, c.status)
			id := res.header.Get("X-Request-ID")
			if len(id) != 16 || seen[id] {
				t.Errorf("%s %s: X-Request-ID %q, want a new 16-character id", c.method, c.path, id)
			}
			seen[id] = true
		}

		for _, c := range []struct{ sent, kept string }{
			{"trace-0af7651916cd43dd_8448.eb211c80319c", "trace-0af7651916cd43dd_8448.eb211c80319c"},
			{strings.Repeat("a", 64), strings.Repeat("a", 64)},
			{strings.Repeat("a", 65), ""},
			{"has spaces", ""},
			{"<script>", ""},
			{"ünïcode", ""},
		} {
			for _, path := range []string{"/health", "/api/requests"} {
				res := e.call(http.MethodGet, path, e.admin, nil, "X-Request-ID", c.sent)
				got := res.header.Get("X-Request-ID")
				if (c.kept != "" && got != c.kept) || (c.kept == "" && (got == c.sent || len(got) != 16)) {
					t.Errorf("%s with X-Request-ID %q: got %q", path, c.sent, got)
				}
			}
		}
	})
}
