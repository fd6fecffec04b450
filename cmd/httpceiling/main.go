// Command httpceiling serves POST /api/requests with a bare Echo handler that decodes the
// same JSON as AgentGate's gate check and answers without touching a database, and GET
// /api/requests with a page of 50 requests encoded once at start, the size of AgentGate's
// page of 50 pending requests. The load test runs it beside the real server, so every
// figure comes with the HTTP layer's ceiling on the same machine and run.
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/agentgate/agentgate"
)

func main() {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.POST("/api/requests", func(c echo.Context) error {
		var in agentgate.NewRequest
		if err := json.NewDecoder(c.Request().Body).Decode(&in); err != nil {
			return c.JSON(http.StatusBadRequest, map[string]string{"error": err.Error()})
		}
		now := time.Now().UTC()
		return c.JSON(http.StatusCreated, map[string]any{"id": agentgate.NewID("req", now), "action": in.Action,
			"params": in.Params, "status": "approved", "createdAt": now})
	})
	page := listPage(50)
	e.GET("/api/requests", func(c echo.Context) error { return c.JSONBlob(http.StatusOK, page) })
	addr := ":" + os.Getenv("PORT")
	if err := e.Start(addr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
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
