package handlers

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
)

// authorizeBody is what the original AgentGate MCP server sends before every tool call.
type authorizeBody struct {
	ToolName string          `json:"toolName"`
	Params   json.RawMessage `json:"params"`
	Context  json.RawMessage `json:"context"`
}

// authorizeTool answers the original MCP server's guardrail: may this tool call run?
func (s *Server) authorizeTool(c echo.Context) error {
	var in authorizeBody
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	a, err := s.gate.Authorize(c.Request().Context(), key(c).Actor(), in.ToolName, in.Params, in.Context)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}
