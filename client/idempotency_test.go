package client_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	"github.com/agentgate/agentgate/client"
	"github.com/agentgate/agentgate/internal/testserver"
)

// lossyProxy forwards to srv, but the answer to the first POST /api/requests is lost
// after the server has handled it, as when a connection drops or a proxy times out. It
// records the Idempotency-Key of every such POST.
type lossyProxy struct {
	*httptest.Server
	mu   sync.Mutex
	keys []string
}

func newLossyProxy(t *testing.T, srv *testserver.Server) *lossyProxy {
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	fwd := httputil.NewSingleHostReverseProxy(target)
	p := &lossyProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/requests" {
			p.mu.Lock()
			p.keys = append(p.keys, r.Header.Get("Idempotency-Key"))
			first := len(p.keys) == 1
			p.mu.Unlock()
			if first {
				rec := httptest.NewRecorder()
				fwd.ServeHTTP(rec, r)
				if rec.Code != http.StatusCreated {
					t.Errorf("the server answered the first attempt %d: %s", rec.Code, rec.Body)
				}
				panic(http.ErrAbortHandler) // the answer never reaches the client
			}
		}
		fwd.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// sent returns the Idempotency-Keys the proxy has seen.
func (p *lossyProxy) sent() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.keys...)
}

// TestRequestRetryAfterALostAnswerCreatesNoDuplicate: the kill -9 case. The
// client retries under the same Idempotency-Key and gets the request the lost answer
// carried; the server holds one request.
func TestRequestRetryAfterALostAnswerCreatesNoDuplicate(t *testing.T) {
	srv := testserver.Start(t)
	proxy := newLossyProxy(t, srv)
	// A fresh connection per call, so the retry is the client's own and not net/http's.
	h := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	c := client.New(proxy.URL, srv.AdminKey, fast, client.WithHTTPClient(h))

	r, err := c.Request(t.Context(), client.RequestInput{Action: "wire_transfer", Params: map[string]any{"amount": 900}})
	if err != nil {
		t.Fatalf("Request after a lost answer: %v", err)
	}
	if keys := proxy.sent(); len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
		t.Fatalf("Idempotency-Keys sent: %q; want one key, twice", keys)
	}
	page, err := client.New(srv.URL, srv.AdminKey).List(t.Context(), client.ListOptions{Action: "wire_transfer"})
	if err != nil {
		t.Fatal(err)
	}
	if page.Pagination.Total != 1 || page.Requests[0].ID != r.ID {
		t.Fatalf("%d wire_transfer requests stored; want only %s", page.Pagination.Total, r.ID)
	}
}

// TestRequestIdempotencyKey: a key the caller sets is sent as it is, so a caller that
// restarts can repeat a request; without one, each call is a request of its own.
func TestRequestIdempotencyKey(t *testing.T) {
	_, c := newClient(t)
	in := client.RequestInput{Action: "deploy", IdempotencyKey: "deploy-2026-03-02"}
	first, err := c.Request(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Request(t.Context(), in)
	if err != nil || again.ID != first.ID {
		t.Fatalf("the same key again: %v, %v; want %s", again, err, first.ID)
	}
	in.Params = map[string]any{"env": "prod"}
	if _, err := c.Request(t.Context(), in); statusCode(err) != http.StatusUnprocessableEntity {
		t.Fatalf("the key with another body: %v; want 422", err)
	}
	in.IdempotencyKey = ""
	a, errA := c.Request(t.Context(), in)
	b, errB := c.Request(t.Context(), in)
	if errA != nil || errB != nil || a.ID == b.ID {
		t.Fatalf("two calls without a key: %v %v, ids equal %v", errA, errB, errA == nil && errB == nil && a.ID == b.ID)
	}
}

func statusCode(err error) int {
	var e *client.Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}
