package handlers

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	ag "github.com/agentgate/agentgate"
)

// metrics are the Prometheus series the HTTP layer keeps (the gate's are package
// metrics', registered on the same registry by whoever builds the gate).
type metrics struct {
	reg      *prometheus.Registry
	duration *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		reg: reg,
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "agentgate_http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by route, method and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .5, 1, 5, 30, 60},
		}, []string{"route", "method", "status"}),
	}
	reg.MustRegister(m.duration, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe records one served request. route is the pattern the router matched (c.Path),
// never the raw path; the method is reduced to a fixed set. Both come from the client, and
// every distinct label value is a series /metrics keeps for the life of the process.
func (m *metrics) observe(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.duration.WithLabelValues(route, methodLabel(method), strconv.Itoa(status)).Observe(d.Seconds())
}

// methodLabel is method if it is one the server routes, and "other" for anything else.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}

func (m *metrics) handler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
}

// Error codes of /metrics with METRICS_TOKEN set.
const (
	codeMissingMetricsToken = "missing_metrics_token"
	codeInvalidMetricsToken = "invalid_metrics_token"
)

// metricsAuth asks for METRICS_TOKEN as a bearer token when one is set. The token's and
// the caller's SHA-256 are compared in constant time, so neither its bytes nor its length
// leak through timing; a wrong one counts against the address as a wrong API key does.
func (s *Server) metricsAuth(next echo.HandlerFunc) echo.HandlerFunc {
	if s.cfg.MetricsToken == "" {
		return next
	}
	want := sha256.Sum256([]byte(s.cfg.MetricsToken))
	return func(c echo.Context) error {
		addr := c.RealIP()
		if wait := s.backoff.wait(addr); wait > 0 {
			return tooManyFailures(c, wait)
		}
		token, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
		if !ok {
			return ag.Errorf(ag.KindUnauthorized, codeMissingMetricsToken, "send the METRICS_TOKEN as \"Authorization: Bearer ...\"")
		}
		got := sha256.Sum256([]byte(strings.TrimSpace(token)))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			s.backoff.fail(addr)
			return ag.Errorf(ag.KindUnauthorized, codeInvalidMetricsToken, "that is not the METRICS_TOKEN")
		}
		return next(c)
	}
}
