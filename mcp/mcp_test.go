package mcp_test

import (
	"context"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/agentgate/agentgate/client"
	agmcp "github.com/agentgate/agentgate/mcp"
)

// session connects the SDK's own client to our server over an in-memory transport, with
// progress notifications delivered to progress.
func session(t *testing.T, baseURL, key string) (cs *sdk.ClientSession, progress <-chan *sdk.ProgressNotificationParams) {
	t.Helper()
	server := agmcp.NewServer(client.New(baseURL, key), agmcp.Options{Version: "test", ProgressInterval: 20 * time.Millisecond})
	st, ct := sdk.NewInMemoryTransports()
	ss, err := server.Connect(t.Context(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan *sdk.ProgressNotificationParams, 100)
	c := sdk.NewClient(&sdk.Implementation{Name: "agentgate-test", Version: "1"}, &sdk.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, req *sdk.ProgressNotificationClientRequest) {
			select {
			case ch <- req.Params:
			default:
			}
		},
	})
	cs, err = c.Connect(t.Context(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cs.Close()
		ss.Wait()
	})
	return cs, ch
}

// call calls a tool and returns its text and whether it is a tool error. A protocol error
// (which would mean a crashed or confused server) fails the test.
func call(t *testing.T, cs *sdk.ClientSession, tool string, args map[string]any) (string, bool) {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error %v", tool, err)
	}
	return text(res), res.IsError
}

func text(res *sdk.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// decode reads a successful tool result's structuredContent, after checking that its first
// text block, for clients that read only text, holds the same JSON.
func decode[T any](t *testing.T, cs *sdk.ClientSession, tool string, args map[string]any) T {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s(%v): protocol error %v", tool, args, err)
	}
	if res.IsError {
		t.Fatalf("%s(%v): %s", tool, args, text(res))
	}
	structured, err := json.Marshal(res.StructuredContent)
	if err != nil || res.StructuredContent == nil {
		t.Fatalf("%s: no structuredContent (%v)", tool, err)
	}
	var fromText, fromStructured any
	if err := json.Unmarshal([]byte(res.Content[0].(*sdk.TextContent).Text), &fromText); err != nil {
		t.Fatalf("%s: text result is not JSON: %v", tool, err)
	}
	_ = json.Unmarshal(structured, &fromStructured)
	if !reflect.DeepEqual(fromText, fromStructured) {
		t.Errorf("%s: the text result and structuredContent differ:\n%s\n%s", tool, res.Content[0].(*sdk.TextContent).Text, structured)
	}
	var v T
	if err := json.Unmarshal(structured, &v); err != nil {
		t.Fatalf("%s: structuredContent %s: %v", tool, structured, err)
	}
	return v
}

// schemaWant is the shape of one tool's input schema in the original AgentGate MCP server.
type schemaWant struct {
	props    map[string]string   // property → JSON type
	required []string            // sorted
	enums    map[string][]string // property → allowed values
}

var originalSchemas = map[string]schemaWant{
	"agentgate_request": {
		props:    map[string]string{"action": "string", "params": "object", "context": "object", "urgency": "string", "waitSeconds": "number"},
		required: []string{"action"},
		enums:    map[string][]string{"urgency": {"low", "normal", "high", "critical"}},
	},
	"agentgate_get": {props: map[string]string{"id": "string"}, required: []string{"id"}},
	"agentgate_list": {
		props: map[string]string{"status": "string", "limit": "number"},
		enums: map[string][]string{"status": {"pending", "approved", "denied", "expired"}},
	},
	"agentgate_decide": {
		props:    map[string]string{"id": "string", "decision": "string", "reason": "string", "decidedBy": "string"},
		required: []string{"decision", "id"},
		enums:    map[string][]string{"decision": {"approved", "denied"}},
	},
	"agentgate_list_policies": {props: map[string]string{}},
	"agentgate_create_policy": {
		props:    map[string]string{"name": "string", "rules": "array", "priority": "number", "enabled": "boolean"},
		required: []string{"name", "rules"},
	},
	"agentgate_update_policy": {
		props:    map[string]string{"id": "string", "name": "string", "rules": "array", "priority": "number", "enabled": "boolean"},
		required: []string{"id", "name", "rules"},
	},
	"agentgate_delete_policy": {props: map[string]string{"id": "string"}, required: []string{"id"}},
	"agentgate_list_audit_logs": {
		props: map[string]string{"action": "string", "status": "string", "eventType": "string", "actor": "string",
			"from": "string", "to": "string", "requestId": "string", "limit": "number", "offset": "number"},
		enums: map[string][]string{
			"status":    {"pending", "approved", "denied", "expired"},
			"eventType": {"created", "approved", "denied", "expired", "viewed"},
		},
	},
	"agentgate_get_audit_actors": {props: map[string]string{}},
}

func TestToolsHaveTheOriginalSchemas(t *testing.T) {
	cs, _ := session(t, "http://127.0.0.1:1", "agk_unused")
	res, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		want, ok := originalSchemas[tool.Name]
		if !ok {
			t.Errorf("unexpected tool %s", tool.Name)
			continue
		}
		if len(tool.Description) < 60 {
			t.Errorf("%s: description %q is too thin to tell a model when to use it", tool.Name, tool.Description)
		}
		checkSchema(t, tool.Name, tool.InputSchema, want)
	}
	if len(names) != len(originalSchemas) {
		t.Errorf("tools = %v, want the %d of the original", names, len(originalSchemas))
	}
}

func checkSchema(t *testing.T, name string, schema any, want schemaWant) {
	t.Helper()
	var s struct {
		Type       string   `json:"type"`
		Required   []string `json:"required"`
		Properties map[string]struct {
			Type string   `json:"type"`
			Enum []string `json:"enum"`
		} `json:"properties"`
	}
	b, _ := json.Marshal(schema)
	if err := json.Unmarshal(b, &s); err != nil || s.Type != "object" {
		t.Fatalf("%s: schema %s: %v", name, b, err)
	}
	got := map[string]string{}
	for p, ps := range s.Properties {
		got[p] = ps.Type
		if !slices.Equal(ps.Enum, want.enums[p]) {
			t.Errorf("%s.%s enum = %v, want %v", name, p, ps.Enum, want.enums[p])
		}
	}
	if !maps.Equal(got, want.props) {
		t.Errorf("%s properties = %v, want %v", name, got, want.props)
	}
	sort.Strings(s.Required)
	if !slices.Equal(s.Required, want.required) {
		t.Errorf("%s required = %v, want %v", name, s.Required, want.required)
	}
}
