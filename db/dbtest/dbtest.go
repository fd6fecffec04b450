// Package dbtest gives tests fresh, migrated stores: always SQLite in a temporary directory,
// and PostgreSQL too when AGENTGATE_TEST_POSTGRES_URL names a database.
//
// A test that should run against every database uses Each, which runs a subtest per
// dialect ("postgres", "sqlite") with a store of its own:
//
//	dbtest.Each(t, func(t *testing.T, s *db.Store) { ... })
//
// Stores returns the same stores as a map, and Open one store of a named dialect. Every
// store is closed when its test ends. Each PostgreSQL store lives in a schema of its own
// (t_<random>, reached through search_path), dropped when the test ends, so tests may run
// in parallel against one database. If the variable is set but the database cannot be
// reached, the test fails rather than skips: CI sets it on purpose.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/agentgate/agentgate/db"
)

// PostgresURLEnv names the variable holding a PostgreSQL URL for tests.
const PostgresURLEnv = "AGENTGATE_TEST_POSTGRES_URL"

// Dialects returns the dialects tests run against: "sqlite", plus "postgres" when
// AGENTGATE_TEST_POSTGRES_URL is set.
func Dialects() []string {
	if os.Getenv(PostgresURLEnv) != "" {
		return []string{db.DialectSQLite, db.DialectPostgres}
	}
	return []string{db.DialectSQLite}
}

// Stores returns a fresh, migrated store for every dialect in Dialects, keyed by dialect.
// Each is closed (and its PostgreSQL schema dropped) when the test ends.
func Stores(t testing.TB) map[string]*db.Store {
	t.Helper()
	out := map[string]*db.Store{}
	for _, d := range Dialects() {
		out[d] = Open(t, d)
	}
	return out
}

// Each runs fn as a subtest for every dialect, in a stable order, with a fresh store.
func Each(t *testing.T, fn func(t *testing.T, s *db.Store)) {
	t.Helper()
	ds := Dialects()
	sort.Strings(ds)
	for _, d := range ds {
		t.Run(d, func(t *testing.T) { fn(t, Open(t, d)) })
	}
}

// Open returns a fresh, migrated store of the dialect ("sqlite" or "postgres"), closed when
// the test ends. Asking for "postgres" without AGENTGATE_TEST_POSTGRES_URL skips the test.
func Open(t testing.TB, dialect string) *db.Store {
	t.Helper()
	ctx := context.Background()
	var dsn string
	switch dialect {
	case db.DialectSQLite:
		dsn = filepath.Join(t.TempDir(), "agentgate.db")
	case db.DialectPostgres:
		dsn = postgresSchema(t)
	default:
		t.Fatalf("dbtest: unknown dialect %q", dialect)
	}
	s, err := db.Open(ctx, dsn, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("dbtest: open %s: %v", dialect, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("dbtest: close %s: %v", dialect, err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("dbtest: migrate %s: %v", dialect, err)
	}
	return s
}

// PostgresURL returns the URL of a fresh, empty PostgreSQL schema of its own (not yet
// migrated), dropped when the test ends, for tests that hand a database to another process.
// Without AGENTGATE_TEST_POSTGRES_URL it skips the test.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return postgresSchema(t)
}

// postgresSchema creates a schema named t_<random> and returns the test URL with
// search_path set to it; the schema is dropped when the test ends.
func postgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		t.Skipf("dbtest: %s is not set", PostgresURLEnv)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("dbtest: %s: %v", PostgresURLEnv, err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])

	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		t.Fatalf("dbtest: open postgres: %v", err)
	}
	admin.SetMaxOpenConns(1)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		_ = admin.Close()
		t.Fatalf("dbtest: postgres at %s is not usable: %v", PostgresURLEnv, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("dbtest: drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
