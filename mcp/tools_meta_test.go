package mcp_test

import (
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/internal/testserver"
)

// hints are the annotations a tool must carry.
type hints struct{ readOnly, destructive, idempotent bool }

var wantHints = map[string]hints{
	"agentgate_request":          {},
	"agentgate_get":              {readOnly: true},
	"agentgate_list":             {readOnly: true},
	"agentgate_decide":           {destructive: true, idempotent: true},
	"agentgate_list_policies":    {readOnly: true},
	"agentgate_create_policy":    {destructive: true},
	"agentgate_update_policy":    {destructive: true, idempotent: true},
	"agentgate_delete_policy":    {destructive: true, idempotent: true},
	"agentgate_list_audit_logs":  {readOnly: true},
	"agentgate_get_audit_actors": {readOnly: true},
}

// TestToolsAreAnnotatedAndTyped: clients learn from the annotations which tools only read
// and which change what AgentGate decides, and every tool declares its output schema.
func TestToolsAreAnnotatedAndTyped(t *testing.T) {
	cs, _ := session(t, "http://127.0.0.1:1", "agk_unused")
	res, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range res.Tools {
		want, a := wantHints[tool.Name], tool.Annotations
		if a == nil || a.Title == "" || a.OpenWorldHint == nil || *a.OpenWorldHint {
			t.Errorf("%s: annotations %+v; want a title and a closed world", tool.Name, a)
			continue
		}
		got := hints{readOnly: a.ReadOnlyHint, idempotent: a.IdempotentHint}
		if !a.ReadOnlyHint {
			// Unset means destructive; a writer must say which it is.
			if a.DestructiveHint == nil {
				t.Errorf("%s: a writer without destructiveHint", tool.Name)
				continue
			}
			got.destructive = *a.DestructiveHint
		}
		if got != want {
			t.Errorf("%s: hints %+v, want %+v", tool.Name, got, want)
		}
		schema, _ := tool.OutputSchema.(map[string]any)
		if schema["type"] != "object" || len(schema["required"].([]any)) == 0 {
			t.Errorf("%s: output schema %v", tool.Name, tool.OutputSchema)
		}
	}
}

// TestWrongArgumentTypesArePlainMessages: a model that sends a wrong type is told, in one
// sentence, which argument must be what; not the schema validator's internals.
func TestWrongArgumentTypesArePlainMessages(t *testing.T) {
	cs, _ := session(t, "http://127.0.0.1:1", "agk_unused")
	for _, tc := range []struct {
		tool string
		args any
		want string
	}{
		{"agentgate_request", map[string]any{"action": "x", "waitSeconds": "x"}, `waitSeconds must be a number, not the string "x"`},
		{"agentgate_request", map[string]any{"action": "x", "waitSeconds": nil}, "waitSeconds must be a number, not null"},
		{"agentgate_request", map[string]any{"action": "x", "waitSeconds": 4000}, "waitSeconds must be from 0 to 3600, not 4000"},
		{"agentgate_request", map[string]any{"action": 5}, "action must be a string, not the number 5"},
		{"agentgate_request", map[string]any{"waitSeconds": 5}, "action is required"},
		{"agentgate_request", map[string]any{"action": "x", "params": []any{1}}, "params must be an object, not an array"},
		{"agentgate_request", map[string]any{"action": "x", "context": strings.Repeat("long ", 20)}, `context must be an object, not the string "long long long long long long long long …"`},
		{"agentgate_request", map[string]any{"action": "x", "urgency": "soon"}, `urgency must be one of low, normal, high, critical, not the string "soon"`},
		{"agentgate_list", map[string]any{"limit": "ten"}, `limit must be a number, not the string "ten"`},
		{"agentgate_decide", map[string]any{"id": "req_1", "decision": true}, "decision must be a string, not true"},
		{"agentgate_create_policy", map[string]any{"name": "x", "rules": "no"}, `rules must be an array, not the string "no"`},
		{"agentgate_create_policy", map[string]any{"name": "x", "rules": []any{map[string]any{}, 1}}, "rules[1] must be an object, not the number 1"},
		{"agentgate_update_policy", map[string]any{"id": "p", "name": "x", "rules": []any{}, "enabled": "yes"}, `enabled must be a boolean (true or false), not the string "yes"`},
		{"agentgate_list_audit_logs", map[string]any{"offset": map[string]any{}}, "offset must be a number, not an object"},
	} {
		res, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: tc.tool, Arguments: tc.args})
		if err != nil {
			t.Fatalf("%s: protocol error %v", tc.tool, err)
		}
		if msg := text(res); !res.IsError || msg != tc.want {
			t.Errorf("%s(%v): isError=%v, %q; want %q", tc.tool, tc.args, res.IsError, msg, tc.want)
		}
	}
}

// TestEmptyResultsFitTheirSchemas: on a new server every list is empty, and the empty
// results still satisfy the output schemas (the SDK checks them before answering).
func TestEmptyResultsFitTheirSchemas(t *testing.T) {
	srv := testserver.Start(t)
	cs, _ := session(t, srv.URL, srv.Key(t, "reader", agentgate.ScopeRequestRead, agentgate.ScopePolicyRead, agentgate.ScopeAuditRead))
	if p := decode[page](t, cs, "agentgate_list", nil); len(p.Requests) != 0 || p.Pagination.Total != 0 {
		t.Errorf("agentgate_list = %+v", p)
	}
	if ps := decode[struct{ Policies []any }](t, cs, "agentgate_list_policies", nil); ps.Policies == nil || len(ps.Policies) != 0 {
		t.Errorf("agentgate_list_policies = %+v; want an empty array", ps)
	}
	decode[map[string]any](t, cs, "agentgate_list_audit_logs", nil)
	decode[map[string]any](t, cs, "agentgate_get_audit_actors", nil)
}
