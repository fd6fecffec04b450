package agentgate_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/webhook"
)

// BenchmarkDispatch measures the dispatcher's throughput on SQLite: due deliveries claimed,
// posted to a receiver on loopback (which answers 204 at once), and recorded, by the
// default eight workers. The deliveries are written before the clock starts.
func BenchmarkDispatch(b *testing.B) {
	const perRound = 5000
	ctx := context.Background()
	store := dbtest.Open(b, "sqlite")
	log := slog.New(slog.DiscardHandler)
	g := ag.NewGate(store, ag.Options{Logger: log})
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	url := recv.URL
	hook, _, err := g.CreateWebhook(ctx, ag.SystemActor, ag.WebhookInput{URL: &url, Events: []string{"*"}})
	if err != nil {
		b.Fatal(err)
	}
	data, _ := json.Marshal(map[string]any{"id": "req_bench", "action": "read_file", "params": map[string]any{"path": "/srv/app/README.md"}})
	var attempted atomic.Int64
	round := make(chan struct{}, 1)
	d := g.Dispatcher(map[ag.ChannelKind]ag.Sender{ag.ChannelWebhook: webhook.NewSender(g.WebhookTarget, webhook.Options{AllowPrivate: true})}, ag.DispatcherOptions{
		OnAttempt: func(ag.Delivery, ag.DeliveryAttempt) {
			if attempted.Add(1)%perRound == 0 {
				round <- struct{}{}
			}
		}})
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go d.Run(runCtx)
	<-d.Started()
	var elapsed time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		now := g.Now()
		notices := make([]ag.Notice, perRound)
		for i := range notices {
			notices[i] = ag.Notice{ID: ag.NewID("ntc", now), Data: data, CreatedAt: now, Deliveries: []ag.Delivery{
				{ID: ag.NewID("dlv", now), Channel: ag.ChannelWebhook, Target: hook.ID, Event: ag.EventRequestCreated}}}
		}
		if err := store.EnqueueNotices(ctx, notices); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		d.Wake()
		<-round
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(b.N*perRound)/elapsed.Seconds(), "deliveries/s")
}
