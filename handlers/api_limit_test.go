package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
)

// Every list serves at most 100 items a page, as the original server did: a larger limit is
// served as 100 and pagination says so; a limit that is not a whole number from 1 is refused.
func TestAPIListLimitIsHeldTo100(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		ctx := context.Background()
		for i := range 105 {
			if _, err := e.gate.Submit(ctx, ag.Actor{Name: "agent"}, ag.NewRequest{Action: fmt.Sprintf("a%d", i)}); err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("key-%d", i)
			if _, _, err := e.gate.CreateKey(ctx, ag.SystemActor, ag.KeyInput{Name: &name, Scopes: []ag.Scope{ag.ScopeRequestRead}}); err != nil {
				t.Fatal(err)
			}
		}
		count := func(l apiList) int { return len(l.Requests) + len(l.Entries) + len(l.Keys) + len(l.Policies) }
		for _, path := range []string{"/api/requests", "/api/audit", "/api/api-keys", "/api/policies"} {
			for _, tc := range []struct {
				limit     string
				wantLimit int
			}{{"100", 100}, {"101", 100}, {"5000", 100}, {"99999999999999999999", 100}, {"7", 7}} {
				var l apiList
				e.must(http.StatusOK, http.MethodGet, path+"?limit="+tc.limit, e.admin, nil, &l)
				if l.Pagination.Limit != tc.wantLimit || count(l) > tc.wantLimit || path != "/api/policies" && count(l) != tc.wantLimit {
					t.Errorf("%s?limit=%s: %d items, pagination %+v", path, tc.limit, count(l), l.Pagination)
				}
			}
			for _, bad := range []string{"0", "-1", "-99999999999999999999", "ten", "1.5"} {
				ae := e.call(http.MethodGet, path+"?limit="+bad, e.admin, nil).wantError(t, http.StatusBadRequest, "invalid_query")
				if ae.Details["param"] != "limit" {
					t.Errorf("%s?limit=%s: details %v", path, bad, ae.Details)
				}
			}
		}
	})
}

// The list page, written by hand, is byte for byte what encoding/json writes for the same
// requests and pagination, whatever the requests hold and however a database spaces JSON.
func TestAPIListIsWhatEncodingJSONWrites(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		ctx := context.Background()
		for _, body := range []string{
			`{"action":"send_email","params":{"to":"a@example.com","html":"<b>&</b>"},"context":{"note":"é \u2028"},"urgency":"high"}`,
			`{"action":"deploy","params":{"n":[1,2.5,{"x":null}]}}`,
			`{"action":"x"}`,
		} {
			r := e.submit(e.admin, body)
			if r.Action == "deploy" {
				e.must(http.StatusOK, http.MethodPost, "/api/requests/"+r.ID+"/decide", e.admin, `{"decision":"denied","reason":"not <now>"}`, nil)
			}
		}
		for _, query := range []string{"?limit=2", "?limit=2&offset=2", "?status=pending", "?status=approved"} {
			res := e.must(http.StatusOK, http.MethodGet, "/api/requests"+query, e.admin, nil, nil)
			f, _ := url.ParseQuery(strings.TrimPrefix(query, "?"))
			limit := 50
			if f.Has("limit") {
				limit, _ = strconv.Atoi(f.Get("limit"))
			}
			offset, _ := strconv.Atoi(f.Get("offset"))
			rs, total, err := e.gate.List(ctx, ag.RequestFilter{Status: ag.Status(f.Get("status")), Page: ag.Page{Limit: limit, Offset: offset}})
			if err != nil {
				t.Fatal(err)
			}
			type pagination struct {
				Total   int  `json:"total"`
				Limit   int  `json:"limit"`
				Offset  int  `json:"offset"`
				HasMore bool `json:"hasMore"`
			}
			want, _ := json.Marshal(map[string]any{"requests": rs, "pagination": pagination{total, limit, offset, offset+limit < total}})
			if string(res.body) != string(want)+"\n" {
				t.Errorf("%s:\n got %s\nwant %s", query, res.body, want)
			}
		}
	})
}
