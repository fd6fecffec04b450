package db

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
	"github.com/mattn/go-sqlite3"

	"github.com/agentgate/agentgate"
)

// refusedPostgres is the error lib/pq gives for a port nobody listens on.
func refusedPostgres(t *testing.T) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	pool, err := sql.Open("postgres", "postgres://nobody@"+addr+"/none?sslmode=disable&connect_timeout=5")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	return pool.PingContext(context.Background())
}

// missingSQLite is the error go-sqlite3 gives for a file it cannot open.
func missingSQLite(t *testing.T) error {
	t.Helper()
	registerSQLiteDriver()
	pool, err := sql.Open(sqliteDriver, "file:"+filepath.Join(t.TempDir(), "no", "such", "dir.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	return pool.PingContext(context.Background())
}

func TestUnreachable(t *testing.T) {
	pqErr := func(c pqerror.Code) error { return fmt.Errorf("query: %w", &pq.Error{Code: c}) }
	sqliteErr := func(c sqlite3.ErrNo) error { return fmt.Errorf("query: %w", sqlite3.Error{Code: c}) }
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"postgres refuses connections", refusedPostgres(t), true},
		{"sqlite cannot open the file", missingSQLite(t), true},
		{"bad connection", fmt.Errorf("begin: %w", driver.ErrBadConn), true},
		{"admin shutdown", pqErr(pqerror.AdminShutdown), true},
		{"crash shutdown", pqErr(pqerror.CrashShutdown), true},
		{"starting up", pqErr(pqerror.CannotConnectNow), true},
		{"too many connections", pqErr(pqerror.TooManyConnections), true},
		{"connection failure", pqErr(pqerror.ConnectionFailure), true},
		{"sqlite disk I/O error", sqliteErr(sqlite3.ErrIoErr), true},
		{"sqlite disk full", sqliteErr(sqlite3.ErrFull), true},
		{"unique violation", pqErr(pqerror.UniqueViolation), false},
		{"statement cancelled", pqErr(pqerror.QueryCanceled), false},
		{"sqlite constraint", sqliteErr(sqlite3.ErrConstraint), false},
		{"sqlite busy", sqliteErr(sqlite3.ErrBusy), false},
		{"no rows", sql.ErrNoRows, false},
		{"caller gave up", context.Canceled, false},
		{"caller's deadline", context.DeadlineExceeded, false},
		{"dial given up by the caller", &net.OpError{Op: "dial", Err: context.Canceled}, false},
	} {
		if tc.err == nil {
			t.Fatalf("%s: no error to classify", tc.name)
		}
		if got := unreachable(tc.err); got != tc.want {
			t.Errorf("%s (%v): unreachable = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

func TestReachabilityLogsEachChangeOnce(t *testing.T) {
	var buf bytes.Buffer
	r := &reachability{log: slog.New(slog.NewTextHandler(&buf, nil))}
	down := fmt.Errorf("begin: %w", driver.ErrBadConn)
	other := errors.New("syntax error")
	for i, step := range []struct {
		err      error
		wantKind agentgate.Kind
	}{
		{nil, 0}, {down, agentgate.KindUnavailable}, {down, agentgate.KindUnavailable}, {other, agentgate.KindInternal},
		{nil, 0}, {nil, 0}, {sql.ErrNoRows, agentgate.KindInternal}, {down, agentgate.KindUnavailable},
		{sql.ErrNoRows, agentgate.KindInternal}, {ErrClosed, agentgate.KindUnavailable},
	} {
		got := r.check(step.err)
		if step.err == nil {
			if got != nil {
				t.Errorf("step %d: success became %v", i, got)
			}
			continue
		}
		if !errors.Is(got, step.err) || agentgate.ErrorKind(got) != step.wantKind {
			t.Errorf("step %d: %v became %v (kind %v), want kind %v wrapping it", i, step.err, got, agentgate.ErrorKind(got), step.wantKind)
		}
		if step.wantKind == agentgate.KindUnavailable && agentgate.ErrorCode(got) != "database_unavailable" {
			t.Errorf("step %d: code %q", i, agentgate.ErrorCode(got))
		}
	}
	logged := buf.String()
	if n := strings.Count(logged, "Database is unreachable."); n != 2 {
		t.Errorf("two outages logged %d times:\n%s", n, logged)
	}
	// The second outage ended with the answer that a row is missing; closing the store is
	// no outage.
	if n := strings.Count(logged, "Database is reachable again."); n != 2 {
		t.Errorf("two recoveries logged %d times:\n%s", n, logged)
	}
}
