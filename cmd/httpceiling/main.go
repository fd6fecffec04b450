// Command httpceiling serves POST /api/requests with a bare Echo handler that decodes the
// same JSON as AgentGate's gate check and answers without touching a database, and GET
// /api/requests with a page of 50 requests encoded once at start, the size of AgentGate's
// page of 50 pending requests. The load test runs it beside the real server, so every
// figure comes with the HTTP layer's ceiling on the same machine and run.
//
// With DATABASE_URL set to a PostgreSQL URL, the handler also writes what the gate check
// writes (the request row and one audit row; with WRITE_COUNT=true the status count too)
// in one transaction per request, on a pool of its own: the figure AgentGate's batched
// writes are measured against.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/agentgate/agentgate"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	store := func(context.Context, *agentgate.NewRequest, string, time.Time) error { return nil }
	if url := os.Getenv("DATABASE_URL"); url != "" {
		pg, err := openTxPerRequest(context.Background(), url, os.Getenv("WRITE_COUNT") == "true")
		if err != nil {
			return err
		}
		defer pg.Close()
		store = pg.insert
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.POST("/api/requests", func(c echo.Context) error {
		var in agentgate.NewRequest
		if err := json.NewDecoder(c.Request().Body).Decode(&in); err != nil {
			return c.JSON(http.StatusBadRequest, map[string]string{"error": err.Error()})
		}
		now := time.Now().UTC()
		id := agentgate.NewID("req", now)
		if err := store(c.Request().Context(), &in, id, now); err != nil {
			return c.JSON(http.StatusInternalServerError, map[string]string{"error": err.Error()})
		}
		return c.JSON(http.StatusCreated, map[string]any{"id": id, "action": in.Action,
			"params": in.Params, "status": "approved", "createdAt": now})
	})
	page := listPage(50)
	e.GET("/api/requests", func(c echo.Context) error { return c.JSONBlob(http.StatusOK, page) })
	return e.Start(":" + os.Getenv("PORT"))
}

// listPage encodes n requests as AgentGate lists them, with scripts/seedpending.lua's params.
func listPage(n int) []byte {
	now := time.Now().UTC()
	rs := make([]agentgate.Request, n)
	for i := range rs {
		rs[i] = agentgate.Request{ID: agentgate.NewID("req", now), Action: "deploy", Urgency: agentgate.UrgencyNormal,
			Params:  json.RawMessage(`{"service":"billing","version":"2026.03.1","replicas":3,"regions":["eu-west-1","us-east-1"]}`),
			Context: json.RawMessage(`{"agent":"release-bot","run":42}`), Status: agentgate.StatusPending, CreatedBy: "admin",
			CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour), PolicyDecision: agentgate.DefaultOutcome(),
			RequiredApprovals: 1, Votes: []agentgate.Vote{}}
	}
	b, _ := json.Marshal(map[string]any{"requests": rs, "pagination": map[string]any{"total": 50000, "limit": n, "offset": 0, "hasMore": true}})
	return append(b, '\n')
}
