// Command httpceiling serves POST /api/requests with a bare Echo handler that decodes the
// same JSON as AgentGate's gate check and answers without touching a database. The load test
// runs it beside the real server, so every figure comes with the HTTP layer's ceiling on the
// same machine and run.
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
	addr := ":" + os.Getenv("PORT")
	if err := e.Start(addr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
