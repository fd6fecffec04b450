package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// seedList stores requests req_00..req_11, one minute apart except that req_04 and req_05
// share a creation time (the id breaks the tie).
func seedList(t *testing.T, s *db.Store) {
	t.Helper()
	actions := []string{"send_email", "Deploy_Prod", "delete_file", "send_50%_off"}
	urgencies := []agentgate.Urgency{agentgate.UrgencyLow, agentgate.UrgencyNormal, agentgate.UrgencyHigh, agentgate.UrgencyCritical}
	statuses := []agentgate.Status{agentgate.StatusPending, agentgate.StatusPending, agentgate.StatusApproved}
	for i := range 12 {
		at := t0.Add(time.Duration(i) * time.Minute)
		if i == 5 {
			at = t0.Add(4 * time.Minute)
		}
		r := newRequest(fmt.Sprintf("req_%02d", i), at)
		r.Action, r.Urgency, r.Status = actions[i%4], urgencies[i%4], statuses[i%3]
		if err := s.CreateRequest(context.Background(), r, agentgate.Effects{}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestListRequests(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		seedList(t, s)
		tests := []struct {
			name  string
			f     agentgate.RequestFilter
			want  string
			total int
		}{
			{"newest", agentgate.RequestFilter{}, "[req_11 req_10 req_09 req_08 req_07 req_06 req_05 req_04 req_03 req_02 req_01 req_00]", 12},
			{"oldest page", agentgate.RequestFilter{Sort: agentgate.SortOldest, Page: agentgate.Page{Limit: 3, Offset: 3}}, "[req_03 req_04 req_05]", 12},
			{"newest page", agentgate.RequestFilter{Page: agentgate.Page{Limit: 2, Offset: 6}}, "[req_05 req_04]", 12},
			{"last page", agentgate.RequestFilter{Page: agentgate.Page{Limit: 5, Offset: 10}}, "[req_01 req_00]", 12},
			{"past the end", agentgate.RequestFilter{Page: agentgate.Page{Limit: 5, Offset: 20}}, "[]", 12},
			{"status", agentgate.RequestFilter{Status: agentgate.StatusApproved}, "[req_11 req_08 req_05 req_02]", 4},
			{"status paged", agentgate.RequestFilter{Status: agentgate.StatusPending, Page: agentgate.Page{Limit: 2}}, "[req_10 req_09]", 8},
			{"action", agentgate.RequestFilter{Action: "delete_file"}, "[req_10 req_06 req_02]", 3},
			{"urgency", agentgate.RequestFilter{Urgency: agentgate.UrgencyCritical}, "[req_11 req_07 req_03]", 3},
			{"from to", agentgate.RequestFilter{From: t0.Add(3 * time.Minute), To: t0.Add(6 * time.Minute), Sort: agentgate.SortOldest}, "[req_03 req_04 req_05]", 3},
			{"query is case-insensitive", agentgate.RequestFilter{Query: "DEPLOY"}, "[req_09 req_05 req_01]", 3},
			{"query escapes LIKE", agentgate.RequestFilter{Query: "50%"}, "[req_11 req_07 req_03]", 3},
			{"query underscore is literal", agentgate.RequestFilter{Query: "d_p"}, "[]", 0},
			{"combined", agentgate.RequestFilter{Status: agentgate.StatusPending, Action: "send_email", Urgency: agentgate.UrgencyLow}, "[req_04 req_00]", 2},
			{"urgency sort", agentgate.RequestFilter{Status: agentgate.StatusPending, Sort: agentgate.SortUrgency},
				"[req_03 req_07 req_06 req_10 req_01 req_09 req_00 req_04]", 8},
			{"no limit means 50", agentgate.RequestFilter{Status: agentgate.StatusApproved, Page: agentgate.Page{Limit: -1}}, "[req_11 req_08 req_05 req_02]", 4},
		}
		for _, tt := range tests {
			got, total, err := s.ListRequests(context.Background(), tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if fmt.Sprint(ids(got)) != tt.want || total != tt.total {
				t.Errorf("%s: got %v total %d, want %s total %d", tt.name, ids(got), total, tt.want, tt.total)
			}
		}
	})
}
