package db_test

import (
	"strings"
	"testing"

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
		{"overdue", db.ListOverdueSQL, []any{0, 50}, "requests_pending_expires"},
		{"recent decisions", db.RecentDecisionsSQL, []any{10}, "requests_decided_later"},
		{"audit newest", db.ListAuditSQL + db.AuditNewestOrder + db.PageSuffix, []any{50, 0}, "audit_events_created"},
		{"audit by actor", db.ListAuditSQL + " WHERE actor = ?" + db.AuditNewestOrder + db.PageSuffix, []any{"x", 50, 0}, "audit_events_actor_created"},
		{"audit by request status", db.ListAuditSQL + " WHERE " + db.AuditStatusCond + db.AuditNewestOrder + db.PageSuffix, []any{"pending", 50, 0}, "sqlite_autoindex_requests"},
		{"audit by request status count", db.CountAuditSQL + " WHERE " + db.AuditStatusCond, []any{"pending"}, "sqlite_autoindex_requests"},
		{"request trail", db.RequestAuditSQL, []any{"req_1"}, "audit_events_request_created"},
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
			fullScan := strings.HasPrefix(line, "SCAN ") && line != "SCAN v" && !strings.Contains(line, "INDEX")
			if fullScan || (strings.Contains(line, "TEMP B-TREE") && !strings.Contains(line, "RIGHT PART") && !strings.Contains(line, "LAST TERM")) {
				t.Errorf("%s: %q in plan:\n%s", tt.name, line, text)
			}
		}
	}
}
