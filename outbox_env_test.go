package agentgate_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/webhook"
)

// received is one POST a receiver got.
type received struct {
	ID   string // webhook-id
	Path string
	Body []byte
}

// receiver is a webhook receiver: it answers with respond (200 when nil), records every
// POST and announces it.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	all      []received
	verified int
	// respond answers a POST; n counts the POSTs of its webhook-id so far.
	respond func(r received, n int) (status int, header http.Header)
	secrets map[string]string // path → the webhook's secret, to verify signatures
	arrived chan received     // a POST came in (before it is answered)
	got     chan received     // a POST was answered
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{got: make(chan received, 10000), arrived: make(chan received, 10000), secrets: map[string]string{}}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		in := received{ID: r.Header.Get("webhook-id"), Path: r.URL.Path, Body: body}
		rc.mu.Lock()
		if secret := rc.secrets[in.Path]; secret != "" {
			if err := webhook.Verify(secret, r.Header, body, time.Now()); err != nil {
				t.Errorf("webhook-signature of %s: %v", in.ID, err)
			}
			if err := webhook.VerifyBodySignature(secret, r.Header, body); err != nil {
				t.Errorf("X-AgentGate-Signature of %s: %v", in.ID, err)
			}
			rc.verified++
		}
		rc.all = append(rc.all, in)
		n, respond := rc.count(in.ID), rc.respond
		rc.mu.Unlock()
		rc.arrived <- in
		status, header := http.StatusOK, http.Header(nil)
		if respond != nil {
			status, header = respond(in, n)
		}
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, http.StatusText(status))
		rc.got <- in
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) count(id string) int {
	n := 0
	for _, r := range rc.all {
		if r.ID == id {
			n++
		}
	}
	return n
}

// next waits for the next POST.
func (rc *receiver) next(t *testing.T) received {
	t.Helper()
	select {
	case r := <-rc.got:
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("the receiver got nothing within 30 s")
		return received{}
	}
}

// outboxEnv is a gate on a test clock over a real store, with a dispatcher that the gate
// wakes and the test wakes after moving the clock; it never polls on its own.
type outboxEnv struct {
	gate     *ag.Gate
	store    *db.Store
	clock    *testClock
	recv     *receiver
	disp     *ag.Dispatcher
	attempts chan ag.DeliveryAttempt
}

func eachOutbox(t *testing.T, fn func(t *testing.T, e *outboxEnv)) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := &outboxEnv{store: s, clock: &testClock{t: t0}, recv: newReceiver(t), attempts: make(chan ag.DeliveryAttempt, 1000)}
		e.gate = ag.NewGate(s, ag.Options{Clock: e.clock, Logger: slog.New(slog.DiscardHandler)})
		if err := e.gate.ReloadPolicies(bg); err != nil {
			t.Fatal(err)
		}
		e.disp = e.startDispatcher(t, "test")
		fn(t, e)
	})
}

func (e *outboxEnv) startDispatcher(t *testing.T, owner string) *ag.Dispatcher {
	senders := map[ag.ChannelKind]ag.Sender{ag.ChannelWebhook: webhook.NewSender(e.gate.WebhookTarget, webhook.Options{AllowPrivate: true})}
	d := e.gate.Dispatcher(senders, ag.DispatcherOptions{Owner: owner, Poll: time.Hour, Jitter: func() float64 { return 0 },
		OnAttempt: func(d ag.Delivery, a ag.DeliveryAttempt) { e.gate.DeliveryAttempted(d.ID); e.attempts <- a }})
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	<-d.Started()
	return d
}

// nextAttempt waits for the dispatcher to record an attempt.
func (e *outboxEnv) nextAttempt(t *testing.T) ag.DeliveryAttempt {
	t.Helper()
	select {
	case a := <-e.attempts:
		return a
	case <-time.After(30 * time.Second):
		t.Fatal("no attempt was recorded within 30 s")
		return ag.DeliveryAttempt{}
	}
}

func (e *outboxEnv) webhook(t *testing.T, path string, events ...string) *ag.Webhook {
	t.Helper()
	url := e.recv.URL + path
	w, secret, err := e.gate.CreateWebhook(bg, alice, ag.WebhookInput{URL: &url, Events: events})
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) < 40 || secret != w.Secret {
		t.Fatalf("secret %q", secret)
	}
	e.recv.mu.Lock()
	e.recv.secrets[path] = secret
	e.recv.mu.Unlock()
	return w
}

// payload is a delivered body as a receiver reads it.
type payload struct {
	Event     string     `json:"event"`
	Timestamp time.Time  `json:"timestamp"`
	Data      ag.Request `json:"data"`
}

// expectDeliveries reads len(want) deliveries, each one wanted (request id + event → the
// payload's status) and new, and waits until their attempts are recorded.
func (e *outboxEnv) expectDeliveries(t *testing.T, want map[string]string, seen map[string]bool) {
	t.Helper()
	for range want {
		r := e.recv.next(t)
		var p payload
		if err := json.Unmarshal(r.Body, &p); err != nil {
			t.Fatalf("payload %s: %v", r.Body, err)
		}
		key := p.Data.ID + " " + p.Event
		if status, ok := want[key]; !ok || string(p.Data.Status) != status || seen[r.ID] || p.Timestamp.IsZero() {
			t.Fatalf("unexpected delivery %s (%s, id %s, seen %v): %s", key, p.Data.Status, r.ID, seen[r.ID], r.Body)
		}
		seen[r.ID] = true
	}
	for range want {
		if a := e.nextAttempt(t); !a.OK {
			t.Fatalf("attempt %+v", a)
		}
	}
}

// find returns the payload of the request's event that the receiver got.
func (e *outboxEnv) find(t *testing.T, requestID, event string) payload {
	t.Helper()
	e.recv.mu.Lock()
	defer e.recv.mu.Unlock()
	for _, r := range e.recv.all {
		var p payload
		if json.Unmarshal(r.Body, &p) == nil && p.Data.ID == requestID && p.Event == event {
			return p
		}
	}
	t.Fatalf("no %s of %s was received", event, requestID)
	return payload{}
}

// waitInFlight waits until the receiver holds a POST open.
func (e *outboxEnv) waitInFlight(t *testing.T) {
	t.Helper()
	select {
	case <-e.recv.arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("no attempt reached the receiver within 30 s")
	}
}

// rulesPolicy is an enabled policy of the rules (JSON).
func rulesPolicy(t *testing.T, rules string) ag.Policy {
	t.Helper()
	p := ag.Policy{Name: "p", Enabled: true}
	if err := json.Unmarshal([]byte(rules), &p.Rules); err != nil {
		t.Fatal(err)
	}
	return p
}

func delivery(t *testing.T, e *outboxEnv, id string) *ag.Delivery {
	t.Helper()
	d, err := e.store.GetDelivery(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
