package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
)

// scopedRoute is one row of the scope matrix: the scopes (besides admin) that may call the
// route, the status of a successful call, and how to build one for the caller named.
type scopedRoute struct {
	scopes []ag.Scope
	ok     int
	call   func(e *apiEnv, caller string) (path string, body any)
}

// scopeMatrix has a row for every /api route in routes.go; TestAPIScopeMatrix fails when a
// route has no row, so a new route must say who may call it.
func scopeMatrix() map[string]scopedRoute {
	fixed := func(path string, body any) func(*apiEnv, string) (string, any) {
		return func(*apiEnv, string) (string, any) { return path, body }
	}
	request := func(suffix string, body any) func(*apiEnv, string) (string, any) {
		return func(e *apiEnv, caller string) (string, any) {
			r, err := e.gate.Submit(context.Background(), ag.Actor{Name: caller, Type: ag.ActorAPIKey}, ag.NewRequest{Action: "scope_check"})
			if err != nil {
				e.t.Fatal(err)
			}
			return "/api/requests/" + r.ID + suffix, body
		}
	}
	const pol = `{"name":"scoped","rules":[{"match":{"action":"scope_check"},"decision":"route_to_human"}]}`
	policy := func(suffix string, body any) func(*apiEnv, string) (string, any) {
		return func(e *apiEnv, _ string) (string, any) {
			var p ag.Policy
			e.must(http.StatusCreated, http.MethodPost, "/api/policies", e.admin, pol, &p)
			return "/api/policies/" + p.ID + suffix, body
		}
	}
	apiKey := func(body any) func(*apiEnv, string) (string, any) {
		return func(e *apiEnv, _ string) (string, any) {
			_, id := e.newKey(ag.NewID("target", e.clock.Now()), nil, ag.ScopeRequestRead) // names are unique among live keys
			return "/api/api-keys/" + id, body
		}
	}
	person := func(body any) func(*apiEnv, string) (string, any) {
		return func(e *apiEnv, _ string) (string, any) {
			name := ag.NewID("person", e.clock.Now()) // names are unique among people
			p, err := e.gate.CreatePerson(context.Background(), ag.SystemActor, ag.PersonInput{Name: &name})
			if err != nil {
				e.t.Fatal(err)
			}
			return "/api/people/" + p.ID, body
		}
	}
	create, read, decide := []ag.Scope{ag.ScopeRequestCreate}, []ag.Scope{ag.ScopeRequestRead}, []ag.Scope{ag.ScopeRequestDecide}
	polRead, polWrite, audit := []ag.Scope{ag.ScopePolicyRead}, []ag.Scope{ag.ScopePolicyWrite}, []ag.Scope{ag.ScopeAuditRead}
	adminOnly, hooks := []ag.Scope{}, []ag.Scope{ag.ScopeWebhookManage}
	return map[string]scopedRoute{
		"POST /api/requests":             {create, 201, fixed("/api/requests", `{"action":"scope_check"}`)},
		"GET /api/requests":              {read, 200, fixed("/api/requests", nil)},
		"GET /api/requests/:id":          {read, 200, request("", nil)},
		"POST /api/requests/:id/decide":  {decide, 200, request("/decide", `{"decision":"approved"}`)},
		"POST /api/requests/:id/cancel":  {create, 200, request("/cancel", nil)},
		"GET /api/requests/:id/audit":    {read, 200, request("/audit", nil)},
		"GET /api/policies":              {polRead, 200, fixed("/api/policies", nil)},
		"POST /api/policies":             {polWrite, 201, fixed("/api/policies", pol)},
		"POST /api/policies/simulate":    {polRead, 200, fixed("/api/policies/simulate", `{"policy":`+pol+`}`)},
		"GET /api/policies/:id":          {polRead, 200, policy("", nil)},
		"PUT /api/policies/:id":          {polWrite, 200, policy("", pol)},
		"DELETE /api/policies/:id":       {polWrite, 200, policy("", nil)},
		"POST /api/policies/:id/dry-run": {polRead, 200, policy("/dry-run", `{"action":"scope_check"}`)},
		"GET /api/api-keys":              {adminOnly, 200, fixed("/api/api-keys", nil)},
		"POST /api/api-keys":             {adminOnly, 201, fixed("/api/api-keys", `{"name":"made","scopes":["request:read"]}`)},
		"GET /api/api-keys/:id":          {adminOnly, 200, apiKey(nil)},
		"PATCH /api/api-keys/:id":        {adminOnly, 200, apiKey(`{"rateLimit":5}`)},
		"DELETE /api/api-keys/:id":       {adminOnly, 200, apiKey(nil)},
		"GET /api/people":                {adminOnly, 200, fixed("/api/people", nil)},
		"POST /api/people":               {adminOnly, 201, fixed("/api/people", `{"name":"made"}`)},
		"GET /api/people/:id":            {adminOnly, 200, person(nil)},
		"PATCH /api/people/:id":          {adminOnly, 200, person(`{"groups":["finance"]}`)},
		"DELETE /api/people/:id":         {adminOnly, 200, person(nil)},
		"GET /api/audit":                 {audit, 200, fixed("/api/audit", nil)},
		"GET /api/audit/actors":          {audit, 200, fixed("/api/audit/actors", nil)},
		"GET /api/audit/actions":         {audit, 200, fixed("/api/audit/actions", nil)},
		"POST /api/mcp/authorize":        {create, 200, fixed("/api/mcp/authorize", `{"toolName":"scope_check"}`)},

		"GET /api/webhooks":                                  {hooks, 200, fixed("/api/webhooks", nil)},
		"POST /api/webhooks":                                 {hooks, 201, fixed("/api/webhooks", newWebhookBody)},
		"GET /api/webhooks/:id":                              {hooks, 200, webhookRoute("", nil)},
		"PATCH /api/webhooks/:id":                            {hooks, 200, webhookRoute("", `{"enabled":false}`)},
		"DELETE /api/webhooks/:id":                           {hooks, 200, webhookRoute("", nil)},
		"POST /api/webhooks/:id/rotate-secret":               {hooks, 200, webhookRoute("/rotate-secret", nil)},
		"POST /api/webhooks/:id/test":                        {hooks, 200, webhookRoute("/test", nil)},
		"GET /api/webhooks/:id/deliveries":                   {hooks, 200, webhookRoute("/deliveries", nil)},
		"POST /api/webhooks/:id/deliveries/:delivery/replay": {hooks, 200, replayRoute},

		// No channel is configured here: an admin gets past the scope check to the 404.
		"POST /api/channels/:type/test": {adminOnly, 404, fixed("/api/channels/slack/test", nil)},
	}
}

// apiRoutes lists the JSON API's routes as "METHOD /path", from the router itself.
func apiRoutes(e *apiEnv) []string {
	var out []string
	for _, r := range e.echo.Routes() {
		std := slices.Contains([]string{"GET", "POST", "PUT", "PATCH", "DELETE"}, r.Method)
		if std && strings.HasPrefix(r.Path, "/api/") {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	sort.Strings(out)
	return out
}

func TestAPIScopeMatrix(t *testing.T) {
	matrix := scopeMatrix()
	// Every refused caller comes from an address of its own, so that the per-address
	// backoff after failed authentication (TestAPIKeyGuessingIsThrottled) does not answer
	// before the check this test is about.
	eachAPIWith(t, apiOptions{behindProxy: true}, func(t *testing.T, e *apiEnv) {
		addrs := 0
		routes := apiRoutes(e)
		for _, r := range routes {
			if _, ok := matrix[r]; !ok {
				t.Errorf("route %s has no row in scopeMatrix: say which scopes may call it", r)
			}
		}
		for r := range matrix {
			if !slices.Contains(routes, r) {
				t.Errorf("scopeMatrix row %s names no route", r)
			}
		}

		type caller struct {
			name, auth string
			scope      ag.Scope // "" for the callers that fail authentication
			code       string   // why they fail it
		}
		revoked, revokedID := e.newKey("revoked", nil, ag.ScopeAdmin)
		e.must(http.StatusOK, http.MethodDelete, "/api/api-keys/"+revokedID, e.admin, nil, nil)
		callers := []caller{
			{"no key", "", "", "missing_api_key"},
			{"basic auth", "Basic cm9vdDpyb290", "", "missing_api_key"},
			{"bad key", "Bearer agk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "", "invalid_api_key"},
			{"not a key", "Bearer hunter2", "", "invalid_api_key"},
			{"revoked key", "Bearer " + revoked, "", "invalid_api_key"},
			{apiAdminName, "Bearer " + e.admin, ag.ScopeAdmin, ""},
		}
		for _, s := range ag.AllScopes {
			if s != ag.ScopeAdmin {
				name := "only-" + string(s)
				secret, _ := e.newKey(name, nil, s)
				callers = append(callers, caller{name, "Bearer " + secret, s, ""})
			}
		}

		for _, route := range routes {
			row, ok := matrix[route]
			if !ok {
				continue
			}
			method := route[:strings.IndexByte(route, ' ')]
			for _, c := range callers {
				t.Run(route+" as "+c.name, func(t *testing.T) {
					e := e.in(t)
					path, body := row.call(e, c.name)
					before := e.auditTotal()
					var hdr []string
					if c.auth != "" {
						hdr = []string{"Authorization", c.auth}
					}
					if c.scope == "" {
						addrs++
						hdr = append(hdr, "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", addrs%256))
					}
					res := e.call(method, path, "", body, hdr...)
					switch {
					case c.scope == "":
						res.wantError(t, http.StatusUnauthorized, c.code)
					case c.scope == ag.ScopeAdmin || slices.Contains(row.scopes, c.scope):
						res.want(t, row.ok)
						return
					default:
						ae := res.wantError(t, http.StatusForbidden, "missing_scope")
						if !strings.Contains(ae.Error, string(scopeNeeded(row))) {
							t.Errorf("403 message %q does not name the scope", ae.Error)
						}
					}
					if after := e.auditTotal(); after != before {
						t.Errorf("a refused call wrote something: %d audit events, then %d", before, after)
					}
				})
			}
		}
	})
}

func scopeNeeded(r scopedRoute) ag.Scope {
	if len(r.scopes) == 0 {
		return ag.ScopeAdmin
	}
	return r.scopes[0]
}
