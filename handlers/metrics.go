package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus series the HTTP layer keeps.
type metrics struct {
	reg      *prometheus.Registry
	duration *prometheus.HistogramVec
	outcomes *prometheus.CounterVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		reg: reg,
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "agentgate_http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by route, method and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .5, 1, 5, 30, 60},
		}, []string{"route", "method", "status"}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentgate_gate_outcomes_total",
			Help: "Requests submitted, by the policy engine's decision.",
		}, []string{"decision"}),
	}
	reg.MustRegister(m.duration, m.outcomes, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
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

func (m *metrics) gateOutcome(decision string) { m.outcomes.WithLabelValues(decision).Inc() }

func (m *metrics) handler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
}
