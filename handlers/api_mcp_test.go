package handlers_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
)

// guardrailPolicy is a policy as the original's SDK and MCP tools post it: name, rules,
// priority and enabled, each rule naming a tool by its action.
const guardrailPolicy = `{"name":"MCP tools","priority":10,"enabled":true,"rules":[
	{"match":{"action":"delete_file"},"decision":"auto_deny"},
	{"match":{"action":"send_email","params.to":{"$glob":"*@example.com"}},"decision":"auto_approve"},
	{"match":{"action":"send_email"},"decision":"route_to_human"}]}`

// authorization is the answer of POST /api/mcp/authorize, every field kept as sent.
type authorization map[string]any

func TestAPIMCPAuthorize(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		var pol ag.Policy
		e.must(http.StatusCreated, http.MethodPost, "/api/policies", e.admin, guardrailPolicy, &pol)
		mcp, _ := e.newKey("mcp-server", nil, ag.ScopeRequestCreate)
		news, stop := e.gate.Broker().Watch()
		defer stop()
		announced := func() string { // the request the gate announced during the call, if any
			select {
			case id := <-news:
				return id
			default:
				return ""
			}
		}
		authorize := func(body string) authorization {
			t.Helper()
			var a authorization
			e.must(http.StatusOK, http.MethodPost, "/api/mcp/authorize", mcp, body, &a)
			return a
		}

		// A tool no rule names runs, and nothing is stored: the MCP server asks before every
		// call. The original sends the tool's arguments as params.
		before := e.counts()
		if a := authorize(`{"toolName":"agentgate_list","params":{"status":"pending","limit":10}}`); !reflect.DeepEqual(a, authorization{"decision": "allow"}) {
			t.Errorf("unnamed tool = %v, want exactly {decision: allow}", a)
		}
		if after := e.counts(); after != before || announced() != "" {
			t.Errorf("an unnamed tool stored or announced something: %+v -> %+v", before, after)
		}

		// auto_deny: a denied request is stored, created by the key, decided by the policy.
		a := authorize(`{"toolName":"delete_file","params":{"path":"/etc/passwd"},"context":{"sessionId":"s-1"}}`)
		id, _ := a["requestId"].(string)
		want := authorization{"decision": "deny", "status": "denied", "requestId": id,
			"reason": `automatically denied by policy "MCP tools", rule 0`, "owaspRisk": ag.DefaultOWASP}
		if !reflect.DeepEqual(a, want) || !strings.HasPrefix(id, "req_") {
			t.Fatalf("auto_deny = %v\nwant %v", a, want)
		}
		var r ag.Request
		e.must(http.StatusOK, http.MethodGet, "/api/requests/"+id, e.admin, nil, &r)
		if r.Status != ag.StatusDenied || r.Action != "delete_file" || string(r.Params) != `{"path":"/etc/passwd"}` ||
			string(r.Context) != `{"sessionId":"s-1"}` || r.CreatedBy != "mcp-server" || r.DecidedBy != "policy" {
			t.Errorf("stored denial = %+v", r)
		}
		if got := announced(); got != id {
			t.Errorf("announced %q, want the denied request %s", got, id)
		}

		// route_to_human: a pending request, announced like any other, that a person decides.
		a = authorize(`{"toolName":"send_email","params":{"to":"ceo@rival.com"}}`)
		id, _ = a["requestId"].(string)
		want = authorization{"decision": "requires_approval", "status": "pending", "requestId": id,
			"reason": `policy "MCP tools", rule 2 routes this tool call to a person`, "owaspRisk": ag.DefaultOWASP}
		if !reflect.DeepEqual(a, want) {
			t.Fatalf("route_to_human = %v\nwant %v", a, want)
		}
		if got := announced(); got != id {
			t.Errorf("announced %q, want the pending request %s", got, id)
		}
		if trail := eventTypes(e.events(id)); !reflect.DeepEqual(trail, []string{ag.EventRequestCreated}) || e.events(id)[0].Actor != "mcp-server" {
			t.Errorf("pending trail = %v by %q, want created by the key", trail, e.events(id)[0].Actor)
		}
		var l apiList
		e.must(http.StatusOK, http.MethodGet, "/api/requests?status=pending", e.admin, nil, &l)
		if len(l.Requests) != 1 || l.Requests[0].ID != id {
			t.Errorf("pending queue = %+v, want the routed tool call", l.Requests)
		}
		e.must(http.StatusOK, http.MethodPost, "/api/requests/"+id+"/decide", e.admin, `{"decision":"approved"}`, &r)
		if got := announced(); got != id {
			t.Errorf("the decision announced %q, want %s", got, id)
		}

		// auto_approve: the call runs, and the approval is on record like a gate check's.
		a = authorize(`{"toolName":"send_email","params":{"to":"ana@example.com"}}`)
		id, _ = a["requestId"].(string)
		if a["decision"] != "allow" || a["status"] != "approved" || id == "" || announced() != id {
			t.Errorf("auto_approve = %v", a)
		}
	})
}

func TestAPIMCPAuthorizeRefusesBadInput(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		reader, _ := e.newKey("reader", nil, ag.ScopeRequestRead)
		before := e.counts()
		tests := []struct {
			name, secret, body string
			status             int
			code, says         string
		}{
			{"no tool name", e.admin, `{"params":{}}`, 400, "missing_field", "toolName is required"},
			{"blank tool name", e.admin, `{"toolName":"  "}`, 400, "missing_field", "toolName"},
			{"spaces around the tool name", e.admin, `{"toolName":" rm "}`, 400, "invalid_action", "toolName"},
			{"params not an object", e.admin, `{"toolName":"rm","params":["-rf"]}`, 400, "invalid_params", "params must be a JSON object"},
			{"context not an object", e.admin, `{"toolName":"rm","context":"cli"}`, 400, "invalid_context", "context"},
			{"unknown field", e.admin, `{"toolName":"rm","tool":"rm"}`, 400, "unknown_field", `"tool"`},
			{"no create scope", reader, `{"toolName":"rm"}`, 403, "missing_scope", ""},
			{"no key", "", `{"toolName":"rm"}`, 401, "missing_api_key", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ae := e.in(t).call(http.MethodPost, "/api/mcp/authorize", tt.secret, tt.body).wantError(t, tt.status, tt.code)
				if !strings.Contains(ae.Error, tt.says) {
					t.Errorf("message %q does not say %q", ae.Error, tt.says)
				}
			})
		}
		if after := e.counts(); after != before {
			t.Errorf("refused calls wrote: %+v -> %+v", before, after)
		}
	})
}

// TestAPIMCPAuthorizeFailsClosed checks that a tool call a deny rule cannot judge is not
// allowed by a later approve rule: it goes to a person, and the answer says why.
func TestAPIMCPAuthorizeFailsClosed(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		e.must(http.StatusCreated, http.MethodPost, "/api/policies", e.admin, `{"name":"transfers","enabled":true,"rules":[
			{"match":{"action":"transfer","params.amount":{"$gt":10000}},"decision":"auto_deny"},
			{"match":{"action":"transfer"},"decision":"auto_approve"}]}`, nil)
		var a authorization
		e.must(http.StatusOK, http.MethodPost, "/api/mcp/authorize", e.admin, `{"toolName":"transfer","params":{"amount":[50000]}}`, &a)
		reason, _ := a["reason"].(string)
		if a["decision"] != "requires_approval" || a["status"] != "pending" || !strings.Contains(reason, "params.amount") {
			t.Errorf("a call the deny rule cannot judge = %v, want requires_approval naming params.amount", a)
		}
	})
}
