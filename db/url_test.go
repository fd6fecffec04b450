package db_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentgate/agentgate/db"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url, dialect, source string
	}{
		{"./data/agentgate.db", db.DialectSQLite, "./data/agentgate.db"},
		{"/data/agentgate.db", db.DialectSQLite, "/data/agentgate.db"},
		{"agentgate.db", db.DialectSQLite, "agentgate.db"},
		{"./garbage", db.DialectSQLite, "./garbage"},
		{"/data/garbage", db.DialectSQLite, "/data/garbage"},
		{"data/garbage", db.DialectSQLite, "data/garbage"},
		{"file:agentgate.db", db.DialectSQLite, "agentgate.db"},
		{"file:/data/x.db", db.DialectSQLite, "/data/x.db"},
		{"file:///data/x.db", db.DialectSQLite, "/data/x.db"},
		{"file://localhost/data/x.db", db.DialectSQLite, "/data/x.db"},
		{"sqlite:garbage", db.DialectSQLite, "garbage"},
		{"sqlite:./data/my%20gate.db", db.DialectSQLite, "./data/my gate.db"},
		{"SQLite:///data/x.db", db.DialectSQLite, "/data/x.db"},
		{"postgres://u:p@db:5432/ag?sslmode=disable", db.DialectPostgres, "postgres://u:p@db:5432/ag?sslmode=disable"},
		{"postgresql://db/ag", db.DialectPostgres, "postgresql://db/ag"},
	} {
		dialect, source, err := db.ParseURL(tc.url)
		if err != nil || dialect != tc.dialect || source != tc.source {
			t.Errorf("ParseURL(%q) = %q, %q, %v; want %q, %q", tc.url, dialect, source, err, tc.dialect, tc.source)
		}
	}
}

func TestParseURLRefuses(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"", "no database given"},
		{"garbage", `"garbage" is a bare name`},
		{":memory:", "in-memory"},
		{"mysql://x", "does not support mysql databases"},
		{"mysql://root:hunter2@db/x", "mysql://root:xxxxx@db/x"},
		{"redis:", "does not support redis"},
		{"postgres:ag", "not a postgres:// URL"},
		{"file:x.db?mode=memory", "query parameters are not supported"},
		{"sqlite://x.db", `names the host "x.db"`},
		{"sqlite:", "no file path"},
		{"file:%zz", "not a valid URI"},
	} {
		_, _, err := db.ParseURL(tc.url)
		if err == nil {
			t.Errorf("ParseURL(%q) succeeded", tc.url)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") || strings.Contains(msg, "hunter2") ||
			!strings.Contains(msg, "file:PATH, sqlite:PATH, or a postgres:// or postgresql:// URL") {
			t.Errorf("ParseURL(%q) = %q; want one line with %q and the accepted forms", tc.url, msg, tc.want)
		}
	}
}

// TestOpenRefusesBeforeCreatingAnything: a mistyped DATABASE_URL used to leave a SQLite
// file named after it (garbage) or a directory (mysql:) behind.
func TestOpenRefusesBeforeCreatingAnything(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, url := range []string{"garbage", "mysql://x/y.db", "file:x.db?mode=memory"} {
		if s, err := db.Open(context.Background(), url, nil); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", url)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused URLs left %v behind", entries)
	}
}

func TestOpenSQLiteURIs(t *testing.T) {
	dir := t.TempDir()
	for _, url := range []string{"sqlite:" + filepath.Join(dir, "a.db"), "file://" + filepath.Join(dir, "b.db")} {
		s, err := db.Open(context.Background(), url, nil)
		if err != nil {
			t.Fatalf("Open(%q): %v", url, err)
		}
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	for _, name := range []string{"a.db", "b.db"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("no database file: %v", err)
		}
	}
}
