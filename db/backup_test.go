package db_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
)

// migratedFile opens a migrated SQLite store on the file src in the new directory dir.
func migratedFile(t *testing.T) (s *db.Store, dir, src string) {
	t.Helper()
	dir = t.TempDir()
	src = filepath.Join(dir, "live.db")
	s, err := db.Open(context.Background(), src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, dir, src
}

// TestBackupWhileWriting takes a backup while a writer keeps committing, and checks that
// the copy opens and is one consistent snapshot: the rows committed before it began, and
// of the later ones a prefix, never a gap.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	s, dir, src := migratedFile(t)
	defer s.Close()
	create := func(n int) error {
		return s.CreateRequest(ctx, newRequest(fmt.Sprintf("req_%06d", n), t0), agentgate.Effects{})
	}
	const before = 100
	for n := range before {
		if err := create(n); err != nil {
			t.Fatal(err)
		}
	}
	stop, writing, done := make(chan struct{}), make(chan struct{}), make(chan int)
	go func() {
		n := before
		for ; ; n++ {
			select {
			case <-stop:
				done <- n
				return
			default:
			}
			if err := create(n); err != nil {
				t.Error(err)
			}
			if n == before {
				close(writing)
			}
		}
	}()
	<-writing
	dest := filepath.Join(dir, "backup.db")
	err := db.Backup(ctx, src, dest)
	close(stop)
	written := <-done
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 4 { // live.db, its -wal and -shm, backup.db
		t.Errorf("files after the backup: %v", entries)
	}

	b, err := db.Open(ctx, dest, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, total, err := b.ListRequests(ctx, agentgate.RequestFilter{Sort: agentgate.SortOldest, Page: agentgate.Page{Limit: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	if total < before+1 || total > written || len(got) != total {
		t.Fatalf("backup holds %d requests (listed %d); want from %d to %d", total, len(got), before+1, written)
	}
	for i, r := range got {
		if want := fmt.Sprintf("req_%06d", i); r.ID != want {
			t.Fatalf("backup request %d is %s, want %s: not one snapshot", i, r.ID, want)
		}
	}
}

func TestBackupRefuses(t *testing.T) {
	ctx := context.Background()
	s, dir, src := migratedFile(t)
	s.Close()
	existing := filepath.Join(dir, "existing.db")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct{ url, dest, want string }{
		{src, existing, "already exists"},
		{filepath.Join(dir, "missing.db"), filepath.Join(dir, "b1.db"), "no database to back up"},
		{src, filepath.Join(dir, "no", "such", "dir.db"), "create backup file"},
		{"postgres://u@localhost/ag", filepath.Join(dir, "b2.db"), "pg_dump"},
		{"garbage", filepath.Join(dir, "b3.db"), "bare name"},
	} {
		err := db.Backup(ctx, tc.url, tc.dest)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Backup(%s, %s) = %v; want an error with %q", tc.url, tc.dest, err, tc.want)
		}
	}
	if err := db.Backup(ctx, "postgresql://x/y", filepath.Join(dir, "b4.db")); !errors.Is(err, db.ErrBackupNotSQLite) {
		t.Errorf("PostgreSQL backup: %v", err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Errorf("an existing file was overwritten (now %d bytes)", len(b))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("refused backups left files behind: %v", entries)
	}
	// With no server running (no -wal or -shm file), the read-only copy still works.
	if err := db.Backup(ctx, src, filepath.Join(dir, "offline.db")); err != nil {
		t.Errorf("backup of a closed database: %v", err)
	}
}
