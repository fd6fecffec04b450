package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// badKey is well-formed and unknown.
var badKey = "agk_" + strings.Repeat("A", 43)

// from sends GET /api/requests with secret, as the client at addr behind the test's proxy.
func (e *apiEnv) from(addr, secret string) *apiResponse {
	return e.call(http.MethodGet, "/api/requests", secret, nil, "X-Forwarded-For", addr)
}

func TestAPIKeyGuessingIsThrottled(t *testing.T) {
	eachAPIWith(t, apiOptions{behindProxy: true}, func(t *testing.T, e *apiEnv) {
		const guesser, neighbour = "203.0.113.7", "198.51.100.9"
		for range 3 {
			e.from(guesser, badKey).wantError(t, http.StatusUnauthorized, "invalid_api_key")
		}
		res := e.from(guesser, badKey)
		res.wantError(t, http.StatusTooManyRequests, "too_many_failures")
		if ra := res.header.Get("Retry-After"); ra != "1" {
			t.Errorf("Retry-After %q after 3 failures, want 1", ra)
		}
		// While the address waits, its keys are not even looked at, so the right one is
		// refused too: answering it would confirm a guess made during the lock-out.
		e.from(guesser, e.admin).wantError(t, http.StatusTooManyRequests, "too_many_failures")
		// Others are not affected, and a missing key is no guess.
		e.from(neighbour, e.admin).want(t, http.StatusOK)
		e.from(neighbour, badKey).wantError(t, http.StatusUnauthorized, "invalid_api_key")
		for range 5 {
			e.from(neighbour, "").wantError(t, http.StatusUnauthorized, "missing_api_key")
		}

		// Once the wait is over the right key works, but the failures are not forgotten:
		// one more doubles the wait.
		e.clock.advance(time.Second)
		e.from(guesser, e.admin).want(t, http.StatusOK)
		e.from(guesser, badKey).wantError(t, http.StatusUnauthorized, "invalid_api_key")
		if ra := e.from(guesser, e.admin).header.Get("Retry-After"); ra != "2" {
			t.Errorf("Retry-After %q after 4 failures, want 2", ra)
		}
		// A quiet quarter of an hour forgets them.
		e.clock.advance(16 * time.Minute)
		for range 3 {
			e.from(guesser, badKey).wantError(t, http.StatusUnauthorized, "invalid_api_key")
		}
	})
}

// TestSignInAndAPIShareTheBackoff checks the case: an address the sign-in page
// had locked out went on guessing keys at the API.
func TestSignInAndAPIShareTheBackoff(t *testing.T) {
	eachAPIWith(t, apiOptions{behindProxy: true}, func(t *testing.T, e *apiEnv) {
		signIn := func(addr, key string) int {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/login", strings.NewReader(url.Values{"key": {key}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", e.srv.URL)
			req.Header.Set("X-Forwarded-For", addr)
			res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		const web, api = "192.0.2.44", "192.0.2.45"
		for range 3 {
			if code := signIn(web, badKey); code != http.StatusUnauthorized {
				t.Fatalf("failed sign-in: %d", code)
			}
		}
		e.from(web, e.admin).wantError(t, http.StatusTooManyRequests, "too_many_failures")

		for range 3 {
			e.from(api, badKey).wantError(t, http.StatusUnauthorized, "invalid_api_key")
		}
		if code := signIn(api, e.admin); code != http.StatusTooManyRequests {
			t.Errorf("sign-in after 3 failed API keys: %d, want 429", code)
		}
		if code := signIn("192.0.2.46", e.admin); code != http.StatusSeeOther {
			t.Errorf("sign-in from another address: %d, want 303", code)
		}
	})
}

// TestTrustedProxies checks that X-Forwarded-For names the client only when the peer is a
// trusted proxy, for the backoff and in the logs.
func TestTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		name   string
		proxy  bool
		remote string // the logged address of the guesses
	}{{"direct", false, "127.0.0.1"}, {"behind a trusted proxy", true, "203.0.113.1"}} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logCapture{}
			eachAPIWith(t, apiOptions{behindProxy: tc.proxy, logs: logs.handler()}, func(t *testing.T, e *apiEnv) {
				for range 3 {
					e.from("203.0.113.1", badKey).wantError(t, http.StatusUnauthorized, "invalid_api_key")
				}
				// The proxy appends the address it sees; what the client wrote is left of it
				// and cannot get the client out of its wait.
				spoofed := e.call(http.MethodGet, "/api/requests", e.admin, nil, "X-Forwarded-For", "203.0.113.2, 203.0.113.1")
				spoofed.wantError(t, http.StatusTooManyRequests, "too_many_failures")
				// Another client behind the proxy is someone else only if the proxy is trusted.
				if res := e.from("203.0.113.2", e.admin); tc.proxy {
					res.want(t, http.StatusOK)
				} else {
					res.wantError(t, http.StatusTooManyRequests, "too_many_failures")
				}
			})
			refused := 0
			for _, rec := range logs.where(t, "msg", "Request served.") {
				if rec["status"] == float64(http.StatusUnauthorized) {
					refused++
					if rec["remote"] != tc.remote {
						t.Errorf("refused guess logged from %v, want %s", rec["remote"], tc.remote)
					}
				}
			}
			if refused == 0 {
				t.Error("no refused guess was logged")
			}
		})
	}
}
