package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
	"github.com/mattn/go-sqlite3"

	"github.com/agentgate/agentgate"
)

// stmtCache rebinds and prepares each query text once per pool, on first use, and keeps the
// statement for the Store's life. The query texts are the package's constants plus the
// fixed combinations of list filters, so the cache stays small.
type stmtCache struct {
	db *sqlx.DB
	m  sync.Map // query text (with ? placeholders) → *sqlx.Stmt
	mu sync.Mutex
}

func newStmtCache(db *sqlx.DB) *stmtCache { return &stmtCache{db: db} }

// lookup returns the statement for query if it has been prepared.
func (c *stmtCache) lookup(query string) (*sqlx.Stmt, bool) {
	st, ok := c.m.Load(query)
	if !ok {
		return nil, false
	}
	return st.(*sqlx.Stmt), true
}

// get returns the prepared statement for query, preparing it the first time.
func (c *stmtCache) get(ctx context.Context, query string) (*sqlx.Stmt, error) {
	if st, ok := c.lookup(query); ok {
		return st, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m.Load(query); ok {
		return st.(*sqlx.Stmt), nil
	}
	st, err := c.db.PreparexContext(ctx, c.db.Rebind(query))
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", firstLine(query), err)
	}
	c.m.Store(query, st)
	return st, nil
}

func (c *stmtCache) close() error {
	var errs []error
	c.m.Range(func(_, v any) bool {
		errs = append(errs, v.(*sqlx.Stmt).Close())
		return true
	})
	return errors.Join(errs...)
}

func firstLine(q string) string {
	if len(q) > 60 {
		return q[:60] + "..."
	}
	return q
}

// query runs a prepared read query on the read pool. Errors, here and from the rows, go
// through s.reach, which turns a database that cannot be reached into a 503.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.reads.get(ctx, query)
	if err != nil {
		return nil, s.reach.check(err)
	}
	rows, err := st.QueryContext(ctx, args...)
	return rows, s.reach.check(err)
}

// queryRow runs a prepared single-row read query on the read pool. The row's Scan
// reports its outcome to s.reach.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) (scanner, error) {
	st, err := s.reads.get(ctx, query)
	if err != nil {
		return nil, s.reach.check(err)
	}
	return checkedRow{st.QueryRowContext(ctx, args...), s.reach}, nil
}

// checkedRow is a row whose Scan error (where a single-row query's error surfaces) is
// classified by reachability.
type checkedRow struct {
	row   *sql.Row
	reach *reachability
}

func (r checkedRow) Scan(dest ...any) error { return r.reach.check(r.row.Scan(dest...)) }

// queryAll runs a read query and scans every row. The list starts with room for capacity
// rows and is never nil, so that an empty result encodes as [] rather than null.
func queryAll[T any](ctx context.Context, s *Store, capacity int, scan func(scanner) (T, error),
	query string, args ...any) ([]T, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	out, err := scanAll(rows, capacity, scan)
	if err != nil {
		return nil, s.reach.check(err)
	}
	return out, nil
}

// scanAll scans every row of rows, and closes them.
func scanAll[T any](rows *sql.Rows, capacity int, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	out := make([]T, 0, capacity)
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// getOne runs a single-row read query and scans the row. No row is missing's error, so
// that each caller names what was not found (or does not echo a secret it was looked up
// by); a failed scan is wrapped in op.
func getOne[T any](ctx context.Context, s *Store, op string, missing func() error,
	scan func(scanner) (T, error), query string, args ...any) (*T, error) {
	row, err := s.queryRow(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	v, err := scan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, missing()
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return &v, nil
}

// scanCount reads the one integer of a one-row query, such as a COUNT(*). It takes what
// queryRow returns, on the read pool or in the writer's transaction.
func scanCount(row scanner, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	var n int
	err = row.Scan(&n)
	return n, err
}

// scanString reads a row of a single text column.
func scanString(sc scanner) (string, error) {
	var v string
	err := sc.Scan(&v)
	return v, err
}

// scanner is a *sql.Row, *sql.Rows or (in the writer's transaction) *sqlx.Row.
type scanner interface {
	Scan(dest ...any) error
}

// Times are stored as Unix microseconds in UTC.

func toMicros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// microsOrNil returns t as Unix microseconds, or nil (NULL) for no time: values the
// drivers take as they are, where a sql.NullInt64 would cost a Valuer call per argument
// on the writer goroutine.
func microsOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func fromNullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

// jsonText returns raw as a string parameter (lib/pq would send []byte as bytea, which a
// JSONB column refuses), or def when raw is empty.
func jsonText(raw json.RawMessage, def string) string {
	if len(raw) == 0 {
		return def
	}
	return string(raw)
}

// marshalText marshals v for a JSON column.
func marshalText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// pageBounds applies the default page size.
func pageBounds(p agentgate.Page) (limit, offset int) {
	limit, offset = p.Limit, max(p.Offset, 0)
	if limit <= 0 {
		limit = 50
	}
	return limit, offset
}

// isUniqueViolation reports whether err is a unique or primary key violation.
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	return pq.As(err, pqerror.UniqueViolation) != nil
}

// alreadyExists turns a unique violation into a conflict error naming what exists.
func alreadyExists(err error, what string) error {
	if !isUniqueViolation(err) {
		return err
	}
	return &agentgate.Error{Kind: agentgate.KindConflict, Code: "already_exists",
		Message: what + " already exists", Err: err}
}

// isContention reports whether PostgreSQL aborted a statement because of another
// transaction (deadlock or serialization failure); the caller may reload and retry.
func isContention(err error) bool {
	return pq.As(err, pqerror.TRDeadlockDetected, pqerror.TRSerializationFailure) != nil
}

// notFound wraps agentgate.ErrNotFound with what was missing.
func notFound(what, id string) error {
	return fmt.Errorf("%s %q: %w", what, id, agentgate.ErrNotFound)
}

// marshalList encodes a list as a JSON array; nil encodes as [] rather than null, and an
// empty list skips the encoder.
func marshalList[T any](what string, list []T) (string, error) {
	if len(list) == 0 {
		return "[]", nil
	}
	s, err := marshalText(list)
	if err != nil {
		return "", fmt.Errorf("encode %s: %w", what, err)
	}
	return s, nil
}
