package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

// TestAPIAuditOriginalFilters checks the audit filters the original's SDK and MCP tool send:
// short event type names, and status, the status the request has now.
func TestAPIAuditOriginalFilters(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		agent, _ := e.newKey("agent", nil, ag.ScopeRequestCreate)
		ids := map[ag.Status]string{}
		for _, s := range ag.Statuses {
			body := `{"action":"act_` + string(s) + `"}`
			if s == ag.StatusExpired {
				body = `{"action":"act_expired","expiresAt":"` + apiT0.Add(time.Minute).Format(time.RFC3339) + `"}`
			}
			ids[s] = e.submit(agent, body).ID
		}
		decide := func(s ag.Status, path, body string) {
			e.must(http.StatusOK, http.MethodPost, "/api/requests/"+ids[s]+path, e.admin, body, nil)
		}
		decide(ag.StatusApproved, "/decide", `{"decision":"approved"}`)
		decide(ag.StatusDenied, "/decide", `{"decision":"denied"}`)
		decide(ag.StatusCancelled, "/cancel", `{}`)
		e.clock.advance(2 * time.Minute)
		if n, err := e.gate.ExpireOverdue(t.Context()); err != nil || n != 1 {
			t.Fatalf("expired %d, %v", n, err)
		}

		audit := func(t *testing.T, q url.Values) apiList {
			t.Helper()
			var l apiList
			e.in(t).must(http.StatusOK, http.MethodGet, "/api/audit?"+q.Encode(), e.admin, nil, &l)
			return l
		}
		// Every short name means the request event of that name, and finds it.
		for _, short := range []string{"created", "approved", "denied", "expired", "cancelled"} {
			t.Run("eventType="+short, func(t *testing.T) {
				got, full := audit(t, url.Values{"eventType": {short}}), audit(t, url.Values{"eventType": {"request." + short}})
				if len(got.Entries) == 0 || got.Pagination.Total != full.Pagination.Total || strings.Join(eventTypes(got.Entries), ",") != strings.Join(eventTypes(full.Entries), ",") {
					t.Errorf("eventType=%s: %v (total %d), want %v (total %d)", short, eventTypes(got.Entries), got.Pagination.Total,
						eventTypes(full.Entries), full.Pagination.Total)
				}
			})
		}
		// status: the events of the requests that have that status now, newest first.
		for _, s := range ag.Statuses {
			t.Run("status="+string(s), func(t *testing.T) {
				want := e.events(ids[s])
				got := audit(t, url.Values{"status": {string(s)}})
				if len(got.Entries) != len(want) || got.Pagination.Total != len(want) {
					t.Fatalf("%d entries (total %d), want the %d events of request %s", len(got.Entries), got.Pagination.Total, len(want), ids[s])
				}
				for i, ev := range got.Entries {
					if ev.ID != want[len(want)-1-i].ID {
						t.Errorf("entry %d = %s %s, want %s", i, ev.EventType, ev.RequestID, want[len(want)-1-i].EventType)
					}
				}
			})
		}
		// With the others, and counted past the first page.
		if l := audit(t, url.Values{"status": {"denied"}, "eventType": {"created"}}); len(l.Entries) != 1 || l.Entries[0].RequestID != ids[ag.StatusDenied] {
			t.Errorf("status=denied&eventType=created = %+v", l.Entries)
		}
		if l := audit(t, url.Values{"status": {"approved"}, "limit": {"1"}}); len(l.Entries) != 1 || l.Pagination.Total != 2 || !l.Pagination.HasMore {
			t.Errorf("status=approved&limit=1 = %v %+v", eventTypes(l.Entries), l.Pagination)
		}
		ae := e.call(http.MethodGet, "/api/audit?status=done", e.admin, nil).wantError(t, http.StatusBadRequest, "invalid_query")
		if !strings.Contains(ae.Error, "status") || !strings.Contains(ae.Error, "pending, approved, denied, expired, cancelled") {
			t.Errorf("bad status: %q", ae.Error)
		}
	})
}

// TestAPIPolicyBodyFromEitherServer posts back policies as either server's GET returns
// them, and refuses the original's scoping, which this server does not have.
func TestAPIPolicyBodyFromEitherServer(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		// As the original's GET /api/policies/:id answers (a nanoid, scope, createdAt).
		original := `{"id":"V1StGXR8_Z5jdHi6B-myT","name":"Mail","rules":[{"match":{"action":"send_email"},"decision":"route_to_human"}],
			"priority":100,"enabled":true,"scope":"global","agentIds":null,"toolIds":null,"createdAt":"2025-11-02T10:00:00.000Z"}`
		var p ag.Policy
		e.must(http.StatusCreated, http.MethodPost, "/api/policies", e.admin, original, &p)
		if p.ID == "V1StGXR8_Z5jdHi6B-myT" || !strings.HasPrefix(p.ID, "pol_") || !p.CreatedAt.Equal(apiT0) || p.Name != "Mail" || p.Priority != 100 {
			t.Fatalf("imported = %+v; id and createdAt must be the server's own", p)
		}
		// This server's own GET, changed and put back whole: id and times are ignored.
		raw := e.must(http.StatusOK, http.MethodGet, "/api/policies/"+p.ID, e.admin, nil, nil).body
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		doc["priority"], doc["id"], doc["createdAt"], doc["updatedAt"] = 7, "pol_someone_else", "2020-01-01T00:00:00Z", 12
		e.clock.advance(time.Minute)
		var put ag.Policy
		e.must(http.StatusOK, http.MethodPut, "/api/policies/"+p.ID, e.admin, doc, &put)
		if put.ID != p.ID || put.Priority != 7 || !put.CreatedAt.Equal(apiT0) || !put.UpdatedAt.Equal(apiT0.Add(time.Minute)) {
			t.Errorf("put back = %+v", put)
		}
		doc["scope"], doc["agentIds"], doc["toolIds"] = "global", []string{}, []string{}
		e.must(http.StatusCreated, http.MethodPost, "/api/policies", e.admin, doc, nil)

		before := e.counts()
		const rules = `"name":"x","rules":[]`
		for _, tt := range []struct{ method, path, body, code, field string }{
			{"POST", "/api/policies", `{` + rules + `,"scope":"per_agent","agentIds":["agt_1"]}`, "unsupported_field", "scope"},
			{"POST", "/api/policies", `{` + rules + `,"agentIds":["agt_1"]}`, "unsupported_field", "agentIds"},
			{"POST", "/api/policies", `{` + rules + `,"toolIds":["send_email"]}`, "unsupported_field", "toolIds"},
			{"PUT", "/api/policies/" + p.ID, `{` + rules + `,"scope":"per_tool","toolIds":["send_email"]}`, "unsupported_field", "scope"},
			{"POST", "/api/policies/simulate", `{"policy":{` + rules + `,"toolIds":["deploy"]}}`, "unsupported_field", "toolIds"},
			{"POST", "/api/policies", `{` + rules + `,"owner":"ops"}`, "unknown_field", "owner"},
			{"PUT", "/api/policies/" + p.ID, `{` + rules + `,"templateId":"t1"}`, "unknown_field", "templateId"},
		} {
			t.Run(tt.method+" "+tt.field, func(t *testing.T) {
				ae := e.in(t).call(tt.method, tt.path, e.admin, tt.body).wantError(t, http.StatusBadRequest, tt.code)
				if ae.Details["field"] != tt.field || !strings.Contains(ae.Error, tt.field) {
					t.Errorf("error %+v does not name %s", ae, tt.field)
				}
				if tt.code == "unsupported_field" && !strings.Contains(ae.Error, "not supported") {
					t.Errorf("message %q does not say the field is not supported", ae.Error)
				}
			})
		}
		if after := e.counts(); after != before {
			t.Errorf("refused bodies wrote: %+v -> %+v", before, after)
		}
	})
}
