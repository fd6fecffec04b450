package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/agentgate/agentgate"
)

// Rate windows count rate-limited keys' calls per minute for every instance of a
// PostgreSQL database (a SQLite store is the only instance and limits in memory; these
// methods work there too, through the writer).
//
// On PostgreSQL a call is counted by one statement, on a small pool of its own whose
// sessions commit without waiting for the disk (synchronous_commit off): a gate check of
// a limited key then waits for neither a writer batch nor a flush. A crash may forget the
// last fraction of a second's counts, letting a key make a few more calls that minute.

// countCallSQL counts a call unless the minute's count has reached the allowance (its
// third and fourth values); no row comes back when the call was not counted.
const countCallSQL = `INSERT INTO rate_windows (key_id, minute, n)
	SELECT CAST(? AS TEXT), CAST(? AS BIGINT), 1 WHERE ? > 0
	ON CONFLICT (key_id, minute) DO UPDATE SET n = rate_windows.n + 1 WHERE rate_windows.n < ?
	RETURNING n`

// CountCall counts one call by keyID in minute unless the minute already counted
// allowance calls; it returns the minute's count after the call and whether it counted.
func (s *Store) CountCall(ctx context.Context, keyID string, minute time.Time, allowance int) (int, bool, error) {
	var n int
	err := s.rateWrite(ctx, func(q rateQuerier) error {
		row, err := q.queryRow(countCallSQL, keyID, toMicros(minute), int64(allowance), int64(allowance))
		if err == nil {
			err = row.Scan(&n)
		}
		if errors.Is(err, sql.ErrNoRows) {
			return clean(err) // not counted: nothing written
		}
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("count call: %w", err)
	}
	return n, true, nil
}

const callsInSQL = `SELECT n FROM rate_windows WHERE key_id = ? AND minute = ?`

// CallsIn returns how many calls by keyID minute counted.
func (s *Store) CallsIn(ctx context.Context, keyID string, minute time.Time) (int, error) {
	n, err := scanCount(s.queryRow(ctx, callsInSQL, keyID, toMicros(minute)))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read calls: %w", err)
	}
	return n, nil
}

const deleteRateWindowsSQL = `DELETE FROM rate_windows WHERE minute < ?`

// DeleteRateWindowsBefore deletes the counts of minutes that started before t.
func (s *Store) DeleteRateWindowsBefore(ctx context.Context, t time.Time) (int, error) {
	var n int64
	err := s.rateWrite(ctx, func(q rateQuerier) error {
		var err error
		n, err = q.execRows(deleteRateWindowsSQL, toMicros(t))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete rate windows: %w", err)
	}
	return int(n), nil
}

// rateQuerier runs prepared rate window statements: on the rate pool (PostgreSQL) or in
// the writer's transaction (SQLite).
type rateQuerier interface {
	queryRow(query string, args ...any) (scanner, error)
	execRows(query string, args ...any) (int64, error)
}

// rateWrite runs fn on the rate pool (PostgreSQL) or in the writer (SQLite).
func (s *Store) rateWrite(ctx context.Context, fn func(rateQuerier) error) error {
	if s.rates == nil {
		return s.w.do(ctx, func(tx *writeTx) error { return fn(writerRates{tx}) })
	}
	return s.reach.check(fn(poolRates{ctx, s.rates}))
}

// writerRates runs rate window statements in the writer's transaction.
type writerRates struct{ tx *writeTx }

func (w writerRates) queryRow(q string, args ...any) (scanner, error) {
	return w.tx.queryRow(q, args...)
}
func (w writerRates) execRows(q string, args ...any) (int64, error) { return w.tx.execRows(q, args...) }

// poolRates runs rate window statements on the rate pool, each its own transaction.
type poolRates struct {
	ctx   context.Context
	stmts *stmtCache
}

func (p poolRates) queryRow(q string, args ...any) (scanner, error) {
	st, err := p.stmts.get(p.ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(p.ctx, args...), nil
}

func (p poolRates) execRows(q string, args ...any) (int64, error) {
	st, err := p.stmts.get(p.ctx, q)
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(p.ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// openRatePool opens the PostgreSQL pool that counts calls, its sessions committing
// without waiting for the disk.
func openRatePool(url string) (*sqlx.DB, error) {
	cfg, err := pq.NewConfig(url)
	if err != nil {
		return nil, fmt.Errorf("rate pool: %w", err)
	}
	if cfg.Runtime == nil {
		cfg.Runtime = map[string]string{}
	}
	cfg.Runtime["synchronous_commit"] = "off"
	conn, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("rate pool: %w", err)
	}
	pool := sqlx.NewDb(sql.OpenDB(conn), "postgres")
	pool.SetMaxOpenConns(4)
	pool.SetMaxIdleConns(4)
	return pool, nil
}

var _ agentgate.RateWindows = (*Store)(nil)
