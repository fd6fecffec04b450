package db_test

import (
	"context"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/agentgate/agentgate"

	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// TestQueryPlans checks that SQLite answers the common lists from an index: no full scan
// of a table and no sort of every matching row (a sort of ties only, "LAST TERM OF ORDER
// BY" or "RIGHT PART OF ORDER BY" in older versions, is fine).
func TestQueryPlans(t *testing.T) {
	s := dbtest.Open(t, db.DialectSQLite)
	where := " WHERE " + db.RequestStatusCond
	pending := " WHERE " + db.RequestPendingCond
	tests := []struct {
		name, query string
		args        []any
		index       string
	}{
		{"pending newest", db.ListRequestsSQL + pending + db.RequestsNewestOrder + db.PageSuffix, []any{50, 0}, "requests_status_created"},
		{"pending newest, packed", db.ListRequestsPackedSQL + pending + db.RequestsNewestOrder + db.PageSuffix, []any{50, 0}, "requests_status_created"},
		{"pending oldest", db.ListRequestsSQL + pending + db.RequestsOldestOrder + db.PageSuffix, []any{50, 0}, "requests_status_created"},
		{"pending by urgency", db.ListRequestsSQL + pending + db.RequestsUrgencyOrder + db.PageSuffix, []any{50, 0}, "requests_pending_rank_created"},
		{"pending and urgency", db.ListRequestsSQL + pending + " AND " + db.RequestUrgencyCond + db.RequestsNewestOrder + db.PageSuffix, []any{3, 50, 0}, "requests_pending_rank_created"},
		{"status newest", db.ListRequestsSQL + where + db.RequestsNewestOrder + db.PageSuffix, []any{"approved", 50, 0}, "requests_status_created"},
		{"status count", db.CountRequestsSQL + where, []any{"approved"}, "COVERING INDEX"},
		{"action", db.ListRequestsSQL + " WHERE " + db.RequestActionCond + db.RequestsNewestOrder + db.PageSuffix, []any{"x", 50, 0}, "requests_action_created"},
		{"all newest", db.ListRequestsSQL + db.RequestsNewestOrder + db.PageSuffix, []any{50, 0}, "requests_created"},
		{"action and urgency", db.ListRequestsSQL + " WHERE " + db.RequestActionCond + " AND " + db.RequestUrgencyCond + db.RequestsNewestOrder + db.PageSuffix, []any{"x", 3, 50, 0}, "requests_action_created"},
		{"action and urgency count", db.CountRequestsSQL + " WHERE " + db.RequestActionCond + " AND " + db.RequestUrgencyCond, []any{"x", 3}, "COVERING INDEX requests_action_created"},
		{"status and urgency", db.ListRequestsSQL + where + " AND " + db.RequestUrgencyCond + db.RequestsNewestOrder + db.PageSuffix, []any{"approved", 3, 50, 0}, "requests_status_created"},
		// q matches inside params: no index finds it, so the page and its count read the
		// search window, the newest requests, from the time index.
		{"query", db.ListRequestsSQL + " WHERE " + db.RequestQueryCond + " AND " + db.RequestWindowCond + db.RequestsNewestOrder + db.PageSuffix, []any{"%x%", 1, 50, 0}, "requests_created"},
		{"query count", db.CountRequestsSQL + " WHERE " + db.RequestQueryCond + " AND " + db.RequestWindowCond, []any{"%x%", 1}, "requests_created (created_at>?)"},
		{"pending query", db.ListRequestsSQL + pending + " AND " + db.RequestQueryCond + " AND " + db.RequestWindowCond + db.RequestsNewestOrder + db.PageSuffix, []any{"%x%", 1, 50, 0}, "requests_status_created"},
		// The window's start, the SearchWindow-th newest request of the status.
		{"search window", db.SearchWindowSQL, []any{9999}, "COVERING INDEX requests_created"},
		{"pending search window", db.SearchPendingWindowSQL, []any{9999}, "COVERING INDEX requests_status_created"},
		{"status search window", db.SearchStatusWindowSQL, []any{"approved", 9999}, "COVERING INDEX requests_status_created"},
		{"pending expiring", db.ListRequestsSQL + pending + db.RequestsExpiringOrder + db.PageSuffix, []any{50, 0}, "requests_pending_expires"},
		{"similar requests", db.SimilarByIDSQL, []any{"x", 0, 2000, "key_1", 50}, "requests_action_created"},
		{"replay page", eachPageSQL, []any{0, 1, 0, 0, "req_1", 100}, "requests_created"},
		{"overdue", db.ListOverdueSQL, []any{0, 50}, "requests_pending_expires"},
		{"recent decisions", db.RecentDecisionsSQL, []any{10}, "requests_decided_later"},
		{"audit newest", db.ListAuditSQL + db.AuditNewestOrder + db.PageSuffix, []any{50, 0}, "audit_events_created"},
		{"audit by actor", db.ListAuditSQL + " WHERE actor = ?" + db.AuditNewestOrder + db.PageSuffix, []any{"x", 50, 0}, "audit_events_actor_created"},
		{"audit by request status", db.ListAuditSQL + " WHERE " + db.AuditStatusCond + db.AuditNewestOrder + db.PageSuffix, []any{"pending", 50, 0}, "sqlite_autoindex_requests"},
		{"audit by request status count", db.CountAuditSQL + " WHERE " + db.AuditStatusCond, []any{"pending"}, "sqlite_autoindex_requests"},
		{"request trail", db.RequestAuditSQL, []any{"req_1"}, "audit_events_request_created"},
		// Counting audit events: an event's request's status, a request's events so far.
		{"event's request status", db.RequestStatusSQL, []any{"req_1"}, "sqlite_autoindex_requests"},
		{"request's events", db.RequestEventsSQL, []any{"req_1"}, "COVERING INDEX audit_events_request_created"},
		{"actors", db.AuditActorsSQL, nil, "audit_events_actor_created"},
		{"actions", db.AuditActionsSQL, nil, "audit_events_action_created"},
		{"key by hash", db.GetKeyByHashSQL, []any{"h"}, "sqlite_autoindex_api_keys"},
	}
	for _, tt := range tests {
		plan, err := db.ExplainQueryPlan(s, tt.query, tt.args...)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, tt.index) {
			t.Errorf("%s: plan does not use %s:\n%s", tt.name, tt.index, text)
		}
		for _, line := range plan {
			// "recent" is the similar requests' bounded window, read in its order.
			fullScan := strings.HasPrefix(line, "SCAN ") && line != "SCAN v" && line != "SCAN recent" && !strings.Contains(line, "INDEX")
			if fullScan || (strings.Contains(line, "TEMP B-TREE") && !strings.Contains(line, "RIGHT PART") && !strings.Contains(line, "LAST TERM")) {
				t.Errorf("%s: %q in plan:\n%s", tt.name, line, text)
			}
		}
	}
}

// eachPageSQL is a page of Store.EachRequest after the first: a time range, continued after
// the last request read.
var eachPageSQL = db.ListRequestsSQL + " WHERE " + db.RequestFromCond + " AND " + db.RequestToCond + " AND " +
	db.RequestAfterCond + db.RequestsOldestOrder + " LIMIT ?"

// TestQueryPlansPostgres checks that PostgreSQL answers every request list and count from
// the index meant for it. Sequential scans are disabled, so that the test's near-empty
// tables plan as large ones do: a plan that still scans the table has no index to use.
func TestQueryPlansPostgres(t *testing.T) {
	if !slices.Contains(dbtest.Dialects(), db.DialectPostgres) {
		t.Skip("set " + dbtest.PostgresURLEnv + " to check PostgreSQL's plans")
	}
	s := dbtest.Open(t, db.DialectPostgres)
	pending := " WHERE " + db.RequestPendingCond
	for _, tt := range []struct {
		name, query string
		args        []any
		want        string // in the plan
	}{
		{"pending newest", db.ListRequestsSQL + pending + db.RequestsNewestOrder + db.PageSuffix, []any{50, 0}, "Index Scan using requests_pending_rank_created"},
		{"pending by urgency", db.ListRequestsSQL + pending + db.RequestsUrgencyOrder + db.PageSuffix, []any{50, 0}, "Index Scan using requests_pending_rank_created"},
		{"pending and urgency", db.ListRequestsSQL + pending + " AND " + db.RequestUrgencyCond + db.RequestsNewestOrder + db.PageSuffix, []any{3, 50, 0}, "Index Cond: (urgency_rank = 3)"},
		{"status", db.ListRequestsSQL + " WHERE " + db.RequestStatusCond + db.RequestsNewestOrder + db.PageSuffix, []any{"approved", 50, 0}, "Index Cond: (status = 'approved'::text)"},
		{"action", db.ListRequestsSQL + " WHERE " + db.RequestActionCond + db.RequestsNewestOrder + db.PageSuffix, []any{"x", 50, 0}, "Index Cond: (action = 'x'::text)"},
		{"action and urgency", db.ListRequestsSQL + " WHERE " + db.RequestActionCond + " AND " + db.RequestUrgencyCond + db.RequestsOldestOrder + db.PageSuffix, []any{"x", 3, 50, 0}, "Index Cond: ((action = 'x'::text) AND (urgency_rank = 3))"},
		{"action count", db.CountRequestsSQL + " WHERE " + db.RequestActionCond + " AND " + db.RequestUrgencyCond, []any{"x", 3}, "Index Only Scan using requests_action_created"},
		// q matches inside params: no index finds it; the page and its count read the search
		// window, the newest requests, from the time index.
		{"query", db.ListRequestsSQL + " WHERE " + db.RequestQueryCond + " AND " + db.RequestWindowCond + db.RequestsNewestOrder + db.PageSuffix, []any{"%x%", 1, 50, 0}, "Index Cond: (created_at >= "},
		{"query count", db.CountRequestsSQL + " WHERE " + db.RequestQueryCond + " AND " + db.RequestWindowCond, []any{"%x%", 1}, "requests_created"},
		{"pending expiring", db.ListRequestsSQL + pending + db.RequestsExpiringOrder + db.PageSuffix, []any{50, 0}, "Index Scan using requests_pending_expires"},
		{"similar requests", db.SimilarByIDSQL, []any{"x", 0, 2000, "key_1", 50}, "requests_action_created"},
		{"all newest", db.ListRequestsSQL + db.RequestsNewestOrder + db.PageSuffix, []any{50, 0}, "Index Scan Backward using requests_created"},
		{"replay page", eachPageSQL, []any{0, 1, 0, 0, "req_1", 100}, "Index Cond: ((created_at >="},
		{"overdue", db.ListOverdueSQL, []any{0, 50}, "Index Scan using requests_pending_expires"},
		{"recent decisions", db.RecentDecisionsSQL, []any{10}, "requests_decided_later"},
	} {
		plan, err := db.ExplainPostgres(s, tt.query, tt.args...)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if text := strings.Join(plan, "\n"); strings.Contains(text, "Seq Scan") || !strings.Contains(text, tt.want) {
			t.Errorf("%s: plan does not use %q:\n%s", tt.name, tt.want, text)
		}
	}
}

// TestAuditStatusPageIsSerial: the page of events filtered on their request's status is
// planned without parallel workers, even by a server whose settings make them free (as
// its estimates, wrongly, made them cheap at 1,000,000 events: see serialAuditPage).
func TestAuditStatusPageIsSerial(t *testing.T) {
	if !slices.Contains(dbtest.Dialects(), db.DialectPostgres) {
		t.Skip("set " + dbtest.PostgresURLEnv + " to check PostgreSQL's plans")
	}
	u, err := url.Parse(dbtest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for _, k := range []string{"parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size", "min_parallel_index_scan_size"} {
		q.Set(k, "0")
	}
	u.RawQuery = q.Encode()
	ctx := context.Background()
	s, err := db.Open(ctx, u.String(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO requests (id, action, urgency, urgency_rank, status, created_at, updated_at, expires_at)
			SELECT 'req_' || i, 'deploy', 'normal', 1, CASE WHEN i % 100 = 0 THEN 'pending' ELSE 'approved' END, i, i, i
			FROM generate_series(1, 5000) i`,
		`INSERT INTO audit_events (id, request_id, event_type, actor, actor_type, created_at)
			SELECT 'evt_' || i, 'req_' || i, 'request.created', 'bot', 'api_key', i FROM generate_series(1, 5000) i`,
		`ANALYZE`,
	} {
		if err := db.Exec(ctx, s, q); err != nil {
			t.Fatal(err)
		}
	}
	plan, err := db.ExplainSerialAuditPage(s, agentgate.StatusPending)
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(plan, "\n"); strings.Contains(text, "Gather") || strings.Contains(text, "Parallel") {
		t.Errorf("the page uses parallel workers:\n%s", text)
	}
}
