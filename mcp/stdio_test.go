package mcp_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/internal/testserver"
)

// binary is `agentgate`, built once for this package's tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "agentgate-mcp-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "agentgate")
	build := exec.Command("go", "build", "-o", binary, "../cmd/agentgate")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build agentgate:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestStdioSubprocess runs `agentgate mcp` the way an MCP client does: as a subprocess
// speaking JSON-RPC over its stdin and stdout, configured through its environment.
func TestStdioSubprocess(t *testing.T) {
	srv := testserver.Start(t)
	cmd := exec.Command(binary, "mcp")
	cmd.Env = []string{"HOME=" + t.TempDir(), "AGENTGATE_URL=" + srv.URL, "AGENTGATE_API_KEY=" + srv.AdminKey}
	c := sdk.NewClient(&sdk.Implementation{Name: "agentgate-test", Version: "1"}, nil)
	cs, err := c.Connect(t.Context(), &sdk.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()

	if info := cs.InitializeResult(); info.ServerInfo.Name != "agentgate" || !strings.Contains(info.Instructions, "agentgate_request") {
		t.Errorf("initialize result = %+v", info)
	}
	r := decode[agentgate.Request](t, cs, "agentgate_request", map[string]any{"action": "send_email", "urgency": "critical"})
	if r.Status != agentgate.StatusPending || r.Urgency != agentgate.UrgencyCritical || r.CreatedBy != "admin" {
		t.Errorf("agentgate_request over stdio = %+v", r)
	}
}
