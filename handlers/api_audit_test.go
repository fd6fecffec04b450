package handlers_test

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

func TestAPIAuditLog(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		// Events: four keys created by the system at apiT0, then one request event an hour.
		mailer, _ := e.newKey("mailer", nil, ag.ScopeRequestCreate)
		deployer, _ := e.newKey("deployer", nil, ag.ScopeRequestCreate)
		alice, _ := e.newKey("alice", nil, ag.ScopeRequestDecide)
		auditor, _ := e.newKey("auditor", nil, ag.ScopeAuditRead)
		mail := e.submit(mailer, `{"action":"send_email","expiresAt":"2026-03-09T00:00:00Z"}`)
		e.clock.advance(time.Hour)
		e.must(http.StatusOK, http.MethodPost, "/api/requests/"+mail.ID+"/decide", alice, `{"decision":"approved"}`, nil)
		e.clock.advance(time.Hour)
		deploy := e.submit(deployer, `{"action":"deploy"}`)
		e.clock.advance(time.Hour)
		e.must(http.StatusCreated, http.MethodPost, "/api/policies", e.admin, `{"name":"p","rules":[]}`, nil)

		at := func(h int) string { return apiT0.Add(time.Duration(h) * time.Hour).Format(time.RFC3339) }
		cases := []struct {
			query   url.Values
			want    []string // event types, newest first
			total   int
			hasMore bool
		}{
			{url.Values{"eventType": {"request.created"}}, []string{"request.created", "request.created"}, 2, false},
			{url.Values{"action": {"send_email"}}, []string{"request.approved", "request.created"}, 2, false},
			{url.Values{"actor": {"alice"}}, []string{"request.approved"}, 1, false},
			{url.Values{"actor": {"system"}}, []string{"api_key.created", "api_key.created", "api_key.created", "api_key.created", "api_key.created"}, 5, false},
			{url.Values{"requestId": {deploy.ID}}, []string{"request.created"}, 1, false},
			{url.Values{"eventType": {"request.created"}, "actor": {"mailer"}}, []string{"request.created"}, 1, false},
			{url.Values{"from": {at(1)}}, []string{"policy.created", "request.created", "request.approved"}, 3, false},
			{url.Values{"from": {at(1)}, "to": {at(3)}}, []string{"request.created", "request.approved"}, 2, false},
			{url.Values{"to": {"2026-03-01"}}, []string{}, 0, false},
			{url.Values{"from": {"2026-03-02"}, "limit": {"2"}}, []string{"policy.created", "request.created"}, 9, true},
			{url.Values{"eventType": {"request.viewed"}}, []string{}, 0, false},
		}
		for _, c := range cases {
			t.Run(c.query.Encode(), func(t *testing.T) {
				e := e.in(t)
				var l apiList
				e.must(http.StatusOK, http.MethodGet, "/api/audit?"+c.query.Encode(), auditor, nil, &l)
				got := eventTypes(l.Entries)
				if !reflect.DeepEqual(got, c.want) || l.Pagination.Total != c.total || l.Pagination.HasMore != c.hasMore {
					t.Errorf("got %v %+v, want %v total %d hasMore %v", got, l.Pagination, c.want, c.total, c.hasMore)
				}
				for _, ev := range l.Entries {
					if (c.query.Has("actor") && ev.Actor != c.query.Get("actor")) || (c.query.Has("requestId") && ev.RequestID != c.query.Get("requestId")) {
						t.Errorf("entry %+v does not match %v", ev, c.query)
					}
				}
			})
		}

		var actors struct{ Actors []string }
		e.must(http.StatusOK, http.MethodGet, "/api/audit/actors", auditor, nil, &actors)
		if want := []string{"alice", "deployer", "mailer", apiAdminName, "system"}; !reflect.DeepEqual(actors.Actors, want) {
			t.Errorf("actors = %v, want %v", actors.Actors, want)
		}
		var actions struct{ Actions []string }
		e.must(http.StatusOK, http.MethodGet, "/api/audit/actions", auditor, nil, &actions)
		if want := []string{"deploy", "send_email"}; !reflect.DeepEqual(actions.Actions, want) {
			t.Errorf("actions = %v, want %v", actions.Actions, want)
		}
	})
}
