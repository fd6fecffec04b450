package mcp_test

import (
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/client"
	"github.com/agentgate/agentgate/internal/testserver"
	"github.com/agentgate/agentgate/internal/waittest"
)

type page struct {
	Requests   []agentgate.Request `json:"requests"`
	Pagination client.Pagination   `json:"pagination"`
}

func TestRequestTools(t *testing.T) {
	srv := testserver.Start(t)
	cs, _ := session(t, srv.URL, srv.AdminKey)

	r := decode[agentgate.Request](t, cs, "agentgate_request", map[string]any{
		"action": "send_email", "params": map[string]any{"to": "ana@example.com"},
		"context": map[string]any{"reason": "invoice"}, "urgency": "high",
	})
	if r.Status != agentgate.StatusPending || r.Urgency != agentgate.UrgencyHigh || string(r.Params) != `{"to":"ana@example.com"}` {
		t.Fatalf("agentgate_request = %+v", r)
	}
	if got := decode[agentgate.Request](t, cs, "agentgate_get", map[string]any{"id": r.ID}); got.ID != r.ID {
		t.Errorf("agentgate_get = %+v", got)
	}
	p := decode[page](t, cs, "agentgate_list", map[string]any{"status": "pending", "limit": 5})
	if len(p.Requests) != 1 || p.Requests[0].ID != r.ID || p.Pagination.Limit != 5 {
		t.Errorf("agentgate_list = %+v", p)
	}
	d := decode[agentgate.Request](t, cs, "agentgate_decide", map[string]any{
		"id": r.ID, "decision": "approved", "reason": "fine", "decidedBy": "someone-else",
	})
	if d.Status != agentgate.StatusApproved || d.DecidedBy != "admin" || d.DecisionReason != "fine" {
		t.Errorf("agentgate_decide = %+v (decidedBy must be the key, not the argument)", d)
	}
	msg, isErr := call(t, cs, "agentgate_decide", map[string]any{"id": r.ID, "decision": "denied"})
	if !isErr || !strings.Contains(msg, "request "+r.ID+" is already approved (already_decided)") {
		t.Errorf("deciding twice: isError=%v, %q", isErr, msg)
	}
}

func TestRequestWaitsForTheDecisionWithProgress(t *testing.T) {
	srv := testserver.Start(t)
	cs, progress := session(t, srv.URL, srv.Key(t, "assistant", agentgate.ScopeRequestCreate, agentgate.ScopeRequestRead))
	approver := client.New(srv.URL, srv.AdminKey)

	params := &sdk.CallToolParams{Name: "agentgate_request", Arguments: map[string]any{"action": "deploy", "waitSeconds": 60}}
	params.SetProgressToken("deploy-1")
	type answer struct {
		res *sdk.CallToolResult
		err error
	}
	done := make(chan answer, 1)
	go func() {
		res, err := cs.CallTool(t.Context(), params)
		done <- answer{res, err}
	}()

	first := <-progress
	if first.ProgressToken != "deploy-1" || first.Total != 60 || !strings.Contains(first.Message, "pending") {
		t.Errorf("first progress = %+v", first)
	}
	id := srv.NextLongPoll(t)
	if !strings.Contains(first.Message, id) {
		t.Errorf("progress %q does not name request %s", first.Message, id)
	}
	if _, err := approver.Approve(t.Context(), id, "go"); err != nil {
		t.Fatal(err)
	}
	got := waittest.Answer(t, done)
	if got.err != nil || got.res.IsError || !strings.Contains(text(got.res), `"status": "approved"`) {
		t.Fatalf("waited result = %v, %+v", got.err, got.res)
	}
}

func TestRequestWaitTimesOutPending(t *testing.T) {
	srv := testserver.Start(t)
	cs, _ := session(t, srv.URL, srv.AdminKey)
	msg, isErr := call(t, cs, "agentgate_request", map[string]any{"action": "deploy", "waitSeconds": 0.3})
	if isErr || !strings.Contains(msg, `"status": "pending"`) || !strings.Contains(msg, "still pending") {
		t.Errorf("timed-out wait: isError=%v\n%s", isErr, msg)
	}
}

func TestPolicyAndAuditTools(t *testing.T) {
	srv := testserver.Start(t)
	cs, _ := session(t, srv.URL, srv.AdminKey)
	rule := map[string]any{"match": map[string]any{"action": "send_notification"}, "decision": "auto_approve"}

	p := decode[agentgate.Policy](t, cs, "agentgate_create_policy", map[string]any{"name": "notify", "rules": []any{rule}})
	if p.ID == "" || p.Priority != 100 || !p.Enabled {
		t.Fatalf("agentgate_create_policy = %+v (want priority 100, enabled by default)", p)
	}
	ps := decode[struct{ Policies []agentgate.Policy }](t, cs, "agentgate_list_policies", nil)
	if len(ps.Policies) != 1 || ps.Policies[0].ID != p.ID {
		t.Errorf("agentgate_list_policies = %+v", ps)
	}
	r := decode[agentgate.Request](t, cs, "agentgate_request", map[string]any{"action": "send_notification"})
	if r.Status != agentgate.StatusApproved {
		t.Errorf("request under the policy = %s", r.Status)
	}

	u := decode[agentgate.Policy](t, cs, "agentgate_update_policy", map[string]any{"id": p.ID, "name": "notify (off)", "rules": []any{rule}, "enabled": false})
	if u.Enabled || u.Priority != 100 || u.Name != "notify (off)" {
		t.Errorf("agentgate_update_policy = %+v (omitted priority must be kept)", u)
	}
	del := decode[map[string]any](t, cs, "agentgate_delete_policy", map[string]any{"id": p.ID})
	if del["deleted"] != true {
		t.Errorf("agentgate_delete_policy = %v", del)
	}
	if msg, isErr := call(t, cs, "agentgate_delete_policy", map[string]any{"id": p.ID}); !isErr || !strings.Contains(msg, "not_found") {
		t.Errorf("deleting twice: isError=%v %q", isErr, msg)
	}

	if _, err := client.New(srv.URL, srv.AdminKey).Request(t.Context(), client.RequestInput{Action: "deploy"}); err != nil {
		t.Fatal(err)
	}
	type auditPage struct{ Entries []agentgate.AuditEvent }
	approved := decode[auditPage](t, cs, "agentgate_list_audit_logs", map[string]any{"eventType": "approved", "from": "2000-01-01"})
	if len(approved.Entries) != 1 || approved.Entries[0].RequestID != r.ID || approved.Entries[0].Actor != "policy" {
		t.Errorf("approved events = %+v", approved.Entries)
	}
	created := decode[auditPage](t, cs, "agentgate_list_audit_logs", map[string]any{"status": "pending", "action": "deploy", "limit": 10})
	if len(created.Entries) != 1 || created.Entries[0].EventType != agentgate.EventRequestCreated {
		t.Errorf("created events = %+v", created.Entries)
	}
	actors := decode[struct{ Actors []string }](t, cs, "agentgate_get_audit_actors", nil)
	if !strings.Contains(strings.Join(actors.Actors, ","), "policy") {
		t.Errorf("agentgate_get_audit_actors = %v", actors)
	}
}

func TestBadArgumentsAreToolErrors(t *testing.T) {
	srv := testserver.Start(t)
	cs, _ := session(t, srv.URL, srv.AdminKey)
	for _, tc := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"agentgate_request", map[string]any{"params": map[string]any{}}, "action"},
		{"agentgate_request", map[string]any{"action": "x", "urgency": "soon"}, "urgency"},
		{"agentgate_request", map[string]any{"action": "x", "waitSeconds": -1}, "waitSeconds"},
		{"agentgate_request", map[string]any{"action": " padded "}, "invalid_action"},
		{"agentgate_get", map[string]any{"id": "req_nope"}, "not_found"},
		{"agentgate_list", map[string]any{"limit": 2.5}, "limit must be a whole number"},
		{"agentgate_decide", map[string]any{"id": "req_nope", "decision": "maybe"}, "decision"},
		{"agentgate_create_policy", map[string]any{"name": "x", "rules": []any{map[string]any{"decison": "auto_approve"}}}, `rules[0]: json: unknown field "decison"`},
		{"agentgate_create_policy", map[string]any{"name": "x", "rules": []any{map[string]any{"match": map[string]any{}, "decision": "maybe"}}}, "AgentGate refused"},
		{"agentgate_list_audit_logs", map[string]any{"from": "yesterday"}, "from must be an RFC 3339 time"},
	} {
		msg, isErr := call(t, cs, tc.tool, tc.args)
		if !isErr || !strings.Contains(msg, tc.want) {
			t.Errorf("%s(%v): isError=%v, %q; want a tool error mentioning %q", tc.tool, tc.args, isErr, msg, tc.want)
		}
	}
	// The server is still serving.
	if msg, isErr := call(t, cs, "agentgate_get_audit_actors", nil); isErr {
		t.Errorf("after bad calls: %s", msg)
	}
}

func TestUnreachableServerIsAToolError(t *testing.T) {
	cs, _ := session(t, "http://127.0.0.1:1", "agk_x")
	msg, isErr := call(t, cs, "agentgate_list", nil)
	if !isErr || !strings.Contains(msg, "cannot reach AgentGate at http://127.0.0.1:1") {
		t.Errorf("isError=%v, %q", isErr, msg)
	}
}
