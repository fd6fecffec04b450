package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/views"
)

// deepParams is issue 8's value: 9,990 nested arrays holding 20,000 zeros, about 60 KB.
// Intake refuses it now; requests stored before may still hold it.
var deepParams = `{"a":` + strings.Repeat("[", 9990) + strings.Repeat("0,", 19999) + "0" + strings.Repeat("]", 9990) + `}`

// plant stores a pending request with params as they are, past the intake checks, as a
// request stored by an earlier version would be.
func plant(t testing.TB, s ag.Store, at time.Time, params string) *ag.Request {
	t.Helper()
	r := &ag.Request{ID: ag.NewID("req", at), Action: "deep", Params: json.RawMessage(params), Context: json.RawMessage(`{}`),
		Urgency: ag.UrgencyNormal, Status: ag.StatusPending, CreatedBy: "old-agent", CreatedAt: at, UpdatedAt: at,
		ExpiresAt: at.Add(time.Hour), PolicyDecision: ag.Outcome{Decision: ag.RouteToHuman}, RequiredApprovals: 1, Votes: []ag.Vote{}}
	if err := s.CreateRequest(context.Background(), r, ag.Effects{}); err != nil {
		t.Fatal(err)
	}
	return r
}

// ?pretty on a deep stored request answered 600 MB; it now stops at the limit and says so,
// and the same URL without ?pretty gives the whole value.
func TestAPIPrettyIsBounded(t *testing.T) {
	var store *db.Store
	eachAPIWith(t, apiOptions{wrap: func(s *db.Store) ag.Store { store = s; return s }}, func(t *testing.T, e *apiEnv) {
		r := plant(t, store, apiT0, deepParams)
		for _, path := range []string{"/api/requests/" + r.ID + "?pretty", "/api/requests?pretty"} {
			res := e.must(http.StatusOK, http.MethodGet, path, e.admin, nil, nil)
			body := string(res.body)
			if len(body) > views.PrettyLimit+200 || !strings.Contains(body, "\n… truncated, ") ||
				!strings.HasSuffix(body, " bytes more; without ?pretty the answer is whole\n") {
				t.Fatalf("%s: %d bytes, ending %q", path, len(body), body[max(0, len(body)-200):])
			}
		}
		var whole ag.Request
		e.must(http.StatusOK, http.MethodGet, "/api/requests/"+r.ID, e.admin, nil, &whole)
		if !sameJSON(t, whole.Params, []byte(deepParams)) {
			t.Fatalf("the whole value differs from what was stored")
		}
		// A small answer is indented whole, as encoding/json indents it.
		small := e.submit(e.admin, `{"action":"x","params":{"a":[1]}}`)
		res := e.must(http.StatusOK, http.MethodGet, "/api/requests/"+small.ID+"?pretty", e.admin, nil, nil)
		if !strings.Contains(string(res.body), "\n  \"params\": {\n    \"a\": [\n      1\n    ]\n  },\n") {
			t.Fatalf("small answer: %s", res.body)
		}
	})
}

// The request page showed the deep value indented in full; it now shows a bounded part,
// says how much is left out, and links to the whole value, which a signed-in person with
// request:read can open. (The deep value alone now fits: below 32 levels the page shows
// the JSON as it is; a long string beside it is what makes it too large.)
func TestRequestPageBoundsLargeValues(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	bigParams := deepParams[:len(deepParams)-1] + `,"big":"` + strings.Repeat("x", views.PrettyLimit) + `"}`
	r := plant(t, e.store, e.clock.Now(), bigParams)
	b := e.login(e.key("reader", ag.ScopeRequestRead))
	res, p := b.get("/requests/"+r.ID, false)
	wantStatus(t, res, http.StatusOK)
	if len(p.body) > views.PrettyLimit+64<<10 {
		t.Fatalf("page is %d bytes", len(p.body))
	}
	note := p.must(t, "params-truncated", 1)
	p.must(t, "context-truncated", 0)
	if !strings.Contains(text(note), "truncated, ") || !strings.Contains(text(note), " bytes more") {
		t.Errorf("note %q", text(note))
	}
	href, _ := note.Find("a").Attr("href")
	if href != "/requests/"+r.ID+"/params.json" {
		t.Fatalf("raw link %q", href)
	}
	res, raw := b.get(href, false)
	wantStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || !sameJSON(t, []byte(raw.body), []byte(bigParams)) {
		t.Fatalf("raw params: %s, %d bytes", ct, len(raw.body))
	}
	res, raw = b.get("/requests/"+r.ID+"/context.json", false)
	if wantStatus(t, res, http.StatusOK); raw.body != "{}" {
		t.Errorf("raw context %q", raw.body)
	}
	// Like the page, the raw value needs a session with request:read.
	if res, _ := e.browser().get(href, false); res.StatusCode == http.StatusOK {
		t.Errorf("raw params without a session: status %d", res.StatusCode)
	}
	if res, _ := e.login(e.key("auditor", ag.ScopeAuditRead)).get(href, false); res.StatusCode != http.StatusForbidden {
		t.Errorf("raw params without request:read: status %d", res.StatusCode)
	}
}

// sameJSON reports whether a and b hold the same JSON value.
func sameJSON(t testing.TB, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("decode %.100s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("decode %.100s: %v", b, err)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}
