package handlers_test

import (
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
