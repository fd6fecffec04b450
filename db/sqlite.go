package db

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"
)

// sqliteDriver is go-sqlite3 with two settings the DSN cannot carry, on every connection:
//   - temp_store = MEMORY: the writer runs each operation of a batch in a savepoint, and
//     SQLite keeps the pages a savepoint may roll back in a sub-journal; in memory that
//     costs a copy, in a temporary file it cost a third of the write throughput;
//   - wal_autocheckpoint: raised, because the checkpointer does that work (checkpoint.go).
const sqliteDriver = "agentgate_sqlite3"

var registerSQLite sync.Once

func registerSQLiteDriver() {
	registerSQLite.Do(func() {
		pragmas := fmt.Sprintf("PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = %d", walAutocheckpointPages)
		sql.Register(sqliteDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec(pragmas, nil)
			return err
		}})
		sqlx.BindDriver(sqliteDriver, sqlx.QUESTION)
	})
}

// SQLite settings of every connection: wait up to 5 s for a lock (in WAL mode only
// recovery and checkpoints take one that others wait for), enforce foreign keys, a 32 MiB
// page cache, and no SQLite mutex (database/sql never shares a connection between
// goroutines).
const sqliteCommonParams = "_busy_timeout=5000&_foreign_keys=on&_cache_size=-8000&_mutex=no"

// Per-pool settings: the writer's single connection enables WAL, begins transactions with
// BEGIN IMMEDIATE and syncs only at checkpoints; readers open the file read-only.
const (
	sqliteWriterParams       = "_journal_mode=WAL&_txlock=immediate&_synchronous=NORMAL"
	sqliteReaderParams       = "mode=ro"
	sqliteCheckpointerParams = "_synchronous=NORMAL"
)

// sqliteFileURI is path as a file: URI, so that SQLite itself reads parameters such as
// mode=ro; it escapes what a URI would misread.
func sqliteFileURI(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// openSQLite opens the writer, the read pool and the checkpointer on the file s.url.
func (s *Store) openSQLite(ctx context.Context) (err error) {
	if s.url == "" || s.url == ":memory:" || strings.HasPrefix(s.url, "file:") {
		return fmt.Errorf("open sqlite: %q is not a file path; give a path such as %s", s.url, DefaultURL)
	}
	if err := os.MkdirAll(filepath.Dir(s.url), 0o750); err != nil {
		return fmt.Errorf("create database directory: %w", err)
	}
	path := sqliteFileURI(s.url)
	registerSQLiteDriver()

	var opened []*sqlx.DB
	defer func() {
		if err != nil {
			for _, db := range opened {
				_ = db.Close()
			}
		}
	}()
	open := func(params string, conns int) (*sqlx.DB, error) {
		db, err := sqlx.Open(sqliteDriver, path+"?"+params+"&"+sqliteCommonParams)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		opened = append(opened, db)
		db.SetMaxOpenConns(conns)
		db.SetMaxIdleConns(conns)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		if err := db.PingContext(ctx); err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", s.url, err)
		}
		return db, nil
	}
	if s.wdb, err = open(sqliteWriterParams, 1); err != nil { // first: it turns WAL on
		return err
	}
	if s.rdb, err = open(sqliteReaderParams, max(4, 2*runtime.NumCPU())); err != nil {
		return err
	}
	if s.ckptDB, err = open(sqliteCheckpointerParams, 1); err != nil {
		return err
	}
	return nil
}
