package db_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// Of two stores on one PostgreSQL schema (two instances), one at a time holds a lock;
// a store of another schema is not kept out, and a SQLite store always holds it.
func TestTryExclusive(t *testing.T) {
	ctx := context.Background()
	if _, ok, err := dbtest.Open(t, db.DialectSQLite).TryExclusive(ctx, "sweep"); !ok || err != nil {
		t.Errorf("SQLite: %v, %v", ok, err)
	}
	url := dbtest.PostgresURL(t) // skips without AGENTGATE_TEST_POSTGRES_URL
	open := func(url string) *db.Store {
		s, err := db.Open(ctx, url, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b, other := open(url), open(url), dbtest.Open(t, db.DialectPostgres)
	release, ok, err := a.TryExclusive(ctx, "sweep")
	if !ok || err != nil {
		t.Fatalf("first: %v, %v", ok, err)
	}
	if _, ok, err := b.TryExclusive(ctx, "sweep"); ok || err != nil {
		t.Errorf("while held by another instance: %v, %v", ok, err)
	}
	if r, ok, err := b.TryExclusive(ctx, "another"); !ok || err != nil {
		t.Errorf("a lock of another name: %v, %v", ok, err)
	} else {
		r()
	}
	if r, ok, err := other.TryExclusive(ctx, "sweep"); !ok || err != nil {
		t.Errorf("a store of another schema: %v, %v", ok, err)
	} else {
		r()
	}
	release()
	r, ok, err := b.TryExclusive(ctx, "sweep")
	if !ok || err != nil {
		t.Fatalf("after release: %v, %v", ok, err)
	}
	r()
}
