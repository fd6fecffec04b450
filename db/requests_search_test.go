package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// TestListRequestsSearchesWhatAPersonReads: q matches the action, the requester, the
// params and the context, ignoring ASCII case, with LIKE's wildcards taken literally.
func TestListRequestsSearchesWhatAPersonReads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		for i, r := range []struct{ action, by, params, context string }{
			{"send_email", "mail-bot", `{"to": "CFO@Northwind.example"}`, `{}`},
			{"deploy", "deploy-bot", `{"env": "production"}`, `{"ticket": "OPS-42"}`},
			{"delete_file", "Cleanup-Agent", `{"path": "/srv/100%_done.csv"}`, `{}`},
		} {
			req := newRequest(fmt.Sprintf("req_%02d", i), t0.Add(time.Duration(i)*time.Minute))
			req.Action, req.CreatedBy, req.Params, req.Context = r.action, r.by, json.RawMessage(r.params), json.RawMessage(r.context)
			if err := s.CreateRequest(context.Background(), req, agentgate.Effects{}); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct{ q, want string }{
			{"northwind", "[req_00]"},     // a param value, another case
			{"ops-42", "[req_01]"},        // the context
			{"cleanup-agent", "[req_02]"}, // the requester
			{"DEPLOY", "[req_01]"},        // the action (and the requester's name)
			{"100%_", "[req_02]"},         // wildcards are literal
			{"env", "[req_01]"},           // a param's key
			{"nothing like it", "[]"},
		} {
			got, total, err := s.ListRequests(context.Background(), agentgate.RequestFilter{Query: tc.q})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(ids(got)) != tc.want || total != len(got) {
				t.Errorf("q=%q: %v (total %d), want %s", tc.q, ids(got), total, tc.want)
			}
		}
	})
}

// TestListRequestsExpiringFirst: the expiring order puts the soonest expiry first.
func TestListRequestsExpiringFirst(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		for i, left := range []time.Duration{3 * time.Hour, 10 * time.Minute, time.Hour} {
			r := newRequest(fmt.Sprintf("req_%02d", i), t0.Add(time.Duration(i)*time.Minute))
			r.ExpiresAt = t0.Add(left)
			if err := s.CreateRequest(context.Background(), r, agentgate.Effects{}); err != nil {
				t.Fatal(err)
			}
		}
		got, _, err := s.ListRequests(context.Background(), agentgate.RequestFilter{Status: agentgate.StatusPending, Sort: agentgate.SortExpiring})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(got)) != "[req_01 req_02 req_00]" {
			t.Errorf("expiring order %v", ids(got))
		}
	})
}

// TestSimilarRequests: the same action by the same creator (by key id when known, else by
// name), before the request, newest first, and only among the action's newest window.
func TestSimilarRequests(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		add := func(id, action, by, byID string, at time.Time) *agentgate.Request {
			r := newRequest(id, at)
			r.Action, r.CreatedBy, r.CreatedByID = action, by, byID
			if err := s.CreateRequest(context.Background(), r, agentgate.Effects{}); err != nil {
				t.Fatal(err)
			}
			return r
		}
		at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
		add("req_a", "pay", "billing", "key_1", at(0))
		add("req_b", "pay", "renamed", "key_1", at(1)) // the same key under another name
		add("req_c", "pay", "billing", "key_2", at(2)) // another key with the name
		add("req_d", "refund", "billing", "key_1", at(3))
		add("req_e", "pay", "legacy", "", at(4))
		now := add("req_f", "pay", "billing", "key_1", at(5))
		add("req_g", "pay", "billing", "key_1", at(6)) // after it
		old := add("req_h", "pay", "legacy", "", at(7))

		for _, tc := range []struct {
			r             *agentgate.Request
			limit, window int
			want          string
		}{
			{now, 10, 100, "[req_b req_a]"},
			{now, 1, 100, "[req_b]"},
			{now, 10, 2, "[]"}, // the two newest before it are req_e and req_c: none is key_1's
			{old, 10, 100, "[req_e]"},
		} {
			got, err := s.SimilarRequests(context.Background(), tc.r, tc.limit, tc.window)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(ids(got)) != tc.want {
				t.Errorf("similar to %s (limit %d, window %d): %v, want %s", tc.r.ID, tc.limit, tc.window, ids(got), tc.want)
			}
		}
	})
}

// TestSearchReadsTheNewestWindow: a search reads the newest SearchWindow requests of its
// status and no older one, so its cost stays bounded.
func TestSearchReadsTheNewestWindow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		n := agentgate.SearchWindow + 2
		rs := make([]*agentgate.Request, n)
		for i := range rs {
			rs[i] = newRequest(fmt.Sprintf("req_%08d", i), t0.Add(time.Duration(i)*time.Second))
			rs[i].Params = json.RawMessage(fmt.Sprintf(`{"n": "needle-%d"}`, i%2))
		}
		if err := db.BulkInsertRequests(s, rs); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			f    agentgate.RequestFilter
			want int
		}{
			{agentgate.RequestFilter{Query: "needle-0"}, agentgate.SearchWindow / 2},
			{agentgate.RequestFilter{Query: "needle-0", Status: agentgate.StatusPending}, agentgate.SearchWindow / 2},
			{agentgate.RequestFilter{Query: "needle-", Status: agentgate.StatusApproved}, 0},
		} {
			got, total, err := s.ListRequests(context.Background(), tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if total != tc.want || (tc.want > 0 && ids(got)[0] != rs[n-2].ID) {
				t.Errorf("%+v: total %d, first %v; want %d, newest first", tc.f, total, ids(got)[:min(1, len(got))], tc.want)
			}
		}
	})
}
