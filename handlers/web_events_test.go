package handlers_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

// openStream opens the live stream as b and returns its lines as they arrive; the channel
// closes when the server ends the stream.
func openStream(t *testing.T, b *browser, ctx context.Context) <-chan string {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.e.srv.URL+"/events", nil)
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines
}

// waitFor reads lines until one satisfies ok; a generous limit only guards a hung test.
func waitFor(t *testing.T, lines <-chan string, ok func(string) bool) {
	t.Helper()
	limit := time.After(10 * time.Second)
	for {
		select {
		case l, open := <-lines:
			if !open {
				t.Fatal("stream ended early")
			}
			if ok(l) {
				return
			}
		case <-limit:
			t.Fatal("no such line on the stream")
		}
	}
}

func TestEventsAnnounceChangesAndEndAtShutdown(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	b := e.login(e.admin)
	lines := openStream(t, b, context.Background())
	waitFor(t, lines, func(l string) bool { return l == ": connected" })

	r := e.submit("send_email", ag.UrgencyHigh, nil)
	waitFor(t, lines, func(l string) bool { return l == "event: change" })
	waitFor(t, lines, func(l string) bool { return strings.HasPrefix(l, "data: ") && strings.Contains(l, r.ID) })

	e.stop()
	limit := time.After(10 * time.Second)
	for {
		select {
		case _, open := <-lines:
			if !open {
				return
			}
		case <-limit:
			t.Fatal("stream still open after shutdown began")
		}
	}
}

func TestEventsNeedASession(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	res, _ := e.browser().get("/events", false)
	wantStatus(t, res, http.StatusUnauthorized)
}
