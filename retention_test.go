package agentgate_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/webhook"
)

// TestRetention: Run's hourly sweep deletes a delivery finished longer ago than the
// retention period, by the gate's clock, and keeps the request and its audit trail; a gate
// without a retention period deletes nothing.
func TestRetention(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		// The clock starts now: ids carry the time they were made, and other tests have
		// made ids at the real time already.
		clock := &testClock{t: time.Now().UTC().Truncate(time.Microsecond)}
		pruned := make(chan struct{}, 1)
		log := slog.New(onMessage{"Deleted deliveries older than the retention period.", pruned})
		g := ag.NewGate(s, ag.Options{Clock: clock, Logger: log, Retention: 30 * 24 * time.Hour})
		if _, err := g.CreatePolicy(bg, alice, rulesPolicy(t, `[{"match":{"action":"deploy"},"decision":"auto_approve"}]`)); err != nil {
			t.Fatal(err)
		}
		recv := newReceiver(t)
		url := recv.URL + "/hook"
		if _, _, err := g.CreateWebhook(bg, alice, ag.WebhookInput{URL: &url, Events: []string{ag.EventRequestApproved}}); err != nil {
			t.Fatal(err)
		}
		attempted := make(chan string, 1)
		d := g.Dispatcher(map[ag.ChannelKind]ag.Sender{ag.ChannelWebhook: webhook.NewSender(g.WebhookTarget, webhook.Options{AllowPrivate: true})},
			ag.DispatcherOptions{OnAttempt: func(d ag.Delivery, _ ag.DeliveryAttempt) { attempted <- d.ID }})
		ctx, cancel := context.WithCancel(bg)
		var running sync.WaitGroup
		t.Cleanup(func() { cancel(); running.Wait() })
		running.Go(func() { d.Run(ctx) })
		r, err := g.Submit(bg, agent, ag.NewRequest{Action: "deploy"})
		if err != nil {
			t.Fatal(err)
		}
		var id string
		select {
		case id = <-attempted:
		case <-time.After(30 * time.Second):
			t.Fatal("the delivery was not attempted")
		}
		trail, _ := g.RequestAudit(bg, r.ID)

		clock.Advance(31 * 24 * time.Hour)
		keeper := ag.NewGate(s, ag.Options{Clock: clock, Logger: slog.New(slog.DiscardHandler)})
		if n, err := keeper.Prune(bg); n != 0 || err != nil {
			t.Fatalf("without a retention period Prune deleted %d, %v", n, err)
		}
		running.Go(func() { g.Run(ctx, time.Millisecond) })
		select {
		case <-pruned:
		case <-time.After(30 * time.Second):
			t.Fatal("Run did not prune")
		}
		if _, err := s.GetDelivery(bg, id); !errors.Is(err, ag.ErrNotFound) {
			t.Fatalf("the delivery outlived the retention period: %v", err)
		}
		if got, err := g.Get(bg, r.ID); err != nil || got.Status != ag.StatusApproved {
			t.Fatalf("the request after pruning: %+v, %v", got, err)
		}
		if after, _ := g.RequestAudit(bg, r.ID); len(after) != len(trail) || len(trail) == 0 {
			t.Fatalf("audit trail of %d events became %d", len(trail), len(after))
		}
	})
}

// onMessage is a log handler that signals ch when a record with message msg is logged.
type onMessage struct {
	msg string
	ch  chan<- struct{}
}

func (h onMessage) Enabled(context.Context, slog.Level) bool { return true }
func (h onMessage) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h onMessage) WithGroup(string) slog.Handler            { return h }
func (h onMessage) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		select {
		case h.ch <- struct{}{}:
		default:
		}
	}
	return nil
}

// TestRetentionBoundsDecisionLinks: expired decision links go a week after they expire,
// or sooner when the retention period is shorter.
func TestRetentionBoundsDecisionLinks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		clock := &testClock{t: t0}
		week := ag.NewGate(s, ag.Options{Clock: clock})
		twoDays := ag.NewGate(s, ag.Options{Clock: clock, Retention: 48 * time.Hour})
		r := submit(t, week, ag.NewRequest{Action: "deploy"})
		links := issueLinks(t, week, emailDelivery(r, "dlv_ret", "ana@example.com"))
		clock.Advance(time.Hour + 3*24*time.Hour) // the links expired with the request, three days ago

		week.ForgetDecisionLinks(bg)
		if _, err := week.OpenLink(bg, links.Approve); ag.ErrorCode(err) != "link_expired" {
			t.Fatalf("after a week's sweep the link answers %v; want it kept, expired", err)
		}
		twoDays.ForgetDecisionLinks(bg)
		if _, err := twoDays.OpenLink(bg, links.Approve); ag.ErrorCode(err) != "link_unknown" {
			t.Fatalf("after a two-day retention's sweep the link answers %v; want it gone", err)
		}
	})
}
