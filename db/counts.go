package db

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/agentgate/agentgate"
)

// request_counts keeps the number of requests per (status, urgency), so that the totals
// of the status tabs and the overview's pending counts are a read of a few rows instead
// of a count of every matching request; audit_counts keeps the number of audit events,
// the audit log's total, the same way. Operations record their changes; the writer
// applies the sum of a batch's changes just before it commits, in key order, so that
// batches of two PostgreSQL instances always lock the counter rows in the same order.
// Each writer lane adds to rows of its own lane (on PostgreSQL one of countLanes, from a
// random start per store), so that batches in flight together rarely wait on the same
// rows; a count is the sum over the lanes.

// countLanes is how many lanes of counter rows PostgreSQL stores spread over: enough that
// the lanes of a few instances seldom meet, few enough that a count reads few rows.
const countLanes = 16

type countKey struct {
	status  string
	urgency string
}

// countRequest records that the number of requests with this status and urgency changes by
// delta if the running operation succeeds.
func (t *writeTx) countRequest(status agentgate.Status, urgency agentgate.Urgency, delta int64) {
	t.opCounts[countKey{string(status), string(urgency)}] += delta
}

// opDone keeps the running operation's count changes (and collected rows) if it
// succeeded, else drops them.
func (t *writeTx) opDone(ok bool) {
	t.keepCollected(ok)
	if ok {
		for k, d := range t.opCounts {
			t.batchCounts[k] += d
		}
		for k, d := range t.opAudit {
			t.batchAudit[k] += d
		}
	}
	clear(t.opCounts)
	clear(t.opAudit)
}

const addRequestCountSQL = `INSERT INTO request_counts (status, urgency, lane, n) VALUES (?, ?, ?, ?)
	ON CONFLICT (status, urgency, lane) DO UPDATE SET n = request_counts.n + excluded.n`

// addAuditCountSQL adds a batch's change of the number of audit events whose request has
// a status to its lane's row of audit_counts.
const addAuditCountSQL = `INSERT INTO audit_counts (status, lane, n) VALUES (?, ?, ?)
	ON CONFLICT (status, lane) DO UPDATE SET n = audit_counts.n + excluded.n`

// flushCounts applies the batch's count changes.
func (t *writeTx) flushCounts() error {
	status, urgency, delta := t.sortedCounts()
	for i := range status {
		if _, err := t.exec(addRequestCountSQL, status[i], urgency[i], t.countLane, delta[i]); err != nil {
			return fmt.Errorf("update request counts: %w", err)
		}
	}
	clear(t.batchCounts)
	status, delta = t.sortedAuditCounts()
	for i := range status {
		if _, err := t.exec(addAuditCountSQL, status[i], t.countLane, delta[i]); err != nil {
			return fmt.Errorf("update audit counts: %w", err)
		}
	}
	clear(t.batchAudit)
	return nil
}

// sortedAuditCounts returns the batch's nonzero audit count changes in status order.
func (t *writeTx) sortedAuditCounts() (status []string, delta []int64) {
	for k, d := range t.batchAudit {
		if d != 0 {
			status = append(status, k)
		}
	}
	slices.Sort(status)
	delta = make([]int64, len(status))
	for i, k := range status {
		delta[i] = t.batchAudit[k]
	}
	return status, delta
}

// countAudit records that the number of audit events whose request has status now
// ("" for events about no request) changes by delta if the running operation succeeds.
func (t *writeTx) countAudit(status string, delta int64) { t.opAudit[status] += delta }

// sortedCounts returns the batch's nonzero count changes in key order.
func (t *writeTx) sortedCounts() (status, urgency []string, delta []int64) {
	keys := make([]countKey, 0, len(t.batchCounts))
	for k, d := range t.batchCounts {
		if d != 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b countKey) int {
		return cmp.Or(cmp.Compare(a.status, b.status), cmp.Compare(a.urgency, b.urgency))
	})
	status, urgency, delta = make([]string, len(keys)), make([]string, len(keys)), make([]int64, len(keys))
	for i, k := range keys {
		status[i], urgency[i], delta[i] = k.status, k.urgency, t.batchCounts[k]
	}
	return status, urgency, delta
}

const requestCountsSQL = `SELECT status, urgency, SUM(n) FROM request_counts GROUP BY status, urgency`

// requestCounts returns the number of requests per status and urgency.
func (s *Store) requestCounts(ctx context.Context) (map[countKey]int, error) {
	rows, err := s.query(ctx, requestCountsSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[countKey]int{}
	for rows.Next() {
		var k countKey
		var n int
		if err := rows.Scan(&k.status, &k.urgency, &n); err != nil {
			return nil, s.reach.check(err)
		}
		out[k] = n
	}
	return out, s.reach.check(rows.Err())
}

// countedTotal returns the number of requests matching a filter on status and urgency
// only (either may be empty), from request_counts.
func (s *Store) countedTotal(ctx context.Context, status agentgate.Status, urgency agentgate.Urgency) (int, error) {
	counts, err := s.requestCounts(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for k, n := range counts {
		if (status == "" || k.status == string(status)) && (urgency == "" || k.urgency == string(urgency)) {
			total += n
		}
	}
	return total, nil
}

const auditCountsSQL = `SELECT status, SUM(n) FROM audit_counts GROUP BY status`

// auditCount returns, from audit_counts, the number of audit events whose request has
// that status now, or of all events if status is empty.
func (s *Store) auditCount(ctx context.Context, status agentgate.Status) (int, error) {
	rows, err := s.query(ctx, auditCountsSQL)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return 0, s.reach.check(err)
		}
		if status == "" || k == string(status) {
			total += n
		}
	}
	return total, s.reach.check(rows.Err())
}

// CountPendingByUrgency counts pending requests per urgency; every urgency is present.
func (s *Store) CountPendingByUrgency(ctx context.Context) (map[agentgate.Urgency]int, error) {
	counts, err := s.requestCounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("count pending requests: %w", err)
	}
	out := make(map[agentgate.Urgency]int, len(agentgate.Urgencies))
	for _, u := range agentgate.Urgencies {
		out[u] = counts[countKey{string(agentgate.StatusPending), string(u)}]
	}
	return out, nil
}
