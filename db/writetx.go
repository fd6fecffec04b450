package db

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/jmoiron/sqlx"
)

// writeTx is the batch transaction as an operation sees it: prepared statements of the
// writer's pool, bound to this transaction once per batch.
type writeTx struct {
	ctx      context.Context
	db       *sqlx.DB
	tx       *sqlx.Tx // nil until open
	stmts    *stmtCache
	prepared map[string]*sqlx.Stmt // per batch: query text → statement bound to tx
	postgres bool                  // send notifications
	log      *slog.Logger

	unprepared []string // queries this batch prepared on its transaction only

	opCounts    map[countKey]countDelta // the running operation's changes to request_counts
	batchCounts map[countKey]countDelta // the changes of the batch's successful operations
	countLane   int64                   // the lane of request_counts rows this writer lane adds to

	// collecting is set for a PostgreSQL batch's first attempt: new rows and
	// notifications are collected and written together before the commit (writebulk.go).
	collecting          bool
	opRows, batchRows   []collectedRow
	opNotes, batchNotes []string
	flat                []any  // the flush's values, reused
	arrayBuf            []byte // builds the flush's array literals
}

func (t *writeTx) init(db *sqlx.DB, stmts *stmtCache, postgres bool, log *slog.Logger) {
	t.db, t.stmts, t.postgres, t.log = db, stmts, postgres, log
	t.prepared = map[string]*sqlx.Stmt{}
	t.opCounts, t.batchCounts = map[countKey]countDelta{}, map[countKey]countDelta{}
}

// begin starts a batch; its transaction opens with open, or with the first statement.
func (t *writeTx) begin(ctx context.Context, collecting bool) { t.ctx, t.collecting = ctx, collecting }

// open begins the batch's transaction.
func (t *writeTx) open() error {
	tx, err := t.db.BeginTxx(t.ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write transaction: %w", err)
	}
	t.tx = tx
	return nil
}

// rollback abandons the batch's transaction, if it opened one.
func (t *writeTx) rollback() {
	if t.tx != nil {
		_ = t.tx.Rollback()
	}
}

// commit commits the batch's transaction, if it opened one.
func (t *writeTx) commit() error {
	if t.tx == nil {
		return nil
	}
	return t.tx.Commit()
}

// end forgets the batch's statements (the transaction closed them) and prepares on the
// pool the queries this batch used for the first time. That cannot happen during the
// batch: on SQLite the transaction holds the pool's only connection.
func (t *writeTx) end() {
	clear(t.prepared)
	clear(t.opCounts)
	clear(t.batchCounts)
	t.dropCollected()
	t.tx, t.collecting = nil, false
	for _, q := range t.unprepared {
		if _, err := t.stmts.get(t.ctx, q); err != nil {
			t.log.Error("Preparing a write statement failed.", "error", err)
		}
	}
	t.unprepared = t.unprepared[:0]
}

func (t *writeTx) stmt(query string) (*sqlx.Stmt, error) {
	if st := t.prepared[query]; st != nil {
		return st, nil
	}
	if t.tx == nil {
		if err := t.open(); err != nil {
			return nil, err
		}
	}
	var err error
	st, ok := t.stmts.lookup(query)
	if ok {
		st = t.tx.StmtxContext(t.ctx, st)
	} else {
		st, err = t.tx.PreparexContext(t.ctx, t.tx.Rebind(query))
		if err != nil {
			return nil, fmt.Errorf("prepare %q: %w", firstLine(query), err)
		}
		t.unprepared = append(t.unprepared, query)
	}
	t.prepared[query] = st
	return st, nil
}

// exec runs a prepared statement in the transaction.
func (t *writeTx) exec(query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(t.ctx, args...)
}

// execOne runs a prepared statement that must change exactly one row. When it changes
// none it returns missing, marked clean: the statement wrote nothing, so the rest of the
// batch may still commit.
func (t *writeTx) execOne(missing error, query string, args ...any) error {
	n, err := t.execRows(query, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return clean(missing)
	}
	return nil
}

// execRows runs a prepared statement and returns the number of rows it changed.
func (t *writeTx) execRows(query string, args ...any) (int64, error) {
	res, err := t.exec(query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// queryRow runs a prepared single-row query in the transaction.
func (t *writeTx) queryRow(query string, args ...any) (*sqlx.Row, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryRowxContext(t.ctx, args...), nil
}

// changed writes an administrative change's audit events (a key, policy, person or
// webhook) and tells other instances, whose gates reload what topic names.
func (t *writeTx) changed(topic string, ev [][]any) error {
	if err := insertAudit(t, ev); err != nil {
		return err
	}
	return t.notify(topic)
}

// notify sends a cross-instance notification when the transaction commits (PostgreSQL
// only; a SQLite store is the only instance). A batch that collects rows sends its
// notifications together.
func (t *writeTx) notify(payload string) error {
	if !t.postgres {
		return nil
	}
	if t.collecting {
		t.opNotes = append(t.opNotes, payload)
		return nil
	}
	_, err := t.exec(notifySQL, payload)
	return err
}
