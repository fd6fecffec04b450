package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/internal/testserver"
)

// TestMCPStdioSubprocess runs `agentgate mcp` the way an MCP client does: as a subprocess
// speaking JSON-RPC over its stdin and stdout, configured through its environment.
func TestMCPStdioSubprocess(t *testing.T) {
	srv := testserver.Start(t)
	cmd := exec.Command(binary, "mcp")
	cmd.Env = childEnv("HOME="+t.TempDir(), "AGENTGATE_URL="+srv.URL, "AGENTGATE_API_KEY="+srv.AdminKey)
	c := sdk.NewClient(&sdk.Implementation{Name: "agentgate-test", Version: "1"}, nil)
	cs, err := c.Connect(t.Context(), &sdk.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()

	if info := cs.InitializeResult(); info.ServerInfo.Name != "agentgate" || !strings.Contains(info.Instructions, "agentgate_request") {
		t.Errorf("initialize result = %+v", info)
	}
	args := map[string]any{"action": "send_email", "urgency": "critical"}
	res, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "agentgate_request", Arguments: args})
	if err != nil || res.IsError || len(res.Content) == 0 {
		t.Fatalf("agentgate_request(%v): %v %+v", args, err, res)
	}
	var r agentgate.Request
	if tc, ok := res.Content[0].(*sdk.TextContent); !ok || json.Unmarshal([]byte(tc.Text), &r) != nil {
		t.Fatalf("agentgate_request: result is not JSON: %+v", res.Content[0])
	}
	if r.Status != agentgate.StatusPending || r.Urgency != agentgate.UrgencyCritical || r.CreatedBy != "admin" {
		t.Errorf("agentgate_request over stdio = %+v", r)
	}
}
