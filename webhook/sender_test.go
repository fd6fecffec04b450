package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/webhook"
)

type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fixedClock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

func newClock() *fixedClock { return &fixedClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

// lookupOf answers for one webhook, as the store would.
func lookupOf(w *agentgate.Webhook) func(context.Context, string) (*agentgate.Webhook, error) {
	return func(_ context.Context, id string) (*agentgate.Webhook, error) {
		if w == nil || id != w.ID {
			return nil, agentgate.Errorf(agentgate.KindNotFound, "not_found", "webhook %s not found", id)
		}
		return w, nil
	}
}

// The payload as the outbox stores it, with spacing a re-encoding would lose.
const payload = `{"event": "request.created",  "timestamp":"2026-03-01T12:00:00Z","data":{"id":"req_1","params":{"n":1.50}}}`

func delivery(target string) agentgate.Delivery {
	return agentgate.Delivery{ID: "dlv_01JNQ0", Channel: agentgate.ChannelWebhook, Target: target,
		Event: "request.created", Payload: json.RawMessage(payload)}
}

// TestSenderDelivers: a receiver that checks a delivery as docs/webhooks.md tells users to.
func TestSenderDelivers(t *testing.T) {
	clock := newClock()
	secret := webhook.NewSecret()
	var got []http.Header
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(secret, r.Header, body, clock.Now()); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if err := webhook.VerifyBodySignature(secret, r.Header, body); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if string(body) != payload || r.Method != http.MethodPost {
			http.Error(w, "payload changed: "+r.Method+" "+string(body), http.StatusBadRequest)
			return
		}
		got = append(got, r.Header.Clone())
		io.WriteString(w, "thanks")
	})
	wh := &agentgate.Webhook{ID: "whk_1", URL: srv.URL + "/hook", Enabled: true, Secret: secret}
	s := webhook.NewSender(lookupOf(wh), webhook.Options{AllowPrivate: true, Clock: clock, Version: "1.2.3"})

	for attempt := range 2 {
		res, err := s.Send(context.Background(), delivery("whk_1"))
		if err != nil || res.StatusCode != 200 || res.Response != "thanks" || res.Permanent {
			t.Fatalf("attempt %d: Send = %+v, %v", attempt+1, res, err)
		}
		clock.Advance(time.Minute)
	}
	for i, h := range got {
		for name, want := range map[string]string{
			"Content-Type":      "application/json",
			"User-Agent":        "AgentGate-Webhook/1.2.3",
			"X-AgentGate-Event": "request.created",
			"webhook-id":        "dlv_01JNQ0",                                               // the same on every attempt
			"webhook-timestamp": strconv.FormatInt(newClock().Now().Unix()+int64(i)*60, 10), // the attempt's time
		} {
			if h.Get(name) != want || want == "" {
				t.Errorf("attempt %d: %s = %q, want %q", i+1, name, h.Get(name), want)
			}
		}
	}
}

func TestSenderAnswers(t *testing.T) {
	clock := newClock()
	tests := []struct {
		status     int
		retryAfter string
		wantErr    string // "" for success
		permanent  bool
		wantWait   time.Duration
	}{
		{200, "", "", false, 0},
		{202, "", "", false, 0},
		{204, "", "", false, 0},
		{302, "", "webhook answered 302 Found; redirects are not followed (Location: http://10.0.0.5/)", false, 0},
		{400, "", "webhook answered 400 Bad Request", true, 0},
		{401, "", "webhook answered 401 Unauthorized", true, 0},
		{404, "", "webhook answered 404 Not Found", true, 0},
		{410, "", "webhook answered 410 Gone", true, 0},
		{408, "", "webhook answered 408 Request Timeout", false, 0},
		{429, "7", "webhook answered 429 Too Many Requests", false, 7 * time.Second},
		{500, "", "webhook answered 500 Internal Server Error", false, 0},
		{503, clock.Now().Add(90 * time.Second).Format(http.TimeFormat), "webhook answered 503 Service Unavailable", false, 90 * time.Second},
		{599, "", "webhook answered 599", false, 0},
	}
	for _, tt := range tests {
		srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			if tt.retryAfter != "" {
				w.Header().Set("Retry-After", tt.retryAfter)
			}
			w.Header().Set("Location", "http://10.0.0.5/")
			w.WriteHeader(tt.status)
			io.WriteString(w, "answer body")
		})
		wh := &agentgate.Webhook{ID: "whk_1", URL: srv.URL, Enabled: true, Secret: webhook.NewSecret()}
		res, err := webhook.NewSender(lookupOf(wh), webhook.Options{AllowPrivate: true, Clock: clock}).
			Send(context.Background(), delivery("whk_1"))
		if (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
			t.Errorf("%d: err = %v, want %q", tt.status, err, tt.wantErr)
		}
		if res.StatusCode != tt.status || res.Permanent != tt.permanent || res.RetryAfter != tt.wantWait {
			t.Errorf("%d: result = %+v, want permanent %v, retry after %v", tt.status, res, tt.permanent, tt.wantWait)
		}
		if tt.status != 204 && res.Response != "answer body" {
			t.Errorf("%d: response excerpt = %q", tt.status, res.Response)
		}
	}
}

// TestSenderRefusesWithoutSending: each of these must fail without a request reaching the
// receiver, and say why.
func TestSenderRefusesWithoutSending(t *testing.T) {
	srv, hits := countingServer(t, nil)
	good := func() *agentgate.Webhook {
		return &agentgate.Webhook{ID: "whk_1", URL: srv.URL, Enabled: true, Secret: webhook.NewSecret()}
	}
	storeDown := errors.New("database is locked")
	tests := []struct {
		name         string
		lookup       func(context.Context, string) (*agentgate.Webhook, error)
		allowPrivate bool
		permanent    bool
		wantErr      string
	}{
		{"deleted webhook", lookupOf(nil), true, true, "webhook whk_1 no longer exists"},
		{"lookup finds nothing", func(context.Context, string) (*agentgate.Webhook, error) { return nil, nil }, true, true, "no longer exists"},
		{"disabled webhook", lookupOf(func() *agentgate.Webhook { w := good(); w.Enabled = false; return w }()), true, true, "webhook whk_1 is disabled"},
		{"store down", func(context.Context, string) (*agentgate.Webhook, error) { return nil, storeDown }, true, false, "database is locked"},
		{"no secret", lookupOf(func() *agentgate.Webhook { w := good(); w.Secret = ""; return w }()), true, true, "cannot be signed, so it is not sent"},
		{"broken secret", lookupOf(func() *agentgate.Webhook { w := good(); w.Secret = "whsec_AAAA"; return w }()), true, true, "cannot be signed"},
		{"stored URL not http", lookupOf(func() *agentgate.Webhook { w := good(); w.URL = "gopher://x/"; return w }()), true, true, "must start with http:// or https://"},
		{"loopback without WEBHOOK_ALLOW_PRIVATE", lookupOf(good()), false, true,
			"webhook: refused to connect to 127.0.0.1, a loopback address; set WEBHOOK_ALLOW_PRIVATE=true for local targets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := webhook.NewSender(tt.lookup, webhook.Options{AllowPrivate: tt.allowPrivate, Clock: newClock()})
			res, err := s.Send(context.Background(), delivery("whk_1"))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || res.Permanent != tt.permanent {
				t.Errorf("Send = %+v, %v; want permanent=%v and %q", res, err, tt.permanent, tt.wantErr)
			}
		})
	}
	if !errors.Is(func() error {
		_, err := webhook.NewSender(tests[3].lookup, webhook.Options{}).Send(context.Background(), delivery("whk_1"))
		return err
	}(), storeDown) {
		t.Error("a lookup failure is not wrapped")
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the receiver got %d requests, want 0", n)
	}
}

// TestSenderBoundsTheAnswer: an endless answer is cut, not read to the attempt's timeout.
// The receiver counts what it could write before the connection closed: what we read (64
// KiB) and what the sockets buffer, far below what ten seconds of reading would take.
func TestSenderBoundsTheAnswer(t *testing.T) {
	chunk := []byte(strings.Repeat("é", 512)) // 2-byte characters: the cut must not split one
	var written atomic.Int64
	done := make(chan struct{})
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		for {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	wh := &agentgate.Webhook{ID: "whk_1", URL: srv.URL, Enabled: true, Secret: webhook.NewSecret()}
	s := webhook.NewSender(lookupOf(wh), webhook.Options{AllowPrivate: true, Timeout: 10 * time.Second})
	res, err := s.Send(context.Background(), delivery("whk_1"))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("Send = %+v, %v", res, err)
	}
	if len(res.Response) != 1024 || res.Response != strings.Repeat("é", 512) {
		t.Errorf("excerpt is %d bytes: %.40q...", len(res.Response), res.Response)
	}
	<-done
	if n := written.Load(); n > 32<<20 {
		t.Errorf("the receiver wrote %d MiB before the connection closed: the answer was not bounded", n>>20)
	}
}

// TestSenderTimesOut: a receiver that never answers costs one attempt's timeout, and the
// attempt is retried later (not permanent).
func TestSenderTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	wh := &agentgate.Webhook{ID: "whk_1", URL: srv.URL, Enabled: true, Secret: webhook.NewSecret()}
	s := webhook.NewSender(lookupOf(wh), webhook.Options{AllowPrivate: true, Timeout: 100 * time.Millisecond})
	res, err := s.Send(context.Background(), delivery("whk_1"))
	if err == nil || !strings.Contains(err.Error(), "no answer in time") || res.Permanent {
		t.Errorf("Send = %+v, %v; want a retryable timeout", res, err)
	}
	if strings.Contains(err.Error(), srv.URL) {
		t.Errorf("error %q repeats the URL, which may hold a token", err)
	}
}
