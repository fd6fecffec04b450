package handlers_test

import (
	"net/http"
	"testing"
)

// Every 401 of the API carries a Bearer challenge (RFC 6750): the scheme alone when no key
// was sent, and error="invalid_token" when the key sent was refused. Dashboard pages answer
// a missing session with a sign-in page, not a challenge.
func TestAPIUnauthorizedCarriesBearerChallenge(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		const bare, refused = `Bearer realm="agentgate"`, `Bearer realm="agentgate", error="invalid_token"`
		cases := []struct {
			name, method, path string
			hdr                []string
			code, challenge    string
		}{
			{"no key", "GET", "/api/requests", nil, "missing_api_key", bare},
			{"basic auth", "POST", "/api/requests", []string{"Authorization", "Basic YTpi"}, "missing_api_key", bare},
			{"unknown key", "GET", "/api/policies", []string{"Authorization", "Bearer agk_nope"}, "invalid_api_key", refused},
			{"unknown route", "GET", "/api/nothing", []string{"Authorization", "Bearer agk_nope"}, "invalid_api_key", refused},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := e.call(tc.method, tc.path, "", nil, tc.hdr...)
				res.wantError(t, http.StatusUnauthorized, tc.code)
				if got := res.header.Get("WWW-Authenticate"); got != tc.challenge {
					t.Errorf("WWW-Authenticate %q, want %q", got, tc.challenge)
				}
			})
		}
		page := e.call("GET", "/requests", "", nil)
		if got := page.header.Get("WWW-Authenticate"); got != "" {
			t.Errorf("a dashboard page answered with a challenge %q", got)
		}
	})
}
