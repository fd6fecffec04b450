package handlers_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
)

type peopleList struct {
	People     []ag.Person `json:"people"`
	Pagination struct {
		Total   int  `json:"total"`
		HasMore bool `json:"hasMore"`
	} `json:"pagination"`
}

func TestPeopleAPI(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		var ana ag.Person
		e.must(http.StatusCreated, http.MethodPost, "/api/people", e.admin,
			`{"name":" Ana ","email":"ana@example.com","slackUserId":"U024BE7LH","groups":["Finance","oncall","finance"]}`, &ana)
		if ana.Name != "Ana" || !slices.Equal(ana.Groups, []string{"finance", "oncall"}) || !strings.HasPrefix(ana.ID, "per_") {
			t.Fatalf("created %+v", ana)
		}
		e.must(http.StatusCreated, http.MethodPost, "/api/people", e.admin, `{"name":"bob"}`, nil)

		// Refusals say what to fix, and write nothing.
		for _, tc := range []struct {
			body   string
			status int
			code   string
		}{
			{`{"name":"ANA"}`, 409, "name_taken"},
			{`{"name":"carol","email":"ANA@example.com"}`, 409, "email_taken"},
			{`{"name":"carol","slackUserId":"U024BE7LH"}`, 409, "slack_user_taken"},
			{`{"name":"carol","email":"carol"}`, 400, "invalid_email"},
			{`{"name":"carol","groups":["on call"]}`, 400, "invalid_groups"},
			{`{"email":"carol@example.com"}`, 400, "missing_field"},
			{`{"name":"carol","team":"x"}`, 400, "unknown_field"},
		} {
			e.call(http.MethodPost, "/api/people", e.admin, tc.body).wantError(t, tc.status, tc.code)
		}

		var page peopleList
		e.must(http.StatusOK, http.MethodGet, "/api/people?limit=1", e.admin, nil, &page)
		if len(page.People) != 1 || page.People[0].ID != ana.ID || page.Pagination.Total != 2 || !page.Pagination.HasMore {
			t.Errorf("list: %+v", page)
		}

		var changed ag.Person
		e.must(http.StatusOK, http.MethodPatch, "/api/people/"+ana.ID, e.admin, `{"groups":[],"email":""}`, &changed)
		if changed.Email != "" || len(changed.Groups) != 0 || changed.Name != "Ana" || changed.SlackUserID != "U024BE7LH" {
			t.Errorf("patched: %+v", changed)
		}
		e.call(http.MethodPatch, "/api/people/per_nobody", e.admin, `{"name":"x"}`).wantError(t, 404, "not_found")

		var del map[string]any
		e.must(http.StatusOK, http.MethodDelete, "/api/people/"+ana.ID, e.admin, nil, &del)
		if del["success"] != true || del["id"] != ana.ID {
			t.Errorf("delete answered %v", del)
		}
		e.call(http.MethodGet, "/api/people/"+ana.ID, e.admin, nil).wantError(t, 404, "not_found")
		e.call(http.MethodDelete, "/api/people/"+ana.ID, e.admin, nil).wantError(t, 404, "not_found")
		e.must(http.StatusCreated, http.MethodPost, "/api/people", e.admin, `{"name":"Ana","slackUserId":"U024BE7LH"}`, nil)

		var audit apiList
		e.must(http.StatusOK, http.MethodGet, "/api/audit?eventType=person.deleted", e.admin, nil, &audit)
		if len(audit.Entries) != 1 || audit.Entries[0].Actor != apiAdminName {
			t.Errorf("audit of the delete: %+v", audit.Entries)
		}
	})
}

// A key given to a person acts as the person over the API: its votes are the person's.
func TestKeyOfAPersonOverTheAPI(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		var ana ag.Person
		e.must(http.StatusCreated, http.MethodPost, "/api/people", e.admin, `{"name":"Ana","groups":["finance"]}`, &ana)
		var k struct {
			ag.APIKey
			Key string `json:"key"`
		}
		e.must(http.StatusCreated, http.MethodPost, "/api/api-keys", e.admin,
			map[string]any{"name": "ana-cli", "scopes": []string{"request:read", "request:decide"}, "personId": ana.ID}, &k)
		if k.PersonID != ana.ID {
			t.Fatalf("key person = %q", k.PersonID)
		}
		e.must(http.StatusCreated, http.MethodPost, "/api/policies", e.admin,
			`{"name":"fin","rules":[{"match":{"action":"pay"},"decision":"route_to_human","approvers":["group:finance"],"requiredApprovals":2}]}`, nil)
		r := e.submit(e.admin, `{"action":"pay"}`)
		var got ag.Request
		e.must(http.StatusOK, http.MethodPost, "/api/requests/"+r.ID+"/decide", k.Key, `{"decision":"approved"}`, &got)
		if v := got.Votes[0]; v.VoterID != ana.ID || v.Voter != "Ana" || v.Channel != ag.DecidedViaAPI {
			t.Errorf("vote = %+v", v)
		}
		e.call(http.MethodPost, "/api/requests/"+r.ID+"/decide", e.admin, `{"decision":"approved"}`).wantError(t, 403, "not_an_approver")

		e.call(http.MethodPatch, "/api/api-keys/"+k.ID, e.admin, `{"personId":"per_nobody"}`).wantError(t, 400, "unknown_person")
		e.call(http.MethodPatch, "/api/api-keys/"+k.ID, e.admin, `{"personId":5}`).wantError(t, 400, "invalid_request")
		var detached ag.APIKey
		e.must(http.StatusOK, http.MethodPatch, "/api/api-keys/"+k.ID, e.admin, `{"personId":null}`, &detached)
		if detached.PersonID != "" {
			t.Errorf("detached key still belongs to %q", detached.PersonID)
		}
		e.call(http.MethodPost, "/api/requests/"+r.ID+"/decide", k.Key, `{"decision":"approved"}`).wantError(t, 403, "not_an_approver")
	})
}
