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
	t := &tools{c: c, progress: o.ProgressInterval, log: o.Logger}
	t.addRequestTools(s)
	t.addAdminTools(s)
	return s
}

// readOnly and destructive are the tool annotations the tools use.
func readOnly(title string) *sdk.ToolAnnotations {
	return &sdk.ToolAnnotations{Title: title, ReadOnlyHint: true}
}

func destructive(title string, yes bool) *sdk.ToolAnnotations {
	return &sdk.ToolAnnotations{Title: title, DestructiveHint: &yes}
}

// result is a tool answer: v as indented JSON, then any notes for the model.
func result(v any, notes ...string) (*sdk.CallToolResult, any, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, nil, fmt.Errorf("encode result: %w", err)
	}
	res := &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: string(b)}}}
	for _, n := range notes {
		res.Content = append(res.Content, &sdk.TextContent{Text: n})
	}
	return res, nil, nil
}

// failure turns a failed call into the tool error the model sees: the server's message and
// code, or which server could not be reached. The SDK sends it as an IsError result.
func (t *tools) failure(err error) (*sdk.CallToolResult, any, error) {
	var apiErr *client.Error
	var ue *url.Error
	switch {
	case errors.As(err, &apiErr):
		err = fmt.Errorf("AgentGate refused: %s", apiErr.Error())
	case errors.As(err, &ue):
		err = fmt.Errorf("cannot reach AgentGate at %s: %v", t.c.BaseURL(), ue.Err)
	}
	return nil, nil, err
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
