package handlers_test

import (
	"encoding/json"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
)

// originalCall is one HTTP call that the original AgentGate's TypeScript SDK or MCP server
// makes, byte for byte as it makes it. {req}, {pol} and {key} in path stand for ids that
// earlier calls returned.
type originalCall struct {
	name         string // the SDK method or MCP tool
	method, path string
	body         string
	status       int
	check        func(t *testing.T, got map[string]any, ids map[string]string)
}

// originalCalls are the original clients' calls, in an order that builds what the later
// ones use. The webhook calls come with the webhooks issue; the decide calls, which send
// decidedBy, with the identity issue.
var originalCalls = []originalCall{
	{name: "sdk.request", method: "POST", path: "/api/requests", status: 201,
		body: `{"action":"deploy","params":{},"context":{},"urgency":"normal","expiresAt":"2026-03-02T10:30:15.000Z"}`,
		check: func(t *testing.T, got map[string]any, ids map[string]string) {
			ids["req"], _ = got["id"].(string)
			if got["status"] != "pending" || got["expiresAt"] != "2026-03-02T10:30:15Z" {
				t.Errorf("request = %v", got)
			}
		}},
	{name: "mcp.agentgate_request", method: "POST", path: "/api/requests", status: 201, // undefined fields are left out
		body: `{"action":"send_email","params":{"to":"ana@example.com"}}`},
	{name: "sdk.getRequest, mcp.agentgate_get, mcp.waitForApproval", method: "GET", path: "/api/requests/{req}", status: 200,
		check: field("action", "deploy")},
	{name: "sdk.listRequests", method: "GET", path: "/api/requests?status=pending&action=deploy&limit=10&offset=0", status: 200,
		check: count("requests", 1)},
	{name: "mcp.agentgate_list", method: "GET", path: "/api/requests?status=pending&limit=10", status: 200,
		check: count("requests", 2)},
	{name: "sdk.createPolicy, mcp.agentgate_create_policy", method: "POST", path: "/api/policies", status: 201,
		body:  `{"name":"Deploys","rules":[{"match":{"action":"deploy"},"decision":"route_to_human","requireReason":true}],"priority":50,"enabled":true}`,
		check: func(t *testing.T, got map[string]any, ids map[string]string) { ids["pol"], _ = got["id"].(string) }},
	{name: "sdk.listPolicies, mcp.agentgate_list_policies", method: "GET", path: "/api/policies", status: 200,
		check: count("policies", 1)},
	{name: "sdk.getPolicy", method: "GET", path: "/api/policies/{pol}", status: 200, check: field("name", "Deploys")},
	{name: "sdk.updatePolicy, mcp.agentgate_update_policy", method: "PUT", path: "/api/policies/{pol}", status: 200,
		body:  `{"name":"Deploys","rules":[{"match":{"action":"deploy"},"decision":"auto_deny"}],"priority":40,"enabled":false}`,
		check: field("enabled", false)},
	{name: "mcp guardrail: POST /api/mcp/authorize", method: "POST", path: "/api/mcp/authorize", status: 200,
		body: `{"toolName":"agentgate_list","params":{"status":"pending","limit":10}}`, check: field("decision", "allow")},
	{name: "sdk.listAuditLogs, mcp.agentgate_list_audit_logs", method: "GET", status: 200,
		path:  "/api/audit?action=deploy&status=pending&eventType=created&actor=root-admin&from=2026-03-02&to=2026-03-02&requestId={req}&limit=50&offset=0",
		check: count("entries", 1)},
	{name: "sdk.getAuditActors, mcp.agentgate_get_audit_actors", method: "GET", path: "/api/audit/actors", status: 200,
		check: func(t *testing.T, got map[string]any, _ map[string]string) {
			if as, _ := got["actors"].([]any); len(as) == 0 {
				t.Errorf("actors = %v", got)
			}
		}},
	{name: "sdk.createApiKey", method: "POST", path: "/api/api-keys", status: 201,
		body: `{"name":"ci","scopes":["request:create","request:read"],"rateLimit":null}`,
		check: func(t *testing.T, got map[string]any, ids map[string]string) {
			ids["key"], _ = got["id"].(string)
			if k, _ := got["key"].(string); !strings.HasPrefix(k, ag.KeyPrefix) || got["active"] != true {
				t.Errorf("created key = %v", got)
			}
		}},
	{name: "sdk.revokeApiKey", method: "DELETE", path: "/api/api-keys/{key}", status: 200, check: deletedAnswer("key")},
	{name: "sdk.listApiKeys", method: "GET", path: "/api/api-keys", status: 200,
		check: func(t *testing.T, got map[string]any, ids map[string]string) {
			keys, _ := got["keys"].([]any)
			active := map[string]any{}
			for _, k := range keys {
				m, _ := k.(map[string]any)
				active[m["id"].(string)] = m["active"]
			}
			admin := 0
			for id, a := range active {
				if id != ids["key"] && a == true {
					admin++
				}
			}
			if len(keys) != 2 || active[ids["key"]] != false || admin != 1 {
				t.Errorf("keys = %v: want active false for the revoked one, true for the admin", active)
			}
		}},
	{name: "sdk.deletePolicy, mcp.agentgate_delete_policy", method: "DELETE", path: "/api/policies/{pol}", status: 200,
		check: deletedAnswer("pol")},
}

// TestAPIOriginalClients replays the original clients' calls against this server, with the
// headers the original SDK sends on every call (a JSON Content-Type even without a body).
func TestAPIOriginalClients(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		ids := map[string]string{}
		for _, c := range originalCalls {
			t.Run(c.name, func(t *testing.T) {
				path := c.path
				for k, v := range ids {
					path = strings.ReplaceAll(path, "{"+k+"}", v)
				}
				var body any
				if c.body != "" {
					body = c.body
				}
				res := e.in(t).call(c.method, path, e.admin, body, "Content-Type", "application/json")
				res.want(t, c.status)
				var got map[string]any
				if err := json.Unmarshal(res.body, &got); err != nil {
					t.Fatalf("%s %s: the answer is not a JSON object, which the original clients show: %q", c.method, path, res.body)
				}
				if c.check != nil {
					c.check(t, got, ids)
				}
			})
		}
	})
}

// field checks one top-level field of the answer.
func field(name string, want any) func(*testing.T, map[string]any, map[string]string) {
	return func(t *testing.T, got map[string]any, _ map[string]string) {
		if got[name] != want {
			t.Errorf("%s = %v, want %v in %v", name, got[name], want, got)
		}
	}
}

// count checks the length of the list in the answer's field.
func count(list string, n int) func(*testing.T, map[string]any, map[string]string) {
	return func(t *testing.T, got map[string]any, _ map[string]string) {
		if l, _ := got[list].([]any); len(l) != n {
			t.Errorf("%s has %d items, want %d: %v", list, len(l), n, got)
		}
	}
}

// deletedAnswer checks a DELETE's answer names the thing that earlier calls stored as idKey.
func deletedAnswer(idKey string) func(*testing.T, map[string]any, map[string]string) {
	return func(t *testing.T, got map[string]any, ids map[string]string) {
		if len(got) != 2 || got["success"] != true || got["id"] != ids[idKey] {
			t.Errorf("DELETE answered %v, want {success: true, id: %s}", got, ids[idKey])
		}
	}
}
