package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentgate/agentgate"
)

// Source is what the gauges read at each scrape; *agentgate.Gate is one.
type Source interface {
	PendingByUrgency(ctx context.Context) (map[agentgate.Urgency]int, error)
	OutboxBacklog(ctx context.Context) (map[agentgate.ChannelKind]int, error)
	Waiting() int
}

// scrapeTimeout bounds the queries of one scrape, well inside Prometheus's default
// scrape timeout of 10 s.
const scrapeTimeout = 3 * time.Second

var (
	pendingDesc = prometheus.NewDesc("agentgate_pending_requests",
		"Requests waiting for people, by urgency.", []string{"urgency"}, nil)
	backlogDesc = prometheus.NewDesc("agentgate_outbox_backlog",
		"Deliveries not yet made (due, or waiting to be retried), by channel.", []string{"channel"}, nil)
	waitingDesc = prometheus.NewDesc("agentgate_waiting_requests",
		"Long-polls (GET /api/requests/:id?wait=) held on this instance now, waiting for a decision.", nil, nil)
)

// Watch registers the gauges read from src at each scrape, from the stored counts rather
// than kept up to date on every change, so that the gate check pays nothing for them and
// every instance reports the same numbers. A read that fails leaves its gauge out of that
// scrape, logged at debug (the store logs an outage itself).
func Watch(reg prometheus.Registerer, src Source, log *slog.Logger) {
	reg.MustRegister(&gauges{src: src, log: log})
}

type gauges struct {
	src Source
	log *slog.Logger
}

func (g *gauges) Describe(ch chan<- *prometheus.Desc) {
	ch <- pendingDesc
	ch <- backlogDesc
	ch <- waitingDesc
}

func (g *gauges) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(waitingDesc, prometheus.GaugeValue, float64(g.src.Waiting()))
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	if pending, err := g.src.PendingByUrgency(ctx); err != nil {
		g.log.Debug("Could not count pending requests for metrics.", "err", err)
	} else {
		for _, u := range agentgate.Urgencies {
			ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue, float64(pending[u]), string(u))
		}
	}
	if backlog, err := g.src.OutboxBacklog(ctx); err != nil {
		g.log.Debug("Could not count the outbox backlog for metrics.", "err", err)
	} else {
		for _, k := range channelKinds {
			ch <- prometheus.MustNewConstMetric(backlogDesc, prometheus.GaugeValue, float64(backlog[k]), string(k))
		}
	}
}

// channelKinds are the channels the backlog reports, each every time (0 when empty), so
// that a series does not vanish when its backlog clears.
var channelKinds = []agentgate.ChannelKind{agentgate.ChannelWebhook, agentgate.ChannelEmail, agentgate.ChannelSlack, agentgate.ChannelDiscord}
