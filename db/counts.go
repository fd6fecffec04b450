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
// of a count of every matching request. Its events column keeps the number of audit
// events about the requests of its status and urgency (about no request in the row of
// status and urgency ""), so that the audit log's total, unfiltered or by the status the
// events' request has now, is read the same way, and its writes update the rows the
// request counts update anyway. Operations record their changes; the writer applies the
// sum of a batch's changes just before it commits, in key order, so that batches of two
// PostgreSQL instances always lock the counter rows in the same order. Each writer lane
// adds to rows of its own lane (on PostgreSQL one of countLanes, from a random start per
// store), so that batches in flight together rarely wait on the same rows; a count is the
// sum over the lanes.

// countLanes is how many lanes of counter rows PostgreSQL stores spread over: enough that
// the lanes of a few instances seldom meet, few enough that a count reads few rows.
const countLanes = 16

type countKey struct {
	status  string
	urgency string
}

// countDelta is a change of a request_counts row: of its requests (n) and of the audit
// events about them (events).
type countDelta struct{ requests, events int64 }

// countRequest records that the number of requests with this status and urgency changes by
// delta if the running operation succeeds.
func (t *writeTx) countRequest(status agentgate.Status, urgency agentgate.Urgency, delta int64) {
	k := countKey{string(status), string(urgency)}
	d := t.opCounts[k]
	d.requests += delta
	t.opCounts[k] = d
}

// countAudit records that the number of audit events about requests with this status and
// urgency (both "" for events about no request) changes by delta if the running
// operation succeeds.
func (t *writeTx) countAudit(status agentgate.Status, urgency agentgate.Urgency, delta int64) {
	k := countKey{string(status), string(urgency)}
	d := t.opCounts[k]
	d.events += delta
	t.opCounts[k] = d
}

// opDone keeps the running operation's count changes (and collected rows) if it
// succeeded, else drops them.
func (t *writeTx) opDone(ok bool) {
	t.keepCollected(ok)
	if ok {
		for k, d := range t.opCounts {
			b := t.batchCounts[k]
			b.requests += d.requests
			b.events += d.events
			t.batchCounts[k] = b
		}
	}
	clear(t.opCounts)
}

const addRequestCountSQL = `INSERT INTO request_counts (status, urgency, lane, n, events) VALUES (?, ?, ?, ?, ?)
	ON CONFLICT (status, urgency, lane) DO UPDATE
	SET n = request_counts.n + excluded.n, events = request_counts.events + excluded.events`

// flushCounts applies the batch's count changes.
func (t *writeTx) flushCounts() error {
	status, urgency, delta, events := t.sortedCounts()
	for i := range status {
		if _, err := t.exec(addRequestCountSQL, status[i], urgency[i], t.countLane, delta[i], events[i]); err != nil {
			return fmt.Errorf("update request counts: %w", err)
		}
	}
	clear(t.batchCounts)
	return nil
}

// sortedCounts returns the batch's nonzero count changes in key order.
func (t *writeTx) sortedCounts() (status, urgency []string, delta, events []int64) {
	keys := make([]countKey, 0, len(t.batchCounts))
	for k, d := range t.batchCounts {
		if d != (countDelta{}) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b countKey) int {
		return cmp.Or(cmp.Compare(a.status, b.status), cmp.Compare(a.urgency, b.urgency))
	})
	status, urgency = make([]string, len(keys)), make([]string, len(keys))
	delta, events = make([]int64, len(keys)), make([]int64, len(keys))
	for i, k := range keys {
		d := t.batchCounts[k]
		status[i], urgency[i], delta[i], events[i] = k.status, k.urgency, d.requests, d.events
	}
	return status, urgency, delta, events
}

const requestCountsSQL = `SELECT status, urgency, SUM(n), SUM(events) FROM request_counts GROUP BY status, urgency`

// requestCounts returns the number of requests per status and urgency.
func (s *Store) requestCounts(ctx context.Context) (map[countKey]int, error) {
	out := map[countKey]int{}
	err := s.eachCount(ctx, func(k countKey, n, _ int) { out[k] = n })
	return out, err
}

// eachCount calls fn with each status and urgency's numbers of requests and of audit
// events about them, from request_counts.
func (s *Store) eachCount(ctx context.Context, fn func(k countKey, requests, events int)) error {
	rows, err := s.query(ctx, requestCountsSQL)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k countKey
		var n, events int
		if err := rows.Scan(&k.status, &k.urgency, &n, &events); err != nil {
			return s.reach.check(err)
		}
		fn(k, n, events)
	}
	return s.reach.check(rows.Err())
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

// auditCount returns, from request_counts, the number of audit events whose request has
// that status now, or of all events if status is empty.
func (s *Store) auditCount(ctx context.Context, status agentgate.Status) (int, error) {
	total := 0
	err := s.eachCount(ctx, func(k countKey, _, events int) {
		if status == "" || k.status == string(status) {
			total += events
		}
	})
	return total, err
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
