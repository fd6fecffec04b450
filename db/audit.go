package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/agentgate/agentgate"
)

// auditColumns are the columns every audit query reads, in scanAudit's order.
const auditColumns = `id, request_id, action, event_type, actor, actor_type, owasp, details, created_at`

// auditInserts inserts audit events, and writes a batch's together (see writebulk.go).
var auditInserts = newBulkInsert("audit_events", auditColumns,
	"text", "text", "text", "text", "text", "text", "text", "jsonb", "bigint")

// auditArgs encodes events in auditColumns' order, before the writer needs them, as
// values the drivers take as they are.
func auditArgs(events []agentgate.AuditEvent) ([][]any, error) {
	out := make([][]any, len(events))
	for i, e := range events {
		if e.ID == "" {
			return nil, fmt.Errorf("audit event %q has no id", e.EventType)
		}
		var requestID any // NULL for an event about no request
		if e.RequestID != "" {
			requestID = e.RequestID
		}
		out[i] = []any{e.ID, requestID, e.Action, e.EventType, e.Actor, string(e.ActorType),
			e.OWASP, jsonText(e.Details, "{}"), toMicros(e.CreatedAt)}
	}
	return out, nil
}

// insertAudit writes encoded events in the writer's transaction (or collects them), and
// counts them in request_counts under the status and urgency their request has now (see
// counts.go).
func insertAudit(tx *writeTx, events [][]any) error {
	return insertRequestAudit(tx, events, requestKey{})
}

// requestKey is a request an operation writes, with the status and urgency it leaves it
// with.
type requestKey struct {
	id      string
	status  agentgate.Status
	urgency agentgate.Urgency
}

// insertRequestAudit is insertAudit for an operation that writes request r: its events
// about r need not look r up.
func insertRequestAudit(tx *writeTx, events [][]any, r requestKey) error {
	for _, args := range events {
		status, urgency, err := tx.auditRequest(args[1], r)
		if err != nil {
			return fmt.Errorf("audit event %v: %w", args[0], err)
		}
		if err := tx.insertRow(auditInserts, args); err != nil {
			return fmt.Errorf("insert audit event %v: %w", args[0], err)
		}
		tx.countAudit(status, urgency, 1)
	}
	return nil
}

// requestStatusSQLs read the status and urgency of the request an event is about. On
// PostgreSQL the row is locked against updates until the batch commits: an update of its
// status by another instance then waits, and moves this event's count along with the
// request's others (requestEvents), or happens first, and this reads the status it left.
// The gate writes events about a request only in the operation that writes the request,
// which needs no look-up; a batch of other events about several requests holds each lock
// until it commits, and may deadlock with another instance deciding those requests in
// another order, as two batches of decisions may (PostgreSQL ends one of them).
var requestStatusSQLs = map[bool]string{
	false: `SELECT status, urgency FROM requests WHERE id = ?`,
	true:  `SELECT status, urgency FROM requests WHERE id = ? FOR SHARE`,
}

// auditRequest returns the status and urgency now of the request an event's request_id
// value names: r's if it is r, else the stored ones; "" for no request, or one that is
// not stored.
func (t *writeTx) auditRequest(requestID any, r requestKey) (agentgate.Status, agentgate.Urgency, error) {
	id, _ := requestID.(string)
	switch {
	case id == "":
		return "", "", nil
	case id == r.id:
		return r.status, r.urgency, nil
	}
	row, err := t.queryRow(requestStatusSQLs[t.postgres], id)
	if err != nil {
		return "", "", err
	}
	var status, urgency string
	if err := row.Scan(&status, &urgency); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", "", err
	}
	return agentgate.Status(status), agentgate.Urgency(urgency), nil
}

const requestEventsSQL = `SELECT COUNT(*) FROM audit_events WHERE request_id = ?`

// requestEvents returns the number of events about a request written before the running
// operation: stored, or collected by earlier operations of the batch.
func (t *writeTx) requestEvents(id string) (int64, error) {
	row, err := t.queryRow(requestEventsSQL, id)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := row.Scan(&n); err != nil {
		return 0, err
	}
	for _, r := range t.batchRows {
		if r.ins == auditInserts && r.args[1] == any(id) {
			n++
		}
	}
	return n, nil
}

// AppendAudit writes standalone events, such as logins, in one transaction.
func (s *Store) AppendAudit(ctx context.Context, events []agentgate.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	args, err := auditArgs(events)
	if err != nil {
		return err
	}
	if err := s.w.do(ctx, func(tx *writeTx) error { return insertAudit(tx, args) }); err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

const (
	listAuditSQL  = `SELECT ` + auditColumns + ` FROM audit_events`
	countAuditSQL = `SELECT COUNT(*) FROM audit_events`

	// Filter conditions, joined with AND; values are always bound.
	auditTypeCond    = `event_type = ?`
	auditActionCond  = `action = ?`
	auditActorCond   = `actor = ?`
	auditRequestCond = `request_id = ?`
	auditFromCond    = `created_at >= ?`
	auditToCond      = `created_at < ?`
	// The request's status now, looked up by its primary key for each event in order.
	auditStatusCond = `EXISTS (SELECT 1 FROM requests r WHERE r.id = audit_events.request_id AND r.status = ?)`

	auditNewestOrder = ` ORDER BY created_at DESC, id DESC`
)

// ListAudit returns one page of the events that match f, newest first, and the number of
// events that match.
func (s *Store) ListAudit(ctx context.Context, f agentgate.AuditFilter) ([]agentgate.AuditEvent, int, error) {
	var w where
	w.add(f.EventType != "", auditTypeCond, f.EventType)
	w.add(f.Action != "", auditActionCond, f.Action)
	w.add(f.Actor != "", auditActorCond, f.Actor)
	w.add(f.RequestID != "", auditRequestCond, f.RequestID)
	w.add(f.Status != "", auditStatusCond, string(f.Status))
	w.add(!f.From.IsZero(), auditFromCond, toMicros(f.From))
	w.add(!f.To.IsZero(), auditToCond, toMicros(f.To))

	limit, offset := pageBounds(f.Page)
	query, args := listAuditSQL+w.sql()+auditNewestOrder+pageSuffix, w.argsAnd(limit, offset)
	var list []agentgate.AuditEvent
	var err error
	if f.Status != "" && s.dialect == DialectPostgres {
		list, err = s.serialAuditPage(ctx, limit, query, args)
	} else {
		list, err = queryAll(ctx, s, limit, scanAudit, query, args...)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("list audit: %w", err)
	}
	total, ok := pageTotal(len(list), offset, limit)
	switch {
	case ok:
	case len(w.conds) == 0 || len(w.conds) == 1 && f.Status != "": // kept in request_counts
		total, err = s.auditCount(ctx, f.Status)
	default:
		total, err = scanCount(s.queryRow(ctx, countAuditSQL+w.sql(), w.args...))
	}
	if err != nil {
		return nil, 0, fmt.Errorf("count audit: %w", err)
	}
	return list, total, nil
}

// serialSQL keeps PostgreSQL from planning the rest of its transaction with parallel
// workers.
const serialSQL = `SET LOCAL max_parallel_workers_per_gather = 0`

// serialAuditPage reads a page of events filtered on their request's status on
// PostgreSQL, in a read-only transaction without parallel workers. The page walks the
// events newest first and looks up each one's request until it has enough: with 1 % of
// 1,000,000 events matching, about 5,000 look-ups, 6 ms. With parallel workers allowed,
// PostgreSQL's planner prefers to merge the walks of several workers, each of which
// looks up some tens of thousands of events before the merge stops it: 70-130 ms.
func (s *Store) serialAuditPage(ctx context.Context, limit int, query string, args []any) ([]agentgate.AuditEvent, error) {
	st, err := s.reads.get(ctx, query)
	if err != nil {
		return nil, s.reach.check(err)
	}
	var out []agentgate.AuditEvent
	err = s.serialRead(ctx, func(tx *sqlx.Tx) error {
		rows, err := tx.StmtxContext(ctx, st).QueryContext(ctx, args...)
		if err != nil {
			return err
		}
		out, err = scanAll(rows, limit, scanAudit)
		return err
	})
	return out, s.reach.check(err)
}

// serialRead runs fn in a read-only PostgreSQL transaction planned without parallel
// workers.
func (s *Store) serialRead(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.rdb.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, serialSQL); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

const requestAuditSQL = `SELECT ` + auditColumns + ` FROM audit_events
	WHERE request_id = ? ORDER BY created_at ASC, id ASC`

// RequestAudit returns a request's events, oldest first.
func (s *Store) RequestAudit(ctx context.Context, requestID string) ([]agentgate.AuditEvent, error) {
	list, err := queryAll(ctx, s, 0, scanAudit, requestAuditSQL, requestID)
	if err != nil {
		return nil, fmt.Errorf("request audit: %w", err)
	}
	return list, nil
}

// The distinct lists walk the (column, created_at) index one value at a time, each step a
// single index seek for the next larger value, instead of reading every event: a loose
// index scan that both SQLite and PostgreSQL run from the same recursive query.
const (
	auditActorsSQL = `WITH RECURSIVE v(x) AS (
		SELECT MIN(actor) FROM audit_events WHERE actor > ''
		UNION ALL
		SELECT (SELECT MIN(actor) FROM audit_events WHERE actor > v.x) FROM v WHERE v.x IS NOT NULL
	) SELECT x FROM v WHERE x IS NOT NULL`
	auditActionsSQL = `WITH RECURSIVE v(x) AS (
		SELECT MIN(action) FROM audit_events WHERE action > ''
		UNION ALL
		SELECT (SELECT MIN(action) FROM audit_events WHERE action > v.x) FROM v WHERE v.x IS NOT NULL
	) SELECT x FROM v WHERE x IS NOT NULL`
)

// AuditActors lists the distinct actors in the log, in byte order.
func (s *Store) AuditActors(ctx context.Context) ([]string, error) {
	out, err := queryAll(ctx, s, 0, scanString, auditActorsSQL)
	if err != nil {
		return nil, fmt.Errorf("audit actors: %w", err)
	}
	return out, nil
}

// AuditActions lists the distinct request actions in the log, in byte order.
func (s *Store) AuditActions(ctx context.Context) ([]string, error) {
	out, err := queryAll(ctx, s, 0, scanString, auditActionsSQL)
	if err != nil {
		return nil, fmt.Errorf("audit actions: %w", err)
	}
	return out, nil
}

// scanAudit reads one row of auditColumns.
func scanAudit(sc scanner) (agentgate.AuditEvent, error) {
	var (
		e         agentgate.AuditEvent
		requestID sql.NullString
		actorType string
		details   []byte
		createdAt int64
	)
	err := sc.Scan(&e.ID, &requestID, &e.Action, &e.EventType, &e.Actor, &actorType,
		&e.OWASP, &details, &createdAt)
	if err != nil {
		return e, err
	}
	e.RequestID, e.ActorType, e.Details = requestID.String, agentgate.ActorType(actorType), details
	e.CreatedAt = fromMicros(createdAt)
	return e, nil
}
