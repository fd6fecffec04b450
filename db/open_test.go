package db_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
)

func TestOpenSQLite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nested", "dir", "agentgate.db")
	s, err := db.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Dialect() != db.DialectSQLite {
		t.Errorf("dialect %q", s.Dialect())
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil { // idempotent
		t.Fatalf("second migrate: %v", err)
	}
	if err := s.CreateRequest(ctx, newRequest("req_1", t0), agentgate.Effects{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file: %v", err)
	}

	// Reopened, the data is there.
	s, err = db.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetRequest(ctx, "req_1"); err != nil {
		t.Errorf("after reopen: %v", err)
	}
}

func TestOpenRejectsNonFiles(t *testing.T) {
	for _, url := range []string{"", ":memory:", "file:x.db?mode=memory"} {
		if s, err := db.Open(context.Background(), url, nil); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", url)
		}
	}
}
