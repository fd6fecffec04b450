package handlers_test

import (
	"net/http"
	"net/url"
	"testing"
)

// TestSignInRedirectStaysLocal checks that ?next= (on the sign-in page, and in the form it
// posts) only ever leads to a path on this server. Each unsafe value is one a browser
// would turn into another host: it drops tabs and newlines and reads "\" as "/".
func TestSignInRedirectStaysLocal(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	signedIn := e.login(e.admin)
	// The URL, as sent.
	res, _ := signedIn.get("/login?next=/%09/evil.example/phish", false)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/" {
		t.Errorf("GET /login?next=/%%09/evil.example/phish: %d, Location %q; want 303 to /", res.StatusCode, loc)
	}
	for _, tc := range []struct{ next, want string }{
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"/\\/evil.example", "/"},
		{"https://evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"/ /evil.example", "/"},
		{"/\u00a0/evil.example", "/"},
		{"/\u2028/evil.example", "/"},
		{"/\x00/evil.example", "/"},
		{"/login?next=//evil.example", "/"},
		{"/ok?x=1", "/ok?x=1"},
		{"/requests?status=pending&urgency=high", "/requests?status=pending&urgency=high"},
		{"/requests/req_01J0000000000000000000000", "/requests/req_01J0000000000000000000000"},
		{"/audit#recent", "/audit#recent"},
	} {
		next := tc.next
		// A signed-in visitor is moved on from /login at once.
		res, _ := signedIn.get("/login?next="+url.QueryEscape(next), false)
		wantStatus(t, res, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != tc.want {
			t.Errorf("GET /login?next=%q: Location %q, want %q", next, loc, tc.want)
		}
		// Signing in sends the visitor where the form's next says.
		res, _ = e.browser().post("/login", url.Values{"key": {e.admin}, "next": {next}}, false)
		wantStatus(t, res, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != tc.want {
			t.Errorf("POST /login next=%q: Location %q, want %q", next, loc, tc.want)
		}
	}
}
