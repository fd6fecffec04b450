package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// hookReceiver is a webhook receiver for serve's deliveries. It counts, by webhook-id, the
// POSTs it answered 2xx, and the request each one told of; while holding, it keeps every
// POST open until released.
type hookReceiver struct {
	*httptest.Server
	mu        sync.Mutex
	status    int                        // the answer, once not holding
	delivered map[string]int             // webhook-id → 2xx answers
	requests  map[string]map[string]bool // webhook-id → request ids in its bodies
	holding   chan struct{}              // closed to release held POSTs; nil: no hold
	arrived   chan string                // every POST's webhook-id, as it arrives
	answered  chan string                // every POST's webhook-id, once answered and counted
}

func newHookReceiver(t *testing.T, status int) *hookReceiver {
	rc := &hookReceiver{status: status, delivered: map[string]int{}, requests: map[string]map[string]bool{},
		arrived: make(chan string, 100000), answered: make(chan string, 100000)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id := r.Header.Get("webhook-id")
		var p struct{ Data struct{ ID string } }
		_ = json.Unmarshal(body, &p)
		rc.arrived <- id
		rc.mu.Lock()
		hold := rc.holding
		rc.mu.Unlock()
		if hold != nil {
			select {
			case <-hold:
			case <-r.Context().Done(): // the sender is gone (killed)
				return
			}
		}
		rc.mu.Lock()
		status := rc.status
		if status < 300 {
			rc.delivered[id]++
			if rc.requests[id] == nil {
				rc.requests[id] = map[string]bool{}
			}
			rc.requests[id][p.Data.ID] = true
		}
		rc.mu.Unlock()
		w.WriteHeader(status)
		rc.answered <- id
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *hookReceiver) set(status int, hold bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.status = status
	if hold && rc.holding == nil {
		rc.holding = make(chan struct{})
	} else if !hold && rc.holding != nil {
		close(rc.holding)
		rc.holding = nil
	}
}

// waitDelivered waits until n distinct webhook-ids were answered 2xx, and returns the
// counts.
func (rc *hookReceiver) waitDelivered(t *testing.T, n int) map[string]int {
	t.Helper()
	deadline := time.After(time.Minute) // shorter than a lease: a claim the restart did not take back fails the test
	for {
		rc.mu.Lock()
		got := len(rc.delivered)
		rc.mu.Unlock()
		if got >= n {
			break
		}
		select {
		case <-rc.answered:
		case <-deadline:
			t.Fatalf("%d of %d deliveries arrived within a minute", got, n)
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for id, reqs := range rc.requests {
		if len(reqs) != 1 {
			t.Fatalf("webhook-id %s told of %d requests: ids are not stable", id, len(reqs))
		}
	}
	out := make(map[string]int, len(rc.delivered))
	for id, c := range rc.delivered {
		out[id] = c
	}
	return out
}

// kill ends the child with SIGKILL: no shutdown, no flush.
func (s *server) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-s.exited
}

const outboxAdminKey = "a-long-admin-secret-value"

// serveEnv is the environment of a serve child that delivers webhooks to loopback.
func serveEnv(databaseURL string) []string {
	return []string{"DATABASE_URL=" + databaseURL, "ADMIN_API_KEY=" + outboxAdminKey, "WEBHOOK_ALLOW_PRIVATE=true"}
}

// subscribe creates a webhook for every event and returns its id.
func (s *server) subscribe(t *testing.T, url string) string {
	t.Helper()
	code, body := s.call(t, outboxAdminKey, http.MethodPost, "/api/webhooks", `{"url":"`+url+`","events":["*"]}`)
	var w struct{ ID string }
	if code != http.StatusCreated || json.Unmarshal([]byte(body), &w) != nil {
		t.Fatalf("create webhook: %d %s", code, body)
	}
	return w.ID
}

// submitRouted creates n requests that wait for a person: n request.created deliveries.
func (s *server) submitRouted(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		if code, body := s.call(t, outboxAdminKey, http.MethodPost, "/api/requests", fmt.Sprintf(`{"action":"deploy","params":{"n":%d}}`, i)); code != http.StatusCreated {
			t.Fatalf("create request: %d %s", code, body)
		}
	}
}

// logIDs returns the webhook's delivery log as id → status, after checking there are want.
func (s *server) logIDs(t *testing.T, webhookID string, want int) map[string]string {
	t.Helper()
	code, body := s.call(t, outboxAdminKey, http.MethodGet, "/api/webhooks/"+webhookID+"/deliveries?limit=200", "")
	var l struct{ Deliveries []agentgate.Delivery }
	if code != http.StatusOK || json.Unmarshal([]byte(body), &l) != nil || len(l.Deliveries) != want {
		t.Fatalf("delivery log: %d, %d deliveries, want %d: %.300s", code, len(l.Deliveries), want, body)
	}
	out := map[string]string{}
	for _, d := range l.Deliveries {
		out[d.ID] = string(d.Status)
	}
	return out
}

// Killed with SIGKILL while deliveries are pending (their first attempts failed) or in
// flight (the receiver holds them open), serve loses nothing: after a restart every event
// arrives, under the webhook-id it had before.
func TestServeKilledLosesNoDelivery(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int  // how the receiver answers before the kill
		hold   bool // whether it holds the POSTs open
	}{
		{"pending after failed attempts", http.StatusServiceUnavailable, false},
		{"attempts in flight", http.StatusOK, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 20
			rc := newHookReceiver(t, tc.status)
			rc.set(tc.status, tc.hold)
			dbURL := filepath.Join(t.TempDir(), "gate.db")
			s := startServer(t, serveEnv(dbURL)...)
			hook := s.subscribe(t, rc.URL)
			s.submitRouted(t, n)
			<-rc.arrived // an attempt is under way (answered 503, or held open)
			s.kill(t)
			rc.set(http.StatusOK, false)

			again := startServer(t, serveEnv(dbURL)...)
			got := rc.waitDelivered(t, n)
			log := again.logIDs(t, hook, n)
			for id, status := range log {
				if got[id] == 0 {
					t.Errorf("delivery %s (%s) never arrived", id, status)
				}
			}
			for id := range got {
				if _, ok := log[id]; !ok {
					t.Errorf("webhook-id %s arrived but is not in the log", id)
				}
			}
			if err := again.stop(t); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Two serve processes on one PostgreSQL database share 1,000 due deliveries: each is
// attempted once, by one of them.
func TestTwoServesShareTheOutbox(t *testing.T) {
	dbURL := dbtest.PostgresURL(t) // skips without AGENTGATE_TEST_POSTGRES_URL
	const n = 1000
	rc := newHookReceiver(t, http.StatusOK)
	ctx := context.Background()
	store, err := db.Open(ctx, dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	hook := &agentgate.Webhook{ID: agentgate.NewID("wh", now), URL: rc.URL, Events: []string{"*"}, Enabled: true,
		Secret: agentgate.NewWebhookSecret(), CreatedAt: now, UpdatedAt: now}
	ev := agentgate.AuditEvent{ID: agentgate.NewID("evt", now), EventType: agentgate.EventWebhookCreated, Actor: "test",
		ActorType: agentgate.ActorSystem, Details: json.RawMessage(`{}`), CreatedAt: now}
	if err := store.CreateWebhook(ctx, hook, ev); err != nil {
		t.Fatal(err)
	}
	// Due a few seconds from now, once both processes are up, so that both claim.
	due := now.Add(3 * time.Second)
	notices := make([]agentgate.Notice, n)
	for i := range notices {
		notices[i] = agentgate.Notice{ID: agentgate.NewID("ntc", due), Data: json.RawMessage(fmt.Sprintf(`{"id":"req_%04d"}`, i)),
			CreatedAt: due, Deliveries: []agentgate.Delivery{{ID: agentgate.NewID("dlv", due), Channel: agentgate.ChannelWebhook,
				Target: hook.ID, Event: agentgate.EventRequestCreated}}}
	}
	if err := store.EnqueueNotices(ctx, notices); err != nil {
		t.Fatal(err)
	}
	a, b := startServer(t, serveEnv(dbURL)...), startServer(t, serveEnv(dbURL)...)
	got := rc.waitDelivered(t, n)
	for _, s := range []*server{a, b} {
		if err := s.stop(t); err != nil {
			t.Fatal(err)
		}
	}
	for id, c := range got {
		if c != 1 {
			t.Errorf("delivery %s arrived %d times", id, c)
		}
	}
	ds, total, err := store.ListDeliveries(ctx, agentgate.DeliveryFilter{Channel: agentgate.ChannelWebhook, Target: hook.ID,
		Page: agentgate.Page{Limit: n}})
	if err != nil || total != n {
		t.Fatalf("log: %d deliveries, %v", total, err)
	}
	for _, d := range ds {
		if d.Status != agentgate.DeliveryDelivered || d.Attempts != 1 || len(d.History) != 1 {
			t.Errorf("delivery %s: %s after %d attempts (%d in the log)", d.ID, d.Status, d.Attempts, len(d.History))
		}
	}
	store.Close()
}

func TestWebhookAllowPrivateSetting(t *testing.T) {
	for _, tc := range []struct {
		value   string
		allow   bool
		warning bool
		err     bool
	}{{"", false, false, false}, {"false", false, false, false}, {"true", true, true, false}, {"1", true, true, false}, {"yes", false, false, true}} {
		env := map[string]string{"WEBHOOK_ALLOW_PRIVATE": tc.value}
		cfg, err := loadConfig(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		if tc.err {
			if err == nil || !strings.HasPrefix(err.Error(), "WEBHOOK_ALLOW_PRIVATE:") {
				t.Errorf("%q: error %v, want one naming the variable", tc.value, err)
			}
			continue
		}
		if err != nil || cfg.WebhookAllowPrivate != tc.allow || (len(cfg.Warnings) > 0) != tc.warning {
			t.Errorf("%q: allow %v, warnings %q, %v", tc.value, cfg.WebhookAllowPrivate, cfg.Warnings, err)
		}
	}
}
