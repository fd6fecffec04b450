package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
)

// TestBackupWhileServing backs up the database of a running `agentgate serve` while an
// agent keeps submitting requests, and opens the copy.
func TestBackupWhileServing(t *testing.T) {
	const key = "a-long-admin-secret-value"
	dbPath := filepath.Join(t.TempDir(), "data", "agentgate.db")
	s := startServer(t, "DATABASE_URL="+dbPath, "ADMIN_API_KEY="+key)
	const before = 20
	for range before {
		if code, body := s.call(t, key, http.MethodPost, "/api/requests", `{"action":"send_email"}`); code != http.StatusCreated {
			t.Fatalf("create: %d %s", code, body)
		}
	}
	var created atomic.Int64
	stop, writing, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			// Not s.call: t.Fatal must not be called from this goroutine.
			req, _ := http.NewRequest(http.MethodPost, s.base+"/api/requests", strings.NewReader(`{"action":"deploy"}`))
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			if res.StatusCode == http.StatusCreated && created.Add(1) == 1 {
				close(writing)
			}
		}
	}()
	select {
	case <-writing:
	case <-done:
		t.Fatal("the agent stopped before its first request")
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	env := map[string]string{"DATABASE_URL": dbPath}
	out := newCLI(t, env).ok("backup", backup)
	close(stop)
	<-done
	if !strings.Contains(out, "Backed up "+dbPath+" to "+backup) {
		t.Errorf("backup printed %q", out)
	}

	b, err := db.Open(context.Background(), backup, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	_, total, err := b.ListRequests(context.Background(), agentgate.RequestFilter{Page: agentgate.Page{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if total < before+1 || int64(total) > before+created.Load() {
		t.Errorf("backup holds %d requests; want from %d to %d", total, before+1, before+created.Load())
	}

	// A second backup to the same file is refused and leaves it alone.
	info, _ := os.Stat(backup)
	res := newCLI(t, env).run("backup", backup)
	if res.code != 1 || !strings.Contains(res.stderr, "already exists") {
		t.Errorf("backup over an existing file: exit %d, %q", res.code, res.stderr)
	}
	if again, _ := os.Stat(backup); again.Size() != info.Size() || again.ModTime() != info.ModTime() {
		t.Error("backup over an existing file changed it")
	}
}

func TestBackupPostgresSaysPgDump(t *testing.T) {
	res := newCLI(t, map[string]string{"DATABASE_URL": "postgres://agentgate@127.0.0.1:1/agentgate"}).run("backup", filepath.Join(t.TempDir(), "x.db"))
	if res.code != 1 || !strings.Contains(res.stderr, "pg_dump") || strings.Count(res.stderr, "\n") != 1 {
		t.Errorf("backup on PostgreSQL: exit %d, %q; want exit 1 and one line naming pg_dump", res.code, res.stderr)
	}
}
