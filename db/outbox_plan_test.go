package db_test

import (
	"strings"
	"testing"

	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// The outbox's queries read indexes: the claim the due index, the delivery log and the
// webhooks' health the target indexes, never a whole table.
func TestOutboxQueryPlans(t *testing.T) {
	s := dbtest.Open(t, db.DialectSQLite)
	for _, tc := range []struct {
		name, query string
		args        []any
		index       []string
	}{
		{"claim", db.ClaimDeliveriesSQLite, []any{"me", 2, 1, 1, 16}, []string{"outbox_deliveries_due"}},
		{"log", db.ListDeliveriesSQL, []any{"webhook", "wh_1", 50, 0}, []string{"outbox_deliveries_target_created", "sqlite_autoindex_outbox_attempts"}},
		{"log by status", db.ListDeliveriesBySQL, []any{"webhook", "wh_1", "failed", 50, 0}, []string{"outbox_deliveries_target_created", "sqlite_autoindex_outbox_attempts"}},
		{"attempts of a delivery", db.DeliveryAttemptsSQL, []any{"dlv_1"}, []string{"sqlite_autoindex_outbox_attempts"}},
		{"webhooks with health", db.ListWebhooksSQL, []any{1, 1, 50, 0}, []string{"outbox_attempts_target_started"}},
	} {
		plan, err := db.ExplainQueryPlan(s, tc.query, tc.args...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		text := strings.Join(plan, "\n")
		for _, ix := range tc.index {
			if !strings.Contains(text, ix) {
				t.Errorf("%s: plan does not use %s:\n%s", tc.name, ix, text)
			}
		}
		for _, line := range plan {
			// w is the webhooks (a few rows), d a page of deliveries already read from an index.
			table := strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, "INDEX") && line != "SCAN w" && line != "SCAN d"
			if table || strings.Contains(line, "TEMP B-TREE") && !strings.Contains(line, "LAST TERM") && !strings.Contains(line, "RIGHT PART") && tc.name != "webhooks with health" {
				t.Errorf("%s: %q in plan:\n%s", tc.name, line, text)
			}
		}
	}
}
