// Package metrics is AgentGate's Prometheus series beyond the HTTP layer's: what the gate
// does (an agentgate.Observer, told as it happens) and what it holds (read from the
// database when /metrics is scraped). Every label comes from a fixed set or from what
// people configured, never from what a client sent.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentgate/agentgate"
)

// Metrics is the gate's Observer and the collector of its gauges.
type Metrics struct {
	requests   *prometheus.CounterVec
	gateCheck  prometheus.Histogram
	decided    *prometheus.HistogramVec
	rateLimits prometheus.Counter
	deliveries *prometheus.CounterVec
}

var _ agentgate.Observer = (*Metrics)(nil)

// New registers the gate's series on reg. Give it to the gate as Options.Observer, then
// call Watch with the gate for the gauges.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentgate_requests_total",
			Help: "Requests stored, by action (those an enabled policy names, else \"other\") and the policy engine's outcome.",
		}, []string{"action", "outcome"}),
		gateCheck: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "agentgate_gate_check_duration_seconds",
			Help:    "Server time of a gate check that stored a request: validation, policy evaluation and the write.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}),
		decided: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "agentgate_time_to_decision_seconds",
			Help:    "Time from a request's creation to people's decision, by decision.",
			Buckets: []float64{10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400, 259200},
		}, []string{"status"}),
		rateLimits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentgate_rate_limited_total",
			Help: "Calls refused by their API key's rate limit.",
		}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentgate_outbox_attempts_total",
			Help: "Delivery attempts, by channel and result: delivered, pending (to be retried) or failed (for good).",
		}, []string{"channel", "result"}),
	}
	reg.MustRegister(m.requests, m.gateCheck, m.decided, m.rateLimits, m.deliveries)
	return m
}

// RequestCreated counts a stored request and observes its gate check's time.
func (m *Metrics) RequestCreated(action, decision string, took time.Duration) {
	m.requests.WithLabelValues(action, decision).Inc()
	m.gateCheck.Observe(took.Seconds())
}

// RequestDecided observes the time people took to decide a request.
func (m *Metrics) RequestDecided(status agentgate.Status, waited time.Duration) {
	m.decided.WithLabelValues(string(status)).Observe(waited.Seconds())
}

// RateLimited counts a call refused by its key's rate limit.
func (m *Metrics) RateLimited() { m.rateLimits.Inc() }

// DeliveryAttempted counts an attempt at a delivery by its channel and result.
func (m *Metrics) DeliveryAttempted(channel agentgate.ChannelKind, result agentgate.DeliveryStatus) {
	m.deliveries.WithLabelValues(string(channel), string(result)).Inc()
}
