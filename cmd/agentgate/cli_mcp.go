package main

import (
	"fmt"
	"io"
	"log/slog"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/agentgate/agentgate/mcp"
)

// newMCPCmd is `agentgate mcp`: the MCP server an AI assistant starts as a subprocess.
func newMCPCmd(getenv env, std stdio) *cobra.Command {
	return &cobra.Command{
		Use:   "mcp",
		Short: "Serve AgentGate's tools to an AI assistant over MCP (stdio)",
		Long: "Run a Model Context Protocol server on stdin/stdout, for Claude Desktop, Cursor, VS Code and\n" +
			"other MCP clients. It reads AGENTGATE_URL and AGENTGATE_API_KEY (else ~/.agentgate/config.json).\n" +
			"Configure it as {\"command\": \"agentgate\", \"args\": [\"mcp\"], \"env\": {...}}.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, c, err := newClient(getenv, "agentgate-mcp", "set AGENTGATE_API_KEY in the MCP server's env")
			if err != nil {
				return err
			}
			log := slog.New(slog.NewTextHandler(std.err, &slog.HandlerOptions{Level: slog.LevelWarn}))
			server := mcp.NewServer(c, mcp.Options{Version: version, Logger: log})
			t := &sdk.IOTransport{Reader: io.NopCloser(std.in), Writer: nopWriteCloser{std.out}}
			if err := server.Run(cmd.Context(), t); err != nil && cmd.Context().Err() == nil {
				return fmt.Errorf("mcp: %w", err)
			}
			return nil
		},
	}
}

// nopWriteCloser lets stdout serve as the transport's writer without being closed.
type nopWriteCloser struct{ io.Writer }

// Close does nothing: the process's stdout outlives the MCP session.
func (nopWriteCloser) Close() error { return nil }
