package handlers_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
)

// badInput is one call the API must refuse without writing anything.
type badInput struct {
	name         string
	method, path string // path may hold {pending}, {reason}, {policy}, {key}
	body         any
	hdr          []string
	status       int
	code         string
	says         []string // substrings of the message
	detail       [2]string
}

func TestAPIRefusesBadInput(t *testing.T) {
	big := `{"action":"x","params":{"blob":"` + strings.Repeat("a", 1<<20) + `"}}`
	longReason := `{"decision":"approved","reason":"` + strings.Repeat("r", ag.MaxReasonLen+1) + `"}`
	const (
		reqs   = "/api/requests"
		decide = "/api/requests/{pending}/decide"
		pol    = `{"name":"p","rules":[{"match":{"action":"x"},"decision":"auto_approve"}]}`
	)
	cases := []badInput{
		{name: "malformed JSON", method: "POST", path: reqs, body: `{"action":`, status: 400, code: "invalid_json"},
		{name: "not JSON", method: "POST", path: reqs, body: `{"action" "x"}`, status: 400, code: "invalid_json"},
		{name: "array body", method: "POST", path: reqs, body: `[{"action":"x"}]`, status: 400, code: "invalid_json"},
		{name: "empty body", method: "POST", path: reqs, body: ``, status: 400, code: "invalid_json"},
		{name: "two objects", method: "POST", path: reqs, body: `{"action":"x"} {"action":"y"}`, status: 400, code: "invalid_json"},
		{name: "params as array", method: "POST", path: reqs, body: `{"action":"x","params":[1,2]}`, status: 400, code: "invalid_params", says: []string{"params"}},
		{name: "context as string", method: "POST", path: reqs, body: `{"action":"x","context":"hi"}`, status: 400, code: "invalid_context"},
		{name: "urgency as number", method: "POST", path: reqs, body: `{"action":"x","urgency":3}`, status: 400, code: "invalid_field", detail: [2]string{"field", "urgency"}},
		{name: "action as number", method: "POST", path: reqs, body: `{"action":7}`, status: 400, code: "invalid_field", detail: [2]string{"field", "action"}},
		{name: "unknown urgency", method: "POST", path: reqs, body: `{"action":"x","urgency":"asap"}`, status: 400, code: "invalid_urgency"},
		{name: "missing action", method: "POST", path: reqs, body: `{"params":{}}`, status: 400, code: "missing_field", says: []string{"action"}},
		{name: "blank action", method: "POST", path: reqs, body: `{"action":"  "}`, status: 400, code: "missing_field"},
		{name: "unknown field", method: "POST", path: reqs, body: `{"action":"x","priority":1}`, status: 400, code: "unknown_field", detail: [2]string{"field", "priority"}},
		{name: "past expiry", method: "POST", path: reqs, body: `{"action":"x","expiresAt":"2026-03-02T09:00:00Z"}`, status: 400, code: "invalid_expires_at"},
		{name: "expiry not a time", method: "POST", path: reqs, body: `{"action":"x","expiresAt":"tomorrow"}`, status: 400, code: "invalid_field", says: []string{"RFC 3339", "tomorrow"}},
		{name: "expiry a number", method: "POST", path: reqs, body: `{"action":"x","expiresAt":1767225600}`, status: 400, code: "invalid_field", says: []string{"RFC 3339"}},
		{name: "text content type", method: "POST", path: reqs, body: `{"action":"x"}`, hdr: []string{"Content-Type", "text/plain"}, status: 415, code: "unsupported_media_type"},
		{name: "form content type", method: "POST", path: reqs, body: `action=x`, hdr: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 415, code: "unsupported_media_type"},
		{name: "look-alike content type", method: "POST", path: reqs, body: `{"action":"x"}`, hdr: []string{"Content-Type", "application/jsonp"}, status: 415, code: "unsupported_media_type"},
		{name: "oversized body", method: "POST", path: reqs, body: big, status: 413, code: "body_too_large"},
		{name: "oversized chunked body", method: "POST", path: reqs, body: chunked(big), status: 413, code: "body_too_large"},

		// PostgreSQL cannot store these; SQLite could, but both refuse them alike.
		{name: "NUL in action", method: "POST", path: reqs, body: `{"action":"a\u0000b"}`, status: 400, code: "invalid_text", says: []string{"NUL"}},
		{name: "NUL in params", method: "POST", path: reqs, body: `{"action":"x","params":{"s":"\u0000"}}`, status: 400, code: "invalid_text"},
		{name: "high surrogate alone", method: "POST", path: reqs, body: `{"action":"x","context":{"s":"\ud800x"}}`, status: 400, code: "invalid_text", says: []string{"surrogate"}},
		{name: "low surrogate alone", method: "POST", path: reqs, body: `{"action":"x","params":{"s":"\uDC00"}}`, status: 400, code: "invalid_text"},
		{name: "not UTF-8", method: "POST", path: reqs, body: "{\"action\":\"x\",\"params\":{\"s\":\"\xff\"}}", status: 400, code: "invalid_json", says: []string{"UTF-8"}},
		{name: "NUL in policy name", method: "POST", path: "/api/policies", body: `{"name":"p\u0000","rules":[]}`, status: 400, code: "invalid_text"},
		{name: "NUL in key name", method: "POST", path: "/api/api-keys", body: `{"name":"k\u0000","scopes":["admin"]}`, status: 400, code: "invalid_text"},
		{name: "NUL in reason", method: "POST", path: decide, body: `{"decision":"denied","reason":"\u0000"}`, status: 400, code: "invalid_text"},
		{name: "NUL in q", method: "GET", path: reqs + "?q=a%00", status: 400, code: "invalid_query", detail: [2]string{"param", "q"}},
		{name: "actor not UTF-8", method: "GET", path: "/api/audit?actor=%ff", status: 400, code: "invalid_query", detail: [2]string{"param", "actor"}},
		{name: "NUL in request id", method: "GET", path: "/api/requests/req%00", status: 404, code: "not_found"},
		{name: "NUL in policy id", method: "DELETE", path: "/api/policies/pol%00", status: 404, code: "not_found"},
		{name: "NUL in key id", method: "PATCH", path: "/api/api-keys/key%00", body: `{"name":"x"}`, status: 404, code: "not_found"},

		{name: "unknown decision", method: "POST", path: decide, body: `{"decision":"maybe"}`, status: 400, code: "invalid_decision"},
		{name: "missing decision", method: "POST", path: decide, body: `{"reason":"ok"}`, status: 400, code: "missing_field", says: []string{"decision"}},
		{name: "unknown field in decision", method: "POST", path: decide, body: `{"decision":"approved","approver":"ceo"}`, status: 400, code: "unknown_field"}, // decidedBy is accepted: TestAPIDecideIgnoresDecidedBy
		{name: "reason as number", method: "POST", path: decide, body: `{"decision":"approved","reason":5}`, status: 400, code: "invalid_field", detail: [2]string{"field", "reason"}},
		{name: "reason too long", method: "POST", path: decide, body: longReason, status: 400, code: "invalid_reason"},
		{name: "oversized decision", method: "POST", path: decide, body: big, status: 413, code: "body_too_large"},
		{name: "reason required", method: "POST", path: "/api/requests/{reason}/decide", body: `{"decision":"approved"}`, status: 422, code: "reason_required"},
		{name: "blank reason", method: "POST", path: "/api/requests/{reason}/decide", body: `{"decision":"denied","reason":"  "}`, status: 422, code: "reason_required"},
		{name: "decide unknown request", method: "POST", path: "/api/requests/req_nope/decide", body: `{"decision":"approved"}`, status: 404, code: "not_found", says: []string{"req_nope"}},
		{name: "cancel unknown request", method: "POST", path: "/api/requests/req_nope/cancel", status: 404, code: "not_found"},
		{name: "cancel reason as number", method: "POST", path: "/api/requests/{pending}/cancel", body: `{"reason":5}`, status: 400, code: "invalid_field"},
		{name: "cancel unknown field", method: "POST", path: "/api/requests/{pending}/cancel", body: `{"why":"x"}`, status: 400, code: "unknown_field"},
		{name: "get unknown request", method: "GET", path: "/api/requests/req_nope", status: 404, code: "not_found"},
		{name: "wait on unknown request", method: "GET", path: "/api/requests/req_nope?wait=30s", status: 404, code: "not_found"},
		{name: "audit of unknown request", method: "GET", path: "/api/requests/req_nope/audit", status: 404, code: "not_found"},

		{name: "limit=0", method: "GET", path: reqs + "?limit=0", status: 400, code: "invalid_query", detail: [2]string{"param", "limit"}},
		{name: "limit=abc", method: "GET", path: reqs + "?limit=abc", status: 400, code: "invalid_query", detail: [2]string{"param", "limit"}},
		{name: "offset=-1", method: "GET", path: reqs + "?offset=-1", status: 400, code: "invalid_query", detail: [2]string{"param", "offset"}},
		{name: "status=bogus", method: "GET", path: reqs + "?status=bogus", status: 400, code: "invalid_query", detail: [2]string{"param", "status"}},
		{name: "urgency=asap", method: "GET", path: reqs + "?urgency=asap", status: 400, code: "invalid_query", detail: [2]string{"param", "urgency"}},
		{name: "sort=random", method: "GET", path: reqs + "?sort=random", status: 400, code: "invalid_query", detail: [2]string{"param", "sort"}},
		{name: "from=yesterday", method: "GET", path: reqs + "?from=yesterday", status: 400, code: "invalid_query", detail: [2]string{"param", "from"}},
		{name: "to=2026-13-01", method: "GET", path: reqs + "?to=2026-13-01", status: 400, code: "invalid_query", detail: [2]string{"param", "to"}},
		{name: "from after to", method: "GET", path: reqs + "?from=2026-03-02&to=2026-03-01", status: 400, code: "invalid_query"},
		{name: "wait=forever", method: "GET", path: "/api/requests/{pending}?wait=forever", status: 400, code: "invalid_query", detail: [2]string{"param", "wait"}},
		{name: "wait=-1s", method: "GET", path: "/api/requests/{pending}?wait=-1s", status: 400, code: "invalid_query", detail: [2]string{"param", "wait"}},
		{name: "audit limit=0", method: "GET", path: "/api/audit?limit=0", status: 400, code: "invalid_query", detail: [2]string{"param", "limit"}},
		{name: "audit from=yesterday", method: "GET", path: "/api/audit?from=yesterday", status: 400, code: "invalid_query", detail: [2]string{"param", "from"}},
		{name: "keys limit=abc", method: "GET", path: "/api/api-keys?limit=abc", status: 400, code: "invalid_query"},
		{name: "policies offset=x", method: "GET", path: "/api/policies?offset=x", status: 400, code: "invalid_query"},

		{name: "bad regex", method: "POST", path: "/api/policies", body: `{"name":"p","rules":[{"match":{"action":"x"},"decision":"auto_approve"},
			{"match":{"params.to":{"$regex":"(unclosed"}},"decision":"auto_deny"}]}`, status: 400, code: "invalid_policy", says: []string{"rules[1]", "params.to"}, detail: [2]string{"key", "params.to"}},
		{name: "bad regex on update", method: "PUT", path: "/api/policies/{policy}", body: `{"name":"p","rules":[{"match":{"to":{"$regex":"["}},"decision":"auto_deny"}]}`, status: 400, code: "invalid_policy", says: []string{"rules[0]", "to"}},
		{name: "policy without name", method: "POST", path: "/api/policies", body: `{"rules":[]}`, status: 400, code: "invalid_policy", detail: [2]string{"field", "name"}},
		{name: "unknown rule decision", method: "POST", path: "/api/policies", body: `{"name":"p","rules":[{"match":{},"decision":"maybe"}]}`, status: 400, code: "invalid_policy", says: []string{"rules[0]"}},
		{name: "rules as object", method: "POST", path: "/api/policies", body: `{"name":"p","rules":{}}`, status: 400, code: "invalid_field", detail: [2]string{"field", "rules"}},
		{name: "get unknown policy", method: "GET", path: "/api/policies/pol_nope", status: 404, code: "not_found"},
		{name: "update unknown policy", method: "PUT", path: "/api/policies/pol_nope", body: pol, status: 404, code: "not_found"},
		{name: "delete unknown policy", method: "DELETE", path: "/api/policies/pol_nope", status: 404, code: "not_found"},
		{name: "dry-run unknown policy", method: "POST", path: "/api/policies/pol_nope/dry-run", body: `{"action":"x"}`, status: 404, code: "not_found"},
		{name: "dry-run without action", method: "POST", path: "/api/policies/{policy}/dry-run", body: `{}`, status: 400, code: "missing_field"},
		{name: "simulate backwards", method: "POST", path: "/api/policies/simulate", body: `{"policy":` + pol + `,"from":"2026-03-02T00:00:00Z","to":"2026-03-01T00:00:00Z"}`, status: 400, code: "invalid_range"},
		{name: "simulate from not a time", method: "POST", path: "/api/policies/simulate", body: `{"policy":` + pol + `,"from":"yesterday"}`, status: 400, code: "invalid_field"},
		{name: "simulate bad regex", method: "POST", path: "/api/policies/simulate", body: `{"policy":{"name":"d","rules":[{"match":{"a":{"$regex":"("}},"decision":"auto_deny"}]}}`, status: 400, code: "invalid_policy"},

		{name: "key without name", method: "POST", path: "/api/api-keys", body: `{"scopes":["admin"]}`, status: 400, code: "missing_field"},
		{name: "key without scopes", method: "POST", path: "/api/api-keys", body: `{"name":"k"}`, status: 400, code: "invalid_scopes"},
		{name: "key unknown scope", method: "POST", path: "/api/api-keys", body: `{"name":"k","scopes":["root"]}`, status: 400, code: "invalid_scopes"},
		{name: "key rate limit text", method: "POST", path: "/api/api-keys", body: `{"name":"k","scopes":["admin"],"rateLimit":"ten"}`, status: 400, code: "invalid_request", says: []string{"rateLimit"}},
		{name: "key rate limit zero", method: "POST", path: "/api/api-keys", body: `{"name":"k","scopes":["admin"],"rateLimit":0}`, status: 400, code: "invalid_rate_limit"},
		{name: "key secret in body", method: "POST", path: "/api/api-keys", body: `{"name":"k","scopes":["admin"],"key":"agk_mine"}`, status: 400, code: "unknown_field"},
		{name: "get unknown key", method: "GET", path: "/api/api-keys/key_nope", status: 404, code: "not_found"},
		{name: "update unknown key", method: "PATCH", path: "/api/api-keys/key_nope", body: `{"name":"x"}`, status: 404, code: "not_found"},
		{name: "update key bad scope", method: "PATCH", path: "/api/api-keys/{key}", body: `{"scopes":["root"]}`, status: 400, code: "invalid_scopes"},
		{name: "revoke unknown key", method: "DELETE", path: "/api/api-keys/key_nope", status: 404, code: "not_found"},

		{name: "unknown route", method: "GET", path: "/api/nope", status: 404, code: "route_not_found"},
		{name: "wrong method", method: "PUT", path: reqs, body: `{}`, status: 405, code: "method_not_allowed", says: []string{"GET, POST"}},
		{name: "wrong method on an id", method: "POST", path: "/api/policies/pol_x", body: `{}`, status: 405, code: "method_not_allowed", says: []string{"DELETE, GET, PUT"}},
		{name: "unknown route under an id", method: "GET", path: "/api/requests/x/nope", status: 404, code: "route_not_found"},
	}
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		agent, _ := e.newKey("agent", nil, ag.ScopeRequestCreate)
		e.must(http.StatusCreated, "POST", "/api/policies", e.admin,
			`{"name":"money","rules":[{"match":{"action":"transfer_funds"},"decision":"route_to_human","requireReason":true}]}`, nil)
		var policy ag.Policy
		e.must(http.StatusCreated, "POST", "/api/policies", e.admin, `{"name":"spare","enabled":false,"rules":[]}`, &policy)
		_, keyID := e.newKey("spare", nil, ag.ScopeRequestRead)
		ids := strings.NewReplacer("{pending}", e.submit(agent, `{"action":"deploy"}`).ID,
			"{reason}", e.submit(agent, `{"action":"transfer_funds"}`).ID, "{policy}", policy.ID, "{key}", keyID)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e := e.in(t)
				before := e.counts()
				r := e.call(c.method, ids.Replace(c.path), e.admin, c.body, c.hdr...)
				ae := r.wantError(t, c.status, c.code)
				for _, s := range c.says {
					if !strings.Contains(ae.Error, s) {
						t.Errorf("message %q does not mention %q", ae.Error, s)
					}
				}
				if c.detail[0] != "" && ae.Details[c.detail[0]] != c.detail[1] {
					t.Errorf("details %v, want %s = %q", ae.Details, c.detail[0], c.detail[1])
				}
				if after := e.counts(); after != before {
					t.Errorf("a refused call wrote something: %+v, then %+v", before, after)
				}
			})
		}
	})
}

// TestAPIAcceptsEdgeInput: any spelling of application/json is JSON, surrogate pairs and
// escaped backslashes are text like any other, and a body just under the limit is accepted.
func TestAPIAcceptsEdgeInput(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8", ""} {
			r := e.call(http.MethodPost, "/api/requests", e.admin, `{"action":"x"}`, "Content-Type", ct)
			r.want(t, http.StatusCreated)
		}
		r := e.submit(e.admin, `{"action":"x","params":{"emoji":"\ud83d\ude00","path":"C:\\u0000dir"}}`)
		var got ag.Request
		e.must(http.StatusOK, http.MethodGet, "/api/requests/"+r.ID, e.admin, nil, &got)
		var params map[string]string
		if err := json.Unmarshal(got.Params, &params); err != nil || params["emoji"] != "😀" || params["path"] != `C:\u0000dir` {
			t.Errorf("params = %s (%v)", got.Params, err)
		}
		blob := strings.Repeat("a", 1<<20-100)
		e.must(http.StatusCreated, http.MethodPost, "/api/requests", e.admin, `{"action":"x","params":{"blob":"`+blob+`"}}`, nil)
	})
}

// A method a route does not take is a 405 whose Allow header lists the ones it does; a key
// is still needed to learn that.
func TestWrongMethodAllow(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		res := e.call("DELETE", "/api/requests/req_1/decide", e.admin, nil)
		if res.status != http.StatusMethodNotAllowed || res.header.Get("Allow") != "POST" {
			t.Fatalf("DELETE on decide: %d, Allow %q: %s", res.status, res.header.Get("Allow"), res.body)
		}
		if res := e.call("DELETE", "/api/requests/req_1/decide", "", nil); res.status != http.StatusUnauthorized {
			t.Fatalf("without a key: %d", res.status)
		}
	})
}
