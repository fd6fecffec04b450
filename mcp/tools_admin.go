package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/client"
)

type policyArgs struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Rules    []json.RawMessage `json:"rules"`
	Priority *float64          `json:"priority"`
	Enabled  *bool             `json:"enabled"`
}

type auditArgs struct {
	Action    string   `json:"action"`
	Status    string   `json:"status"`
	EventType string   `json:"eventType"`
	Actor     string   `json:"actor"`
	From      string   `json:"from"`
	To        string   `json:"to"`
	RequestID string   `json:"requestId"`
	Limit     *float64 `json:"limit"`
	Offset    *float64 `json:"offset"`
}

func (t *tools) addAdminTools(s *sdk.Server) {
	addTool(s, t, &sdk.Tool{
		Name: "agentgate_list_policies",
		Description: "List every approval policy in the order they are tried (lowest priority first), with their rules. " +
			"Use it to understand why requests are approved, denied or routed to people. Needs a key with policy:read.",
		InputSchema:  emptySchema,
		OutputSchema: policyListOutput,
		Annotations:  readOnly("List policies"),
	}, t.listPolicies)
	addTool(s, t, &sdk.Tool{
		Name: "agentgate_create_policy",
		Description: "Create an approval policy: rules that auto-approve, auto-deny or route matching requests to people. " +
			"It applies to new requests at once. Only do this when the user asks for it. Needs policy:write.",
		InputSchema:  createPolicySchema,
		OutputSchema: policyOutput,
		// Destructive: a new rule may approve or deny what people decided before. Not
		// idempotent: each call adds a policy.
		Annotations: writes("Create policy", true, false),
	}, t.createPolicy)
	addTool(s, t, &sdk.Tool{
		Name: "agentgate_update_policy",
		Description: "Replace a policy's name and rules (and optionally its priority or enabled flag; omitted ones are kept). " +
			"Read it first with agentgate_list_policies. Only do this when the user asks for it. Needs policy:write.",
		InputSchema:  updatePolicySchema,
		OutputSchema: policyOutput,
		Annotations:  writes("Update policy", true, true),
	}, t.updatePolicy)
	addTool(s, t, &sdk.Tool{
		Name:         "agentgate_delete_policy",
		Description:  "Delete a policy for good. Only do this when the user asks for it. Needs policy:write.",
		InputSchema:  deletePolicySchema,
		OutputSchema: deletedOutput,
		Annotations:  writes("Delete policy", true, true),
	}, t.deletePolicy)
	addTool(s, t, &sdk.Tool{
		Name: "agentgate_list_audit_logs",
		Description: "Read the audit log, newest first: who requested, approved, denied or changed what, and when. " +
			"Filter by action, event type, actor, request or time. Needs a key with audit:read.",
		InputSchema:  auditSchema,
		OutputSchema: auditPageOutput,
		Annotations:  readOnly("List audit log"),
	}, t.listAudit)
	addTool(s, t, &sdk.Tool{
		Name:         "agentgate_get_audit_actors",
		Description:  "List everyone who appears in the audit log (API key names, people, \"policy\", \"system\"), e.g. to filter agentgate_list_audit_logs by actor.",
		InputSchema:  emptySchema,
		OutputSchema: actorsOutput,
		Annotations:  readOnly("List audit actors"),
	}, t.auditActors)
}

// policyList, deleted and actorList are results that the API has no type for.
type (
	policyList struct {
		Policies []agentgate.Policy `json:"policies"`
	}
	deleted struct {
		Deleted bool   `json:"deleted"`
		ID      string `json:"id"`
	}
	actorList struct {
		Actors []string `json:"actors"`
	}
)

func (t *tools) listPolicies(ctx context.Context, _ *sdk.CallToolRequest, _ struct{}) (*sdk.CallToolResult, *policyList, error) {
	ps, err := t.c.ListPolicies(ctx)
	if err != nil {
		return nil, nil, t.failure(err)
	}
	return result(&policyList{Policies: ps})
}

// rules decodes the rules strictly, so a misspelt field is an error rather than ignored.
func rules(raw []json.RawMessage) ([]agentgate.Rule, error) {
	out := make([]agentgate.Rule, len(raw))
	for i, r := range raw {
		dec := json.NewDecoder(bytes.NewReader(r))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&out[i]); err != nil {
			return nil, fmt.Errorf("rules[%d]: %v", i, err)
		}
	}
	return out, nil
}

func (t *tools) createPolicy(ctx context.Context, _ *sdk.CallToolRequest, in policyArgs) (*sdk.CallToolResult, *agentgate.Policy, error) {
	rs, err := rules(in.Rules)
	if err != nil {
		return nil, nil, err
	}
	prio, err := whole("priority", in.Priority, 100, -1_000_000, 1_000_000)
	if err != nil {
		return nil, nil, err
	}
	p, err := t.c.CreatePolicy(ctx, client.PolicyInput{Name: in.Name, Priority: prio, Disabled: in.Enabled != nil && !*in.Enabled, Rules: rs})
	if err != nil {
		return nil, nil, t.failure(err)
	}
	return result(p)
}

func (t *tools) updatePolicy(ctx context.Context, _ *sdk.CallToolRequest, in policyArgs) (*sdk.CallToolResult, *agentgate.Policy, error) {
	rs, err := rules(in.Rules)
	if err != nil {
		return nil, nil, err
	}
	old, err := t.c.GetPolicy(ctx, in.ID)
	if err != nil {
		return nil, nil, t.failure(err)
	}
	prio, err := whole("priority", in.Priority, old.Priority, -1_000_000, 1_000_000)
	if err != nil {
		return nil, nil, err
	}
	enabled := old.Enabled
	if in.Enabled != nil {
		enabled = *in.Enabled
	}
	p, err := t.c.UpdatePolicy(ctx, in.ID, client.PolicyInput{Name: in.Name, Description: old.Description, Priority: prio, Disabled: !enabled, Rules: rs})
	if err != nil {
		return nil, nil, t.failure(err)
	}
	return result(p)
}

func (t *tools) deletePolicy(ctx context.Context, _ *sdk.CallToolRequest, in idArgs) (*sdk.CallToolResult, *deleted, error) {
	if err := t.c.DeletePolicy(ctx, in.ID); err != nil {
		return nil, nil, t.failure(err)
	}
	return result(&deleted{Deleted: true, ID: in.ID})
}

func (t *tools) listAudit(ctx context.Context, _ *sdk.CallToolRequest, in auditArgs) (*sdk.CallToolResult, *client.AuditPage, error) {
	o := client.AuditOptions{Action: in.Action, Actor: in.Actor, RequestID: in.RequestID}
	var err error
	if o.Limit, err = whole("limit", in.Limit, 50, 1, 100); err != nil {
		return nil, nil, err
	}
	if o.Offset, err = whole("offset", in.Offset, 0, 0, 1<<31-1); err != nil {
		return nil, nil, err
	}
	if o.From, err = when("from", in.From, false); err != nil {
		return nil, nil, err
	}
	if o.To, err = when("to", in.To, true); err != nil {
		return nil, nil, err
	}
	// The original's short event names are request events here; a status stands for the
	// event that moves a request into it.
	switch {
	case in.EventType != "":
		o.EventType = "request." + in.EventType
	case in.Status == string(agentgate.StatusPending):
		o.EventType = agentgate.EventRequestCreated
	case in.Status != "":
		o.EventType = "request." + in.Status
	}
	p, err := t.c.ListAudit(ctx, o)
	if err != nil {
		return nil, nil, t.failure(err)
	}
	return result(p)
}

// when reads an RFC 3339 time or a date; a date as an upper bound means the end of that day.
func when(name, s string, endOfDay bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, ok := agentgate.ParseTimeOrDate(s, endOfDay)
	if !ok {
		return time.Time{}, fmt.Errorf("%s must be an RFC 3339 time (2026-01-31T15:04:05Z) or a date (2026-01-31), not %q", name, s)
	}
	return t, nil
}

func (t *tools) auditActors(ctx context.Context, _ *sdk.CallToolRequest, _ struct{}) (*sdk.CallToolResult, *actorList, error) {
	as, err := t.c.AuditActors(ctx)
	if err != nil {
		return nil, nil, t.failure(err)
	}
	if as == nil {
		as = []string{}
	}
	return result(&actorList{Actors: as})
}
