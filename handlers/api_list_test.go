package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

func TestAPIListRequests(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		agent, _ := e.newKey("agent", nil, ag.ScopeRequestCreate, ag.ScopeRequestRead)
		// Five requests over two days; r4 approved, r5 cancelled, the rest pending.
		seeds := []struct {
			at      string
			action  string
			urgency string
		}{
			{"2026-03-01T10:00:00Z", "send_email", "low"},
			{"2026-03-01T12:00:00Z", "Deploy_Service", "high"},
			{"2026-03-02T08:00:00Z", "send_email", "critical"},
			{"2026-03-02T09:00:00Z", "delete_file", "normal"},
			{"2026-03-02T10:00:00Z", "deploy_service_v2", "normal"},
		}
		e.setTime(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
		ids := map[string]string{}
		for i, s := range seeds {
			at, _ := time.Parse(time.RFC3339, s.at)
			e.setTime(at)
			r := e.submit(agent, map[string]any{"action": s.action, "urgency": s.urgency})
			ids[fmt.Sprintf("r%d", i+1)] = r.ID
			switch i + 1 {
			case 4:
				e.must(http.StatusOK, http.MethodPost, "/api/requests/"+r.ID+"/decide", e.admin, `{"decision":"approved"}`, nil)
			case 5:
				e.must(http.StatusOK, http.MethodPost, "/api/requests/"+r.ID+"/cancel", agent, nil, nil)
			}
		}

		all := []string{"r5", "r4", "r3", "r2", "r1"}
		cases := []struct {
			query   url.Values
			want    []string
			total   int
			limit   int
			offset  int
			hasMore bool
		}{
			{url.Values{}, all, 5, 50, 0, false},
			{url.Values{"status": {"pending"}}, []string{"r3", "r2", "r1"}, 3, 50, 0, false},
			{url.Values{"status": {"approved"}}, []string{"r4"}, 1, 50, 0, false},
			{url.Values{"status": {"cancelled"}}, []string{"r5"}, 1, 50, 0, false},
			{url.Values{"status": {"expired"}}, []string{}, 0, 50, 0, false},
			{url.Values{"action": {"send_email"}}, []string{"r3", "r1"}, 2, 50, 0, false},
			{url.Values{"action": {"SEND_EMAIL"}}, []string{}, 0, 50, 0, false}, // action is exact; q is the loose one
			{url.Values{"urgency": {"normal"}}, []string{"r5", "r4"}, 2, 50, 0, false},
			{url.Values{"status": {"pending"}, "urgency": {"high"}}, []string{"r2"}, 1, 50, 0, false},
			{url.Values{"from": {"2026-03-02"}}, []string{"r5", "r4", "r3"}, 3, 50, 0, false},
			{url.Values{"to": {"2026-03-01"}}, []string{"r2", "r1"}, 2, 50, 0, false},                                             // a date includes that day
			{url.Values{"from": {"2026-03-01T11:00:00Z"}, "to": {"2026-03-02T09:00:00Z"}}, []string{"r3", "r2"}, 2, 50, 0, false}, // to is exclusive
			{url.Values{"from": {"2026-03-02T11:00:00+02:00"}}, []string{"r5", "r4"}, 2, 50, 0, false},                            // 09:00Z
			{url.Values{"q": {"DEPLOY"}}, []string{"r5", "r2"}, 2, 50, 0, false},
			{url.Values{"q": {"_serv"}}, []string{"r5", "r2"}, 2, 50, 0, false},
			{url.Values{"q": {"%"}}, []string{}, 0, 50, 0, false}, // a LIKE wildcard is a literal here
			{url.Values{"q": {"email"}, "action": {"delete_file"}}, []string{}, 0, 50, 0, false},
			{url.Values{"sort": {"newest"}}, all, 5, 50, 0, false},
			{url.Values{"sort": {"oldest"}}, []string{"r1", "r2", "r3", "r4", "r5"}, 5, 50, 0, false},
			// The original's sort=created_at listed the oldest first.
			{url.Values{"sort": {"created_at"}}, []string{"r1", "r2", "r3", "r4", "r5"}, 5, 50, 0, false},
			{url.Values{"sort": {"urgency"}}, []string{"r3", "r2", "r4", "r5", "r1"}, 5, 50, 0, false}, // then oldest first
			{url.Values{"limit": {"2"}}, []string{"r5", "r4"}, 5, 2, 0, true},
			{url.Values{"limit": {"2"}, "offset": {"2"}}, []string{"r3", "r2"}, 5, 2, 2, true},
			{url.Values{"limit": {"2"}, "offset": {"4"}}, []string{"r1"}, 5, 2, 4, false},
			{url.Values{"limit": {"2"}, "offset": {"10"}}, []string{}, 5, 2, 10, false},
			{url.Values{"limit": {"200"}, "sort": {"oldest"}, "status": {"pending"}, "offset": {"1"}}, []string{"r2", "r3"}, 3, 100, 1, false}, // served as 100
		}
		for _, c := range cases {
			t.Run(c.query.Encode(), func(t *testing.T) {
				e := e.in(t)
				var l apiList
				e.must(http.StatusOK, http.MethodGet, "/api/requests?"+c.query.Encode(), agent, nil, &l)
				got := []string{}
				for _, r := range l.Requests {
					for name, id := range ids {
						if id == r.ID {
							got = append(got, name)
						}
					}
				}
				p := l.Pagination
				if !reflect.DeepEqual(got, c.want) || p.Total != c.total || p.Limit != c.limit || p.Offset != c.offset || p.HasMore != c.hasMore {
					t.Errorf("got %v %+v, want %v total %d limit %d offset %d hasMore %v", got, p, c.want, c.total, c.limit, c.offset, c.hasMore)
				}
			})
		}
	})
}
