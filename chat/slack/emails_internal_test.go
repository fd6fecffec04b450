package slack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fixedClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestEmailLookup: users.info is asked once per user while the answer is remembered, a
// profile without an address (no users:read.email scope) gives none, and a failed call
// gives an error, remembered by no one.
func TestEmailLookup(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	answers := map[string]string{
		"U0ALICE": `{"ok":true,"user":{"id":"U0ALICE","name":"alice","profile":{"email":"alice@example.com"}}}`,
		"U0BOB":   `{"ok":true,"user":{"id":"U0BOB","name":"bob","profile":{}}}`,
		"U0GONE":  `{"ok":false,"error":"user_not_found"}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		u := r.PostForm.Get("user")
		mu.Lock()
		calls[u]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(answers[u]))
	}))
	defer srv.Close()
	clock := &fixedClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	l := newEmailLookup(newAPI(Config{BotToken: "xoxb-1", APIURL: srv.URL + "/api/"}, Options{}.withDefaults()), clock)
	ctx := context.Background()

	for range 3 {
		if got, err := l.lookup("U0ALICE")(ctx); got != "alice@example.com" || err != nil {
			t.Fatalf("alice's address = %q, %v", got, err)
		}
	}
	if got, err := l.lookup("U0BOB")(ctx); got != "" || err != nil {
		t.Errorf("an address Slack does not give = %q, %v; want none", got, err)
	}
	for range 2 {
		if got, err := l.lookup("U0GONE")(ctx); got != "" || err == nil {
			t.Errorf("a failed lookup = %q, %v; want an error", got, err)
		}
	}
	clock.add(emailTTL)
	_, _ = l.lookup("U0ALICE")(ctx)
	mu.Lock()
	defer mu.Unlock()
	if calls["U0ALICE"] != 2 || calls["U0BOB"] != 1 || calls["U0GONE"] != 2 {
		t.Errorf("users.info calls %v; want alice once per %s, bob once, a failure every time", calls, emailTTL)
	}
}
