package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const edgeKey = "a-long-admin-secret-value"

// TestServeReadTimeoutCutsSlowBodiesNotWaits runs serve with a short READ_TIMEOUT: a
// client trickling a body a byte at a time is disconnected, while a long-poll and the
// dashboard's event stream opened before it, which send no body, live on and deliver.
func TestServeReadTimeoutCutsSlowBodiesNotWaits(t *testing.T) {
	s := startServer(t, "DATABASE_URL="+filepath.Join(t.TempDir(), "gate.db"), "ADMIN_API_KEY="+edgeKey, "READ_TIMEOUT=300ms")
	_, body := s.call(t, edgeKey, http.MethodPost, "/api/requests", `{"action":"deploy"}`)
	var r struct{ ID string }
	if err := json.Unmarshal([]byte(body), &r); err != nil || r.ID == "" {
		t.Fatalf("create: %s", body)
	}
	events := s.openEvents(t)
	polled := s.longPoll(t, http.DefaultClient, edgeKey, r.ID)

	slow := s.trickle(t, "POST /api/requests HTTP/1.1\r\nHost: gate\r\nAuthorization: Bearer "+edgeKey+
		"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
	if err := slow.SetReadDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, slow); err != nil && !errors.Is(err, net.ErrClosed) && !isReset(err) {
		t.Fatalf("the server kept a connection trickling its body open: %v", err)
	}

	// By now the waits are older than READ_TIMEOUT too.
	select {
	case got := <-polled:
		t.Fatalf("the long-poll ended before a decision: %+v", got)
	default:
	}
	if code, body := s.call(t, edgeKey, http.MethodPost, "/api/requests/"+r.ID+"/decide", `{"decision":"approved"}`); code != http.StatusOK {
		t.Fatalf("decide: %d %s", code, body)
	}
	if got := <-polled; got.err != nil || got.code != http.StatusOK || !strings.Contains(got.body, `"status":"approved"`) {
		t.Errorf("long-poll: %+v", got)
	}
	for {
		line, err := events.ReadString('\n')
		if err != nil {
			t.Fatalf("the event stream ended before the decision's event: %v", err)
		}
		if strings.HasPrefix(line, "event: change") {
			break
		}
	}
}

func isReset(err error) bool { return strings.Contains(err.Error(), "connection reset") }

// trickle opens a connection, sends head, then a byte every 50 ms until the connection
// fails; it is closed when the test ends.
func (s *server) trickle(t *testing.T, head string) net.Conn {
	t.Helper()
	c := s.dial(t, head)
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for range tick.C {
			if _, err := c.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	return c
}

// dial opens a TCP connection to the server and sends raw; it is closed when the test ends.
func (s *server) dial(t *testing.T, raw string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	return c
}

type pollResult struct {
	code int
	body string
	err  error
}

// longPoll starts GET /api/requests/:id?wait=60s with key through c, and returns once it
// is sent.
func (s *server) longPoll(t *testing.T, c *http.Client, key, id string) <-chan pollResult {
	t.Helper()
	out, wrote := make(chan pollResult, 1), make(chan struct{})
	go func() {
		trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(wrote) }}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
			http.MethodGet, s.base+"/api/requests/"+id+"?wait=60s", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := c.Do(req)
		if err != nil {
			out <- pollResult{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		out <- pollResult{res.StatusCode, string(b), err}
	}()
	select {
	case <-wrote:
	case got := <-out:
		t.Fatalf("long-poll ended at once: %+v", got)
	}
	return out
}

// openEvents signs in to the dashboard and opens its event stream, once it is connected.
func (s *server) openEvents(t *testing.T) *bufio.Reader {
	t.Helper()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(s.base+"/login", url.Values{"key": {edgeKey}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || len(res.Cookies()) == 0 {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/events", nil)
	req.AddCookie(res.Cookies()[0])
	stream, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stream.Body.Close() })
	br := bufio.NewReader(stream.Body)
	if line, err := br.ReadString('\n'); err != nil || !strings.HasPrefix(line, "retry:") {
		t.Fatalf("event stream: %d %q %v", stream.StatusCode, line, err)
	}
	return br
}

// TestServeCapsConnections runs serve with MAX_CONNECTIONS=2: a third connection is not
// served until one of the first two closes.
func TestServeCapsConnections(t *testing.T) {
	s := startServer(t, "DATABASE_URL="+filepath.Join(t.TempDir(), "gate.db"), "ADMIN_API_KEY="+edgeKey, "MAX_CONNECTIONS=2")
	const probe = "GET /health HTTP/1.1\r\nHost: gate\r\n\r\n"
	open := func() (net.Conn, *bufio.Reader) {
		c := s.dial(t, probe)
		return c, bufio.NewReader(c)
	}
	answered := func(br *bufio.Reader) {
		t.Helper()
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("/health: %d", res.StatusCode)
		}
	}
	first, br1 := open()
	answered(br1) // served, and kept alive
	_, br2 := open()
	answered(br2)
	s.waitLog(t, "Connection limit reached; new connections wait until one closes.")

	third, br3 := open()
	if err := third.SetReadDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if _, err := br3.Peek(1); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a third connection was served while two were open: %v", err)
	}
	if err := third.SetReadDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	first.Close()
	answered(bufio.NewReader(third))
}

// waitLog waits for a log line with the message msg.
func (s *server) waitLog(t testing.TB, msg string) {
	t.Helper()
	want := `"msg":"` + msg + `"`
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(s.logs.String(), want) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no log line %q in:\n%s", msg, s.logs.String())
}

func TestEdgeConfig(t *testing.T) {
	env := map[string]string{"TRUSTED_PROXIES": " 10.0.0.0/8, 192.168.1.10 ,fd00::1/64,::1", "MAX_CONNECTIONS": "512", "READ_TIMEOUT": "45s"}
	c, err := loadConfig(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.10/32"),
		netip.MustParsePrefix("fd00::/64"), netip.MustParsePrefix("::1/128")}
	if !slices.Equal(c.TrustedProxies, want) || c.MaxConnections != 512 || c.ReadTimeout != 45*time.Second {
		t.Errorf("config = %v %d %v", c.TrustedProxies, c.MaxConnections, c.ReadTimeout)
	}
	c, err = loadConfig(func(string) (string, bool) { return "", false })
	if err != nil || c.TrustedProxies != nil || c.MaxConnections != 4096 || c.ReadTimeout != 30*time.Second {
		t.Errorf("defaults = %v %d %v, %v", c.TrustedProxies, c.MaxConnections, c.ReadTimeout, err)
	}
}
