package handlers_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

var (
	durationSeries = regexp.MustCompile(`(?m)^agentgate_http_request_duration_seconds_count\{([^}]*)\}`)
	metricLabel    = regexp.MustCompile(`(\w+)="([^"]*)"`)
)

// TestMetricsLabelsStayBounded sends requests with made-up methods to made-up paths: the
// labels of /metrics must come from a fixed set (methods) and the route table (routes),
// never from what the client wrote, or every such request would add a series for good.
func TestMetricsLabelsStayBounded(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		var tokens []string
		for i := range 50 {
			tok := fmt.Sprintf("Z%dQ%08X", i, rand.Uint32())
			tokens = append(tokens, tok)
			path := []string{"/api/" + tok, "/api/requests/" + tok, "/" + tok, "/requests/" + tok, "/static/" + tok}[i%5]
			e.call(tok, path, e.admin, nil)
		}
		e.must(http.StatusOK, http.MethodGet, "/api/requests", e.admin, nil, nil)
		body := string(e.must(http.StatusOK, http.MethodGet, "/metrics", "", nil, nil).body)

		series := durationSeries.FindAllStringSubmatch(body, -1)
		methods, routes := map[string]bool{}, map[string]bool{}
		for _, s := range series {
			for _, l := range metricLabel.FindAllStringSubmatch(s[1], -1) {
				switch l[1] {
				case "method":
					methods[l[2]] = true
				case "route":
					routes[l[2]] = true
				}
			}
		}
		allowed := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}
		for m := range methods {
			if !slices.Contains(allowed, m) {
				t.Errorf("method label %q is not one of %v", m, allowed)
			}
		}
		if !methods["other"] || !methods["GET"] {
			t.Errorf("method labels %v lack other or GET", methods)
		}
		for r := range routes {
			for _, tok := range tokens {
				if strings.Contains(r, tok) {
					t.Errorf("route label %q holds the raw path", r)
				}
			}
		}
		if len(series) > 12 {
			t.Errorf("%d request series after 50 made-up requests; labels are not bounded:\n%v", len(series), series)
		}
	})
}

// TestMetricsMoveWithTheGate: the gate's series move as requests arrive, are decided,
// are refused by a rate limit and are delivered; actions a policy names have their own
// label and the rest share "other"; the gauges are read from the database at the scrape.
func TestMetricsMoveWithTheGate(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		e.must(http.StatusCreated, http.MethodPost, "/api/policies", e.admin, `{"name":"mail","rules":[
			{"match":{"action":"send_email"},"decision":"auto_approve"},
			{"match":{"$any":[{"action":{"$in":["deploy","rollback"]}}]},"decision":"route_to_human"}]}`, nil)
		receiver := answering(t, http.StatusOK)
		e.createWebhook(`{"url":"` + receiver.URL + `","events":["request.created"]}`)

		e.submit(e.admin, `{"action":"send_email"}`)
		deploy := e.submit(e.admin, `{"action":"deploy","urgency":"high"}`)
		e.submit(e.admin, `{"action":"made_up_`+fmt.Sprint(rand.Uint32())+`"}`)
		e.wantMetrics(
			`agentgate_requests_total{action="send_email",outcome="auto_approve"} 1`,
			`agentgate_requests_total{action="deploy",outcome="route_to_human"} 1`,
			`agentgate_requests_total{action="other",outcome="route_to_human"} 1`,
			`agentgate_gate_check_duration_seconds_count 3`,
			`agentgate_pending_requests{urgency="high"} 1`,
			`agentgate_pending_requests{urgency="normal"} 1`,
			`agentgate_outbox_backlog{channel="webhook"} 2`,
		)

		e.setTime(apiT0.Add(90 * time.Second))
		e.must(http.StatusOK, http.MethodPost, "/api/requests/"+deploy.ID+"/decide", e.admin, `{"decision":"approved"}`, nil)
		limited, _ := e.newKey("limited", ptr(1), ag.ScopeRequestRead)
		e.must(http.StatusOK, http.MethodGet, "/api/requests", limited, nil, nil)
		e.call(http.MethodGet, "/api/requests", limited, nil).wantError(t, http.StatusTooManyRequests, "rate_limited")
		e.wantMetrics(
			`agentgate_time_to_decision_seconds_count{status="approved"} 1`,
			`agentgate_time_to_decision_seconds_sum{status="approved"} 90`,
			`agentgate_pending_requests{urgency="high"} 0`,
			`agentgate_rate_limited_total 1`,
		)

		attempts := make(chan string, 10)
		runDispatcher(t, e.gate, func(id string) { attempts <- id })
		for range 2 {
			select {
			case <-attempts:
			case <-time.After(time.Minute):
				t.Fatal("the deliveries were not attempted")
			}
		}
		e.wantMetrics(
			`agentgate_outbox_attempts_total{channel="webhook",result="delivered"} 2`,
			`agentgate_outbox_backlog{channel="webhook"} 0`,
		)
	})
}

// wantMetrics scrapes /metrics and fails the test for each line it lacks.
func (e *apiEnv) wantMetrics(lines ...string) {
	e.t.Helper()
	body := string(e.must(http.StatusOK, http.MethodGet, "/metrics", "", nil, nil).body)
	for _, l := range lines {
		if !slices.Contains(strings.Split(body, "\n"), l) {
			e.t.Errorf("/metrics lacks %s", l)
		}
	}
	if e.t.Failed() {
		e.t.Logf("/metrics:\n%s", grepLines(body, "agentgate_"))
	}
}

// grepLines returns the lines of s that start with prefix.
func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) && !strings.Contains(l, "_bucket{") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// With METRICS_TOKEN set, /metrics wants it as a bearer token, and says so as every API
// 401 does; the probes stay open.
func TestMetricsToken(t *testing.T) {
	eachAPIWith(t, apiOptions{metricsToken: "scrape-secret-1234"}, func(t *testing.T, e *apiEnv) {
		if res := e.call(http.MethodGet, "/metrics", "scrape-secret-1234", nil); res.status != http.StatusOK ||
			!strings.Contains(string(res.body), "go_goroutines") {
			t.Fatalf("with the token: %d", res.status)
		}
		res := e.call(http.MethodGet, "/metrics", "", nil)
		res.wantError(t, http.StatusUnauthorized, "missing_metrics_token")
		if got := res.header.Get("WWW-Authenticate"); got != `Bearer realm="agentgate"` {
			t.Errorf("WWW-Authenticate %q without a token", got)
		}
		for _, wrong := range []string{"scrape-secret-123", "scrape-secret-12345", e.admin} {
			res := e.call(http.MethodGet, "/metrics", wrong, nil)
			res.wantError(t, http.StatusUnauthorized, "invalid_metrics_token")
			if got := res.header.Get("WWW-Authenticate"); !strings.Contains(got, `error="invalid_token"`) {
				t.Errorf("WWW-Authenticate %q with a wrong token", got)
			}
		}
		e.must(http.StatusOK, http.MethodGet, "/health", "", nil, nil)
	})
}
