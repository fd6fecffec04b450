package handlers_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"

	"github.com/agentgate/agentgate/db/dbtest"
)

// TestClientGoneIsNotAnError checks that a client that disconnects while its request
// waits on the database costs no ERROR line and no 5xx in the metrics: the request is
// logged and counted as 499, nginx's "client closed request". The request waits for real,
// on PostgreSQL: another session holds a lock on the requests table, and the server's
// query ends only when lib/pq cancels it because the client left.
func TestClientGoneIsNotAnError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := dbtest.PostgresURL(t)
	logs := &logCapture{}
	e, r := postgresEnv(t, dsn, logs)

	locker, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close()
	lock, err := locker.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()
	if _, err := lock.Exec(`LOCK TABLE requests IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}

	// The client leaves as soon as its request is on the wire.
	cctx, leave := context.WithCancel(ctx)
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { leave() }}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(cctx, trace), http.MethodGet, e.srv.URL+"/api/requests/"+r.ID, nil)
	req.Header.Set("Authorization", "Bearer "+e.admin)
	if res, err := e.srv.Client().Do(req); err == nil {
		res.Body.Close()
		t.Fatalf("the request was answered (%d) although the table is locked", res.StatusCode)
	}
	served := logs.await(t, "for the abandoned request", func(rec map[string]any) bool {
		return rec["msg"] == "Request served." && rec["path"] == "/api/requests/"+r.ID
	})
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}

	if served["status"] != float64(499) || served["level"] == "ERROR" {
		t.Errorf("abandoned request logged as %v", served)
	}
	if errs := logs.where(t, "level", "ERROR"); len(errs) != 0 {
		t.Errorf("a client leaving logged ERROR lines: %v", errs)
	}
	metrics := string(e.must(http.StatusOK, http.MethodGet, "/metrics", "", nil, nil).body)
	if !strings.Contains(metrics, `route="/api/requests/:id",status="499"`) || strings.Contains(metrics, `status="500"`) {
		t.Errorf("metrics do not count the abandoned request as 499:\n%s", durationSeries.FindAllString(metrics, -1))
	}
}
