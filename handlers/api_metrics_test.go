package handlers_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
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
