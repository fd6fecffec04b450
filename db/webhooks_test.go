package db_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

func newWebhook(id string, at time.Time) *agentgate.Webhook {
	return &agentgate.Webhook{ID: id, URL: "https://hooks.example.com/" + id, Description: "ops", Events: []string{"request.created", "*"},
		Enabled: true, Secret: "whsec_" + id, CreatedAt: at, UpdatedAt: at}
}

// A webhook reads back as written, secrets and all; a change replaces its fields.
func TestWebhookRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		w := newWebhook("wh_1", t0)
		if err := s.CreateWebhook(ctx, w, newEvent(nil, agentgate.EventWebhookCreated, "admin", t0)); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetWebhook(ctx, "wh_1", time.Time{})
		if err != nil || !reflect.DeepEqual(got, w) {
			t.Fatalf("read back %+v, %v\nwant %+v", got, err, w)
		}
		until := t0.Add(agentgate.SecretGrace)
		w.URL, w.Events, w.Enabled, w.Secret, w.PreviousSecret, w.PreviousExpiresAt = "http://x.example.com/", []string{"test"}, false, "whsec_new", w.Secret, &until
		if err := s.UpdateWebhook(ctx, w, newEvent(nil, agentgate.EventWebhookUpdated, "admin", t0)); err != nil {
			t.Fatal(err)
		}
		all, err := s.AllWebhooks(ctx)
		if err != nil || len(all) != 1 || !reflect.DeepEqual(&all[0], w) {
			t.Fatalf("after an update: %+v, %v", all, err)
		}
		withHealth, err := s.GetWebhook(ctx, "wh_1", t0)
		if err != nil || withHealth.Health == nil || withHealth.Health.LastAttemptAt != nil {
			t.Fatalf("health of a webhook never attempted: %+v, %v", withHealth, err)
		}
		if err := s.UpdateWebhook(ctx, newWebhook("wh_gone", t0), newEvent(nil, agentgate.EventWebhookUpdated, "admin", t0)); !errors.Is(err, agentgate.ErrNotFound) {
			t.Fatalf("updating a missing webhook: %v", err)
		}
		if err := s.DeleteWebhook(ctx, "wh_1", t0, newEvent(nil, agentgate.EventWebhookDeleted, "admin", t0)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetWebhook(ctx, "wh_1", time.Time{}); !errors.Is(err, agentgate.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
		if err := s.DeleteWebhook(ctx, "wh_1", t0, newEvent(nil, agentgate.EventWebhookDeleted, "admin", t0)); !errors.Is(err, agentgate.ErrNotFound) {
			t.Fatalf("deleting twice: %v", err)
		}
	})
}

// Every webhook change tells the other instances on PostgreSQL, whose gates then reload.
func TestWebhookChangesNotify(t *testing.T) {
	if os.Getenv(dbtest.PostgresURLEnv) == "" {
		t.Skipf("%s is not set", dbtest.PostgresURLEnv)
	}
	s := dbtest.Open(t, db.DialectPostgres)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 100)
	go func() { _ = s.Listen(ctx, func(topic, id string) { got <- topic }) }()
	bg := context.Background()
	heard := func(what string) {
		t.Helper()
		select {
		case topic := <-got:
			if topic != db.TopicWebhooks {
				t.Fatalf("after %s: %q, want %q", what, topic, db.TopicWebhooks)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("nothing heard after %s", what)
		}
	}
	// Listen gives no ready signal: create webhooks until one is heard.
	for i := 0; ; i++ {
		w := newWebhook("wh_"+string(rune('a'+i%26))+time.Duration(i).String(), t0)
		if err := s.CreateWebhook(bg, w, newEvent(nil, agentgate.EventWebhookCreated, "admin", t0)); err != nil {
			t.Fatal(err)
		}
		select {
		case topic := <-got:
			if topic != db.TopicWebhooks {
				t.Fatalf("first notification %q", topic)
			}
		case <-time.After(100 * time.Millisecond):
			if i < 100 {
				continue
			}
			t.Fatal("Listen never heard a webhook change")
		}
		w.Enabled = false
		if err := s.UpdateWebhook(bg, w, newEvent(nil, agentgate.EventWebhookUpdated, "admin", t0)); err != nil {
			t.Fatal(err)
		}
		heard("an update")
		if err := s.DeleteWebhook(bg, w.ID, t0, newEvent(nil, agentgate.EventWebhookDeleted, "admin", t0)); err != nil {
			t.Fatal(err)
		}
		heard("a delete")
		return
	}
}
