package handlers_test

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

func TestAPIKeys(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		res := e.call(http.MethodPost, "/api/api-keys", e.admin, `{"name":"ci-bot","scopes":["request:create","request:read"],"rateLimit":10}`)
		res.want(t, http.StatusCreated)
		var created struct {
			ag.APIKey
			Key    string `json:"key"`
			Hash   *string
			Active bool `json:"active"`
		}
		res.decode(t, &created)
		secret, id := created.Key, created.ID
		if !strings.HasPrefix(secret, "agk_") || created.Prefix != secret[:10] || created.Hash != nil ||
			created.Name != "ci-bot" || created.RateLimit == nil || *created.RateLimit != 10 || created.RequestCount != 0 ||
			created.LastUsedAt != nil || created.RevokedAt != nil || !created.Active || !reflect.DeepEqual(created.Scopes, []ag.Scope{ag.ScopeRequestCreate, ag.ScopeRequestRead}) {
			t.Fatalf("created key = %s", res.body)
		}
		if cc := res.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q on the response with the secret", cc)
		}
		hidden := func(r *apiResponse) {
			t.Helper()
			for _, s := range []string{secret, ag.HashKey(secret), `"key"`} {
				if strings.Contains(string(r.body), s) {
					t.Errorf("%s %s shows %q: %s", r.method, r.path, s, r.body)
				}
			}
		}
		var k ag.APIKey
		hidden(e.must(http.StatusOK, http.MethodGet, "/api/api-keys/"+id, e.admin, nil, &k))
		var l apiList
		hidden(e.must(http.StatusOK, http.MethodGet, "/api/api-keys", e.admin, nil, &l))
		if l.Pagination.Total != 2 || l.Keys[0].ID != id || l.Keys[0].Prefix != created.Prefix {
			t.Errorf("list = %+v", l)
		}

		// Usage is counted in memory and appears once flushed.
		for range 2 {
			e.must(http.StatusOK, http.MethodGet, "/api/requests", secret, nil, nil)
		}
		e.clock.advance(time.Minute)
		e.must(http.StatusCreated, http.MethodPost, "/api/requests", secret, `{"action":"x"}`, nil)
		e.gate.FlushUsage(t.Context())
		e.must(http.StatusOK, http.MethodGet, "/api/api-keys/"+id, e.admin, nil, &k)
		if k.RequestCount != 3 || k.LastUsedAt == nil || !k.LastUsedAt.Equal(apiT0.Add(time.Minute)) {
			t.Errorf("usage: %d requests, last %v; want 3 at %v", k.RequestCount, k.LastUsedAt, apiT0.Add(time.Minute))
		}

		// PATCH changes the fields given: an absent rateLimit stays, null makes it unlimited.
		patch := func(body string) ag.APIKey {
			t.Helper()
			var k ag.APIKey
			e.must(http.StatusOK, http.MethodPatch, "/api/api-keys/"+id, e.admin, body, &k)
			return k
		}
		if k := patch(`{"name":"ci-bot-2"}`); k.Name != "ci-bot-2" || k.RateLimit == nil || *k.RateLimit != 10 || len(k.Scopes) != 2 {
			t.Errorf("rename = %+v", k)
		}
		if k := patch(`{"rateLimit":null}`); k.RateLimit != nil || k.Name != "ci-bot-2" {
			t.Errorf("rateLimit null = %+v", k)
		}
		if k := patch(`{"rateLimit":25}`); k.RateLimit == nil || *k.RateLimit != 25 {
			t.Errorf("rateLimit 25 = %+v", k)
		}
		// Scopes change from the next request on.
		patch(`{"scopes":["request:read"]}`)
		e.call(http.MethodPost, "/api/requests", secret, `{"action":"x"}`).wantError(t, http.StatusForbidden, "missing_scope")
		e.must(http.StatusOK, http.MethodGet, "/api/requests", secret, nil, nil)

		// Revocation holds from the very next request, even with the key cached. DELETE
		// answers as the original did, with success and the id.
		var del map[string]any
		e.must(http.StatusOK, http.MethodDelete, "/api/api-keys/"+id, e.admin, nil, &del)
		if !reflect.DeepEqual(del, map[string]any{"success": true, "id": id}) {
			t.Errorf("DELETE = %v", del)
		}
		var revoked struct {
			ag.APIKey
			Active *bool `json:"active"`
		}
		e.must(http.StatusOK, http.MethodGet, "/api/api-keys/"+id, e.admin, nil, &revoked)
		if revoked.RevokedAt == nil || revoked.Active == nil || *revoked.Active {
			t.Errorf("revoked = %+v", revoked)
		}
		e.call(http.MethodGet, "/api/requests", secret, nil).wantError(t, http.StatusUnauthorized, "invalid_api_key")
		e.must(http.StatusOK, http.MethodDelete, "/api/api-keys/"+id, e.admin, nil, nil)
		e.call(http.MethodPatch, "/api/api-keys/"+id, e.admin, `{"name":"back"}`).wantError(t, http.StatusConflict, "key_revoked")

		e.must(http.StatusOK, http.MethodGet, "/api/audit?actor="+apiAdminName+"&limit=200", e.admin, nil, &l)
		var types []string
		for _, ev := range l.Entries {
			if strings.HasPrefix(ev.EventType, "api_key.") {
				types = append(types, ev.EventType)
			}
		}
		want := []string{"api_key.revoked", "api_key.updated", "api_key.updated", "api_key.updated", "api_key.updated", "api_key.created"}
		if !reflect.DeepEqual(types, want) {
			t.Errorf("key audit, newest first = %v, want %v", types, want)
		}
	})
}

func TestAPIRateLimit(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		three := 3
		limited, id := e.newKey("limited", &three, ag.ScopeRequestRead, ag.ScopeRequestCreate)
		free, _ := e.newKey("free", nil, ag.ScopeRequestRead)
		// apiT0 is 15 s into its minute: the window resets in 45 s.
		for i, remaining := range []string{"2", "1", "0"} {
			res := e.must(http.StatusOK, http.MethodGet, "/api/requests", limited, nil, nil)
			got := []string{res.header.Get("X-RateLimit-Limit"), res.header.Get("X-RateLimit-Remaining"), res.header.Get("X-RateLimit-Reset")}
			if want := []string{"3", remaining, "45"}; !reflect.DeepEqual(got, want) {
				t.Errorf("call %d: limit, remaining, reset = %v, want %v", i+1, got, want)
			}
		}
		res := e.call(http.MethodGet, "/api/requests", limited, nil)
		ae := res.wantError(t, http.StatusTooManyRequests, "rate_limited")
		if res.header.Get("Retry-After") != "45" || res.header.Get("X-RateLimit-Remaining") != "0" || ae.Details["retryAfter"] != float64(45) {
			t.Errorf("429 headers %v, details %v", res.header, ae.Details)
		}
		if res.header.Get("X-Request-ID") == "" {
			t.Error("429 without X-Request-ID")
		}
		// A refused call is not served: nothing is created.
		before := e.counts()
		e.call(http.MethodPost, "/api/requests", limited, `{"action":"x"}`).wantError(t, http.StatusTooManyRequests, "rate_limited")
		if after := e.counts(); after != before {
			t.Errorf("a rate-limited call wrote: %+v, then %+v", before, after)
		}

		// Other keys are not limited by it, and an unlimited key gets no headers.
		res = e.must(http.StatusOK, http.MethodGet, "/api/requests", free, nil, nil)
		if h := res.header.Get("X-RateLimit-Limit"); h != "" {
			t.Errorf("unlimited key got X-RateLimit-Limit %q", h)
		}

		// Two minutes on, the window is empty again.
		e.clock.advance(2 * time.Minute)
		res = e.must(http.StatusOK, http.MethodGet, "/api/requests", limited, nil, nil)
		if res.header.Get("X-RateLimit-Remaining") != "2" {
			t.Errorf("after the window: remaining %q", res.header.Get("X-RateLimit-Remaining"))
		}
		// Raising the limit takes effect on the next call.
		e.must(http.StatusOK, http.MethodPatch, "/api/api-keys/"+id, e.admin, `{"rateLimit":100}`, nil)
		res = e.must(http.StatusOK, http.MethodGet, "/api/requests", limited, nil, nil)
		if n, _ := strconv.Atoi(res.header.Get("X-RateLimit-Limit")); n != 100 {
			t.Errorf("after raising: limit %q", res.header.Get("X-RateLimit-Limit"))
		}
	})
}
