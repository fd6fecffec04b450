package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// startInstances runs n serve processes on one database and waits until each listens for
// the others' changes.
func startInstances(t testing.TB, databaseURL string, n int) []*server {
	t.Helper()
	out := make([]*server, n)
	for i := range out {
		out[i] = startServer(t, serveEnv(databaseURL)...)
	}
	for _, s := range out {
		s.waitLog(t, "Listening for changes from other instances.")
	}
	return out
}

// Three serve processes on one PostgreSQL database behave as one: a request created on A
// shows on C's live dashboard, and an agent long-polling on A wakes when a person decides
// on B, which C's dashboard shows too.
func TestThreeServesActAsOne(t *testing.T) {
	dbURL := dbtest.PostgresURL(t) // skips without AGENTGATE_TEST_POSTGRES_URL
	s := startInstances(t, dbURL, 3)
	a, b, c := s[0], s[1], s[2]
	events := c.openEvents(t) // connected: C hears every change from here on

	code, body := a.call(t, outboxAdminKey, http.MethodPost, "/api/requests", `{"action":"deploy"}`)
	var r struct{ ID, Status string }
	if code != http.StatusCreated || json.Unmarshal([]byte(body), &r) != nil || r.Status != "pending" {
		t.Fatalf("create on A: %d %s", code, body)
	}
	waitChange(t, events, r.ID, "the request created on A")

	polled := a.longPoll(t, http.DefaultClient, outboxAdminKey, r.ID)
	// Decide only once A holds the wait, having seen the request pending: then only B's
	// notice can end it before its 60 s.
	a.waitMetric(t, "agentgate_waiting_requests", 1)
	if code, body := b.call(t, outboxAdminKey, http.MethodPost, "/api/requests/"+r.ID+"/decide", `{"decision":"approved"}`); code != http.StatusOK {
		t.Fatalf("decide on B: %d %s", code, body)
	}
	select {
	case got := <-polled:
		if got.err != nil || got.code != http.StatusOK || !strings.Contains(got.body, `"status":"approved"`) {
			t.Errorf("the agent waiting on A: %+v", got)
		}
	case <-time.After(30 * time.Second): // not a measurement: unwoken, the wait holds 60 s
		t.Fatal("the decision on B did not wake the agent waiting on A")
	}
	waitChange(t, events, r.ID, "the decision made on B")
}

// waitChange reads the event stream until a change event names id.
func waitChange(t *testing.T, events *bufio.Reader, id, what string) {
	t.Helper()
	found := make(chan error, 1)
	go func() {
		for {
			line, err := events.ReadString('\n')
			if err != nil {
				found <- err
				return
			}
			if data, ok := strings.CutPrefix(strings.TrimSpace(line), "data: "); ok && (data == "*" || strings.Contains(data, id)) {
				found <- nil
				return
			}
		}
	}()
	select {
	case err := <-found:
		if err != nil {
			t.Fatalf("the event stream ended before it told of %s: %v", what, err)
		}
	case <-time.After(30 * time.Second): // not a measurement: a missed notice would hang
		t.Fatalf("the event stream did not tell of %s", what)
	}
}

// waitMetric waits until the server's /metrics reports value for the unlabelled series.
func (s *server) waitMetric(t testing.TB, name string, value int) {
	t.Helper()
	want := fmt.Sprintf("%s %d\n", name, value)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if _, body := s.call(t, "", http.MethodGet, "/metrics", ""); strings.Contains(body, "\n"+want) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s never reached %d", name, value)
}

// While three serve processes run their expiry sweeps on one PostgreSQL database, 1,000
// requests expire: exactly 1,000 request.expired events are written, and a webhook hears
// of each expiry exactly once.
func TestThreeServesExpireEachRequestOnce(t *testing.T) {
	dbURL := dbtest.PostgresURL(t)
	const n = 1000
	ctx := context.Background()
	store, err := db.Open(ctx, dbURL, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rc := newHookReceiver(t, http.StatusOK)
	now := time.Now().UTC().Truncate(time.Microsecond)
	hook := &agentgate.Webhook{ID: agentgate.NewID("wh", now), URL: rc.URL, Events: []string{agentgate.EventRequestExpired},
		Enabled: true, Secret: agentgate.NewWebhookSecret(), CreatedAt: now, UpdatedAt: now}
	if err := store.CreateWebhook(ctx, hook, newSystemEvent(agentgate.EventWebhookCreated, now)); err != nil {
		t.Fatal(err)
	}
	servers := startInstances(t, dbURL, 3)

	// Pending requests that expire together, a moment after the last is stored.
	ids := make(map[string]bool, n)
	expires := time.Now().UTC().Add(2 * time.Second).Truncate(time.Microsecond)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := w; i < n; i += 16 {
				at := time.Now().UTC().Truncate(time.Microsecond)
				r := &agentgate.Request{ID: agentgate.NewID("req", at), Action: "deploy", Urgency: agentgate.UrgencyNormal,
					Status: agentgate.StatusPending, CreatedBy: "test", CreatedAt: at, UpdatedAt: at, ExpiresAt: expires,
					PolicyDecision: agentgate.Outcome{Decision: agentgate.RouteToHuman}, RequiredApprovals: 1, Votes: []agentgate.Vote{}}
				if err := store.CreateRequest(ctx, r, agentgate.Effects{}); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				ids[r.ID] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	got := rc.waitDelivered(t, n)
	for _, s := range servers {
		if err := s.stop(t); err != nil {
			t.Fatal(err)
		}
	}
	rc.mu.Lock()
	for id, reqs := range rc.requests {
		if rc.delivered[id] != 1 {
			t.Errorf("delivery %s arrived %d times", id, rc.delivered[id])
		}
		for r := range reqs {
			if !ids[r] {
				t.Errorf("delivery %s told of request %s, not one of those that expired", id, r)
			}
			delete(ids, r)
		}
	}
	rc.mu.Unlock()
	if len(got) != n || len(ids) != 0 {
		t.Errorf("%d deliveries; %d requests were never told of", len(got), len(ids))
	}
	_, total, err := store.ListAudit(ctx, agentgate.AuditFilter{EventType: agentgate.EventRequestExpired, Page: agentgate.Page{Limit: 1}})
	if err != nil || total != n {
		t.Errorf("%d request.expired events (%v), want %d", total, err, n)
	}
	pending, err := store.CountPendingByUrgency(ctx)
	if err != nil || pending[agentgate.UrgencyNormal] != 0 {
		t.Errorf("%d requests still pending (%v)", pending[agentgate.UrgencyNormal], err)
	}
	// The sweeps' own count agrees; how they shared the work is in their logs.
	sum := 0
	for i, s := range servers {
		expired, lost := sweepTotals(t, s.logs.String())
		t.Logf("instance %d expired %d requests and lost %d races", i, expired, lost)
		sum += expired
	}
	if sum != n {
		t.Errorf("the sweeps report %d requests expired, want %d", sum, n)
	}
}

// sweepTotals adds up the expiry sweeps a serve log reports.
func sweepTotals(t *testing.T, log string) (expired, lost int) {
	t.Helper()
	for _, line := range strings.Split(log, "\n") {
		var l struct {
			Msg           string
			Expired, Lost int
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "Expired overdue requests." {
			expired, lost = expired+l.Expired, lost+l.Lost
		}
	}
	return expired, lost
}

func newSystemEvent(typ string, at time.Time) agentgate.AuditEvent {
	return agentgate.AuditEvent{ID: agentgate.NewID("evt", at), EventType: typ, Actor: "test",
		ActorType: agentgate.ActorSystem, Details: json.RawMessage(`{}`), CreatedAt: at}
}
