// Package db stores AgentGate's requests, policies, API keys and audit log in SQLite (one
// instance) or PostgreSQL (several instances). Every query is written once with ? placeholders
// and rebound for PostgreSQL; every write goes through the writer, which commits concurrent
// writes together (group commit).
package db

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // registers the "postgres" driver

	"github.com/agentgate/agentgate"
)

// Dialects a Store speaks.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// DefaultURL is the database callers use when none is configured.
const DefaultURL = "./data/agentgate.db"

// ErrClosed is returned by writes attempted after Close.
var ErrClosed = errors.New("db: store is closed")

// Store implements agentgate.Store over SQLite or PostgreSQL.
type Store struct {
	dialect string
	url     string
	log     *slog.Logger
	reach   *reachability // classifies every call's outcome; logs outages once

	wdb    *sqlx.DB // writes; on SQLite a single connection
	rdb    *sqlx.DB // reads; on SQLite a read-only pool, on PostgreSQL the same pool as wdb
	reads  *stmtCache
	writes *stmtCache
	rates  *stmtCache // PostgreSQL only: rate windows (ratewindows.go)
	w      *writer
	ckptDB *sqlx.DB      // SQLite only: the checkpointer's connection
	ckpt   *checkpointer // SQLite only

	closeOnce sync.Once
	closeErr  error
}

var _ agentgate.Store = (*Store)(nil)

// Open connects to the database named by url (see ParseURL): a postgres:// or
// postgresql:// URL selects PostgreSQL, a path (or file:/sqlite: URI) a SQLite file whose
// directory is created if needed. Open does not migrate; call Migrate. A nil logger discards.
func Open(ctx context.Context, url string, logger *slog.Logger) (*Store, error) {
	dialect, source, perr := ParseURL(url) // first: a refused url creates nothing
	if perr != nil {
		return nil, perr
	}
	url = source
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{url: url, log: logger, reach: &reachability{log: logger}}
	var err error
	if dialect == DialectPostgres {
		s.dialect = DialectPostgres
		err = s.openPostgres(ctx)
	} else {
		s.dialect = DialectSQLite
		err = s.openSQLite(ctx)
	}
	if err != nil {
		return nil, err
	}
	s.reads = newStmtCache(s.rdb)
	s.writes = s.reads
	maxBatch, lanes := sqliteMaxBatch, 1
	if s.wdb != s.rdb {
		s.writes = newStmtCache(s.wdb)
	}
	if s.dialect == DialectPostgres {
		maxBatch, lanes = postgresMaxBatch, postgresLanes
	}
	s.w = newWriter(s.wdb, s.writes, maxBatch, lanes, s.dialect == DialectPostgres, logger, s.reach)
	if s.ckptDB != nil {
		s.ckpt = startCheckpointer(s.ckptDB, s.w.batches.Load, logger)
	}
	return s, nil
}

func (s *Store) openPostgres(ctx context.Context) error {
	pool, err := sqlx.Open("postgres", s.url)
	if err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	n := max(8, 4*runtime.NumCPU())
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(n)
	if err := pool.PingContext(ctx); err != nil {
		_ = pool.Close()
		return fmt.Errorf("connect to postgres: %w", err)
	}
	s.wdb, s.rdb = pool, pool
	rates, err := openRatePool(s.url) // connects on first use
	if err != nil {
		_ = pool.Close()
		return err
	}
	s.rates = newStmtCache(rates)
	return nil
}

// Dialect returns "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect }

// Ping checks that the database answers and the writer is running.
func (s *Store) Ping(ctx context.Context) error {
	if s.w.isClosed() {
		return unavailable(ErrClosed)
	}
	return s.reach.check(s.rdb.PingContext(ctx))
}

// Close stops the writer after it commits what is queued, then closes the pools.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.w.close()
		errs := []error{s.reads.close()}
		if s.ckpt != nil {
			errs = append(errs, s.ckpt.close())
		}
		if s.writes != s.reads {
			errs = append(errs, s.writes.close())
		}
		if s.rates != nil {
			errs = append(errs, s.rates.close(), s.rates.db.Close())
		}
		errs = append(errs, s.rdb.Close())
		if s.wdb != s.rdb {
			errs = append(errs, s.wdb.Close())
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}
