package webhook_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentgate/agentgate/webhook"
)

// countingServer is a receiver on loopback that counts the requests that reach it.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if h != nil {
			h(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestClientRefusesLoopbackAtDial goes through resolution and dialling for real. The
// receiver listens on 127.0.0.1, so a request that got through would be counted. localhost
// resolves to 127.0.0.1 at dial time, which is the DNS-rebinding case: nothing checked the
// name before, only the address being dialled is checked.
func TestClientRefusesLoopbackAtDial(t *testing.T) {
	srv, hits := countingServer(t, nil)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	client := webhook.NewClient(webhook.Options{})
	for _, host := range []string{"127.0.0.1", "localhost", "[::ffff:127.0.0.1]"} {
		resp, err := client.Post("http://"+host+":"+port+"/hook", "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
		}
		var refused *webhook.AddrError
		if !errors.As(err, &refused) || refused.Addr.String() != "127.0.0.1" || !refused.Local {
			t.Errorf("POST to %s: err = %v, want a refusal of 127.0.0.1 at dial", host, err)
		}
	}
	// Go reads these numeric forms as names, which do not resolve; C resolvers and browsers
	// read them as 127.0.0.1 (CheckURL refuses them by name). Either way nothing reaches it.
	for _, host := range []string{"2130706433", "0177.0.0.1", "0x7f000001", "127.1"} {
		resp, err := client.Post("http://"+host+":"+port+"/hook", "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
			t.Errorf("POST to %s succeeded", host)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback receiver got %d requests, want 0", n)
	}
	// The same receiver is reachable when private targets are allowed: the refusals above
	// were the check's doing, not a broken receiver.
	resp, err := webhook.NewClient(webhook.Options{AllowPrivate: true}).Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatalf("POST with private targets allowed: %v", err)
	}
	resp.Body.Close()
	if hits.Load() != 1 {
		t.Errorf("the receiver got %d requests, want 1", hits.Load())
	}
}

// TestClientRefusesMetadataEvenWhenPrivateAllowed: the check runs before connect(2), so no
// packet leaves; with the check broken these would try to connect (and time out).
func TestClientRefusesMetadataEvenWhenPrivateAllowed(t *testing.T) {
	client := webhook.NewClient(webhook.Options{AllowPrivate: true, ConnectTimeout: 2 * time.Second})
	for _, url := range []string{
		"http://169.254.169.254/latest/meta-data/",
		"http://[::ffff:169.254.169.254]/latest/meta-data/",
		"http://[fd00:ec2::254]/latest/meta-data/",
		"http://169.254.170.2/v2/credentials",
		"http://0.0.0.0:1/",
	} {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
		}
		var refused *webhook.AddrError
		if !errors.As(err, &refused) || refused.Local {
			t.Errorf("GET %s: err = %v, want a refusal that AllowPrivate does not lift", url, err)
		}
	}
}

// TestClientDoesNotFollowRedirects: a receiver answering 3xx gets its answer recorded, and
// the redirect target (a second receiver here, so that following would be seen) gets nothing.
// Where a redirect to a private address would go if it were followed is the dial check's
// business, tested above and in TestDialControl.
func TestClientDoesNotFollowRedirects(t *testing.T) {
	target, targetHits := countingServer(t, nil)
	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		redirector, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/elsewhere", code)
		})
		resp, err := webhook.NewClient(webhook.Options{AllowPrivate: true}).Post(redirector.URL, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatalf("POST answered %d: %v", code, err)
		}
		resp.Body.Close()
		if resp.StatusCode != code || resp.Header.Get("Location") != target.URL+"/elsewhere" {
			t.Errorf("answer = %d %q, want the %d itself", resp.StatusCode, resp.Header.Get("Location"), code)
		}
	}
	if n := targetHits.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests, want 0", n)
	}
}

// TestClientSettings pins what cannot be watched from outside without the internet: no
// proxy from the environment (HTTP_PROXY would move the connection, and the dial check,
// to the proxy), and the timeouts.
func TestClientSettings(t *testing.T) {
	c := webhook.NewClient(webhook.Options{})
	tr, ok := c.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("Transport is %T, want *http.Transport", c.Transport)
	}
	if tr.Proxy != nil {
		t.Error("the transport takes a proxy")
	}
	if c.Timeout != 15*time.Second || tr.TLSHandshakeTimeout != 5*time.Second {
		t.Errorf("timeouts: whole attempt %v, TLS handshake %v; want 15s, 5s", c.Timeout, tr.TLSHandshakeTimeout)
	}
	if tr.MaxResponseHeaderBytes == 0 || tr.MaxResponseHeaderBytes > 64<<10 {
		t.Errorf("response headers bounded at %d bytes", tr.MaxResponseHeaderBytes)
	}
	c = webhook.NewClient(webhook.Options{Timeout: time.Second, ConnectTimeout: time.Second})
	if c.Timeout != time.Second || c.Transport.(*http.Transport).TLSHandshakeTimeout != time.Second {
		t.Errorf("Options timeouts not applied: %v", c.Timeout)
	}
}
