package db

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"

	"github.com/agentgate/agentgate"
)

// HoldWriter makes the writer run an operation that blocks until release is called, so
// that operations queued meanwhile are committed together in the next batch. The lane
// running it keeps the turn (see lane), so no other lane takes them.
func HoldWriter(s *Store) (release func()) {
	started, unblock, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		_ = s.w.do(context.Background(), func(*writeTx) error {
			close(started)
			<-unblock
			return nil
		})
	}()
	<-started
	return func() { close(unblock); <-done }
}

// queued counts, per writer, the operations waiting for it to take them.
var queued sync.Map // *writer → *atomic.Int64

// The hook is set before any test runs, and so before any writer goroutine reads it.
func init() {
	testHookQueued = func(w *writer, delta int) { queuedOps(w).Add(int64(delta)) }
}

func queuedOps(w *writer) *atomic.Int64 {
	if n, ok := queued.Load(w); ok {
		return n.(*atomic.Int64)
	}
	n, _ := queued.LoadOrStore(w, new(atomic.Int64))
	return n.(*atomic.Int64)
}

// WaitQueued yields until n write operations are waiting for the writer.
func WaitQueued(s *Store, n int64) {
	for queuedOps(s.w).Load() < n {
		runtime.Gosched()
	}
}

// FailAfterCounting runs a write operation that counts a new request of that status and
// urgency and then fails with an error not marked clean, as an insert that broke after
// counting would. Queued beside other writes, it shares their batch.
func FailAfterCounting(ctx context.Context, s *Store, status agentgate.Status, urgency agentgate.Urgency) error {
	return s.w.do(ctx, func(tx *writeTx) error {
		tx.countRequest(status, urgency, 1)
		return errors.New("failed after counting")
	})
}

// FailAfterAudit runs a write operation that inserts (or collects) an audit event and then
// fails with an error not marked clean. Queued beside other writes, it shares their batch.
func FailAfterAudit(ctx context.Context, s *Store, e agentgate.AuditEvent) error {
	args, err := auditArgs([]agentgate.AuditEvent{e})
	if err != nil {
		return err
	}
	return s.w.do(ctx, func(tx *writeTx) error {
		if err := insertAudit(tx, args); err != nil {
			return err
		}
		return errors.New("failed after an audit event")
	})
}

// Batches returns how many write transactions the store has run.
func Batches(s *Store) int64 { return s.w.batches.Load() }

// Retries returns how many batches the store has run again, an operation in a savepoint.
func Retries(s *Store) int64 { return s.w.retries.Load() }

// ExplainQueryPlan returns SQLite's query plan for a package query, one detail per row.
func ExplainQueryPlan(s *Store, query string, args ...any) ([]string, error) {
	rows, err := s.rdb.Query(`EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, err
		}
		out = append(out, detail)
	}
	return out, rows.Err()
}

// ExplainPostgres returns PostgreSQL's plan for a package query, one line per row, with
// sequential scans disabled: a plan that still scans a table has no index to use.
func ExplainPostgres(s *Store, query string, args ...any) ([]string, error) {
	tx, err := s.rdb.Beginx()
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.Exec(`SET LOCAL enable_seqscan = off`); err != nil {
		return nil, err
	}
	var out []string
	err = tx.Select(&out, `EXPLAIN `+s.rdb.Rebind(query), args...)
	return out, err
}

// ExplainSerialAuditPage returns PostgreSQL's plan of the page ListAudit reads for a
// filter on the request's status, planned as ListAudit plans it.
func ExplainSerialAuditPage(s *Store, status agentgate.Status) ([]string, error) {
	var out []string
	err := s.serialRead(context.Background(), func(tx *sqlx.Tx) error {
		return tx.Select(&out, `EXPLAIN `+s.rdb.Rebind(listAuditSQL+` WHERE `+auditStatusCond+auditNewestOrder+pageSuffix),
			string(status), 50, 0)
	})
	return out, err
}

// RequestStatusSQL is SQLite's look-up of an audit event's request's status.
var RequestStatusSQL = requestStatusSQLs[false]

// Exported for tests: the desk's search window, expiry order and similar requests.
const (
	RequestEventsSQL       = requestEventsSQL
	RequestWindowCond      = requestWindowCond
	SearchPendingWindowSQL = searchPendingWindowSQL
	SearchStatusWindowSQL  = searchStatusWindowSQL
	SearchWindowSQL        = searchWindowSQL
	RequestsExpiringOrder  = requestsExpiringOrder
	SimilarByIDSQL         = similarRequestsSQL + similarByIDCond + similarOrder
)

// Exported for tests.
const (
	ListRequestsSQL       = listRequestsSQL
	ListRequestsPackedSQL = listRequestsPackedSQL
	CountRequestsSQL      = countRequestsSQL
	RequestStatusCond     = requestStatusCond
	RequestPendingCond    = requestPendingCond
	RecentDecisionsSQL    = recentDecisionsSQL
	RequestActionCond     = requestActionCond
	RequestUrgencyCond    = requestUrgencyCond
	RequestsNewestOrder   = requestsNewestOrder
	RequestsOldestOrder   = requestsOldestOrder
	RequestsUrgencyOrder  = requestsUrgencyOrder
	PageSuffix            = pageSuffix
	RequestQueryCond      = requestQueryCond
	RequestFromCond       = requestFromCond
	RequestToCond         = requestToCond
	RequestAfterCond      = requestAfterCond
	ListOverdueSQL        = listOverdueSQL
	ListAuditSQL          = listAuditSQL
	AuditNewestOrder      = auditNewestOrder
	AuditStatusCond       = auditStatusCond
	CountAuditSQL         = countAuditSQL
	RequestAuditSQL       = requestAuditSQL
	AuditActorsSQL        = auditActorsSQL
	AuditActionsSQL       = auditActionsSQL
	GetKeyByHashSQL       = getKeyByHashSQL
)

// BulkInsertRequests inserts requests in one write operation (one transaction, one
// prepared statement), for seeding benchmarks.
func BulkInsertRequests(s *Store, rs []*agentgate.Request) error {
	return s.w.do(context.Background(), func(tx *writeTx) error {
		for _, r := range rs {
			args, err := insertRequestArgs(r)
			if err != nil {
				return err
			}
			if _, err := tx.exec(insertRequestSQL, args...); err != nil {
				return err
			}
			tx.countRequest(r.Status, r.Urgency, 1)
		}
		return nil
	})
}

// MigrateTo applies the migrations up to and including version.
func MigrateTo(ctx context.Context, s *Store, version int64) error {
	p, err := s.migrationProvider(ctx)
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// Exec runs one statement (with ? placeholders) on the writer's pool, outside the writer:
// for seeding rows in an older schema.
func Exec(ctx context.Context, s *Store, query string, args ...any) error {
	_, err := s.wdb.ExecContext(ctx, s.wdb.Rebind(query), args...)
	return err
}

// UnpackedPages returns how many list pages SQLite has read again by columns, because a
// request's text held the packing separator.
func UnpackedPages() int64 { return unpackedPages.Load() }
