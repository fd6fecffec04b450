// Package mcp serves AgentGate to AI assistants over the Model Context Protocol: ten tools
// (the original AgentGate MCP server's names and input schemas) that ask for approval, wait
// for decisions, read the queue, decide, manage policies and read the audit log, all through
// the Go client. It runs over stdio as `agentgate mcp`.
package mcp

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/agentgate/agentgate/client"
)

// Options configure the MCP server. Zero values take the defaults shown.
type Options struct {
	// Version is reported to MCP clients ("dev").
	Version string
	// ProgressInterval is how often a waiting agentgate_request reports progress (10s).
	ProgressInterval time.Duration
	// Logger receives the server's own log lines; they must never go to stdout (discarded).
	Logger *slog.Logger
}

// instructions tell the model how the tools fit together.
const instructions = `AgentGate is a human-in-the-loop approval gateway. Before any action that is risky, ` +
	`irreversible, costs money or speaks for a person (sending email, deleting data, deploying, paying), ` +
	`call agentgate_request with the action and its exact parameters. If the answer's status is ` +
	`"approved", go ahead; if "denied", "expired" or "cancelled", do not, and tell the user why ` +
	`(decisionReason). If it is "pending", a person has to decide: pass waitSeconds to wait for them, ` +
	`or check later with agentgate_get.`

// tools holds what every tool handler needs.
type tools struct {
	c        *client.Client
	progress time.Duration
	log      *slog.Logger
	args     map[string]*argSchema // tool name → its input schema, for checkArguments
}

// NewServer returns an MCP server whose tools call AgentGate through c. Run it with
// server.Run(ctx, &mcp.StdioTransport{}) or connect it to any other transport.
func NewServer(c *client.Client, o Options) *sdk.Server {
	if o.Version == "" {
		o.Version = "dev"
	}
	if o.ProgressInterval <= 0 {
		o.ProgressInterval = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := sdk.NewServer(&sdk.Implementation{Name: "agentgate", Title: "AgentGate", Version: o.Version},
		&sdk.ServerOptions{Instructions: instructions, Logger: o.Logger})
	t := &tools{c: c, progress: o.ProgressInterval, log: o.Logger, args: map[string]*argSchema{}}
	t.addRequestTools(s)
	t.addAdminTools(s)
	s.AddReceivingMiddleware(checkArguments(t.args))
	return s
}

// addTool adds a tool whose input schema is one of ours (json.RawMessage), and keeps the
// schema for checkArguments. The SDK fills structuredContent from the handler's Out value
// and checks it against the tool's output schema.
func addTool[In, Out any](s *sdk.Server, t *tools, tool *sdk.Tool, h sdk.ToolHandlerFor[In, Out]) {
	t.args[tool.Name] = mustArgSchema(tool.InputSchema.(json.RawMessage))
	sdk.AddTool(s, tool, h)
}

// Tool annotations let clients tell which tools only read, which may be retried, and which
// change what AgentGate decides, so should be confirmed by the user. Every tool acts on
// AgentGate alone, a closed world.

func readOnly(title string) *sdk.ToolAnnotations {
	return &sdk.ToolAnnotations{Title: title, ReadOnlyHint: true, OpenWorldHint: new(false)}
}

func writes(title string, destructive, idempotent bool) *sdk.ToolAnnotations {
	return &sdk.ToolAnnotations{Title: title, DestructiveHint: new(destructive), IdempotentHint: idempotent, OpenWorldHint: new(false)}
}

// result is a tool answer: v as indented JSON text (for clients that read only text), then
// any notes for the model; the SDK adds v as structuredContent.
func result[T any](v T, notes ...string) (*sdk.CallToolResult, T, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		var zero T
		return nil, zero, fmt.Errorf("encode result: %w", err)
	}
	res := &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: string(b)}}}
	for _, n := range notes {
		res.Content = append(res.Content, &sdk.TextContent{Text: n})
	}
	return res, v, nil
}

// failure turns a failed call into the tool error the model sees: the server's message and
// code, or which server could not be reached. The SDK sends it as an IsError result.
func (t *tools) failure(err error) error {
	var apiErr *client.Error
	var ue *url.Error
	switch {
	case errors.As(err, &apiErr):
		return fmt.Errorf("AgentGate refused: %s", apiErr.Error())
	case errors.As(err, &ue):
		return fmt.Errorf("cannot reach AgentGate at %s: %v", t.c.BaseURL(), ue.Err)
	}
	return err
}

// whole reads an optional JSON number that must be a whole number in [lo, hi].
func whole(name string, v *float64, def, lo, hi int) (int, error) {
	if v == nil {
		return def, nil
	}
	if *v != math.Trunc(*v) || *v < float64(lo) || *v > float64(hi) {
		return 0, fmt.Errorf("%s must be a whole number from %d to %d", name, lo, hi)
	}
	return int(*v), nil
}
