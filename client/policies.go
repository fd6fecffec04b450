package client

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/agentgate/agentgate"
)

// PolicyInput is a policy to create, or the full new state of one to replace.
type PolicyInput struct {
	Name        string
	Description string
	// Priority orders policies: lower is evaluated first.
	Priority int
	// Disabled stores the policy without applying it; policies are enabled by default.
	Disabled bool
	Rules    []agentgate.Rule
}

// policyBody is the JSON the API takes for a policy.
type policyBody struct {
	Name        string           `json:"name"`
	Description string           `json:"description,omitempty"`
	Priority    int              `json:"priority"`
	Enabled     bool             `json:"enabled"`
	Rules       []agentgate.Rule `json:"rules"`
}

func (in PolicyInput) body() policyBody {
	rules := in.Rules
	if rules == nil {
		rules = []agentgate.Rule{}
	}
	return policyBody{Name: in.Name, Description: in.Description, Priority: in.Priority, Enabled: !in.Disabled, Rules: rules}
}

// ListPolicies returns every policy in evaluation order (ascending priority), fetching as
// many pages as it takes.
func (c *Client) ListPolicies(ctx context.Context) ([]agentgate.Policy, error) {
	all := []agentgate.Policy{}
	for offset := 0; ; {
		var page struct {
			Policies   []agentgate.Policy `json:"policies"`
			Pagination Pagination         `json:"pagination"`
		}
		if err := c.call(ctx, http.MethodGet, "/api/policies", pageQuery(url.Values{}, 200, offset), nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Policies...)
		if !page.Pagination.HasMore || len(page.Policies) == 0 {
			return all, nil
		}
		offset += len(page.Policies)
	}
}

// GetPolicy returns one policy.
func (c *Client) GetPolicy(ctx context.Context, id string) (*agentgate.Policy, error) {
	var p agentgate.Policy
	if err := c.call(ctx, http.MethodGet, "/api/policies/"+escape(id), nil, nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// CreatePolicy stores a new policy; it applies to requests from the next one on.
func (c *Client) CreatePolicy(ctx context.Context, in PolicyInput) (*agentgate.Policy, error) {
	var p agentgate.Policy
	if err := c.call(ctx, http.MethodPost, "/api/policies", nil, in.body(), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// UpdatePolicy replaces every field of a policy with in.
func (c *Client) UpdatePolicy(ctx context.Context, id string, in PolicyInput) (*agentgate.Policy, error) {
	var p agentgate.Policy
	if err := c.call(ctx, http.MethodPut, "/api/policies/"+escape(id), nil, in.body(), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// DeletePolicy removes a policy.
func (c *Client) DeletePolicy(ctx context.Context, id string) error {
	return c.call(ctx, http.MethodDelete, "/api/policies/"+escape(id), nil, nil, nil)
}

// DryRunPolicy says what one stored policy, as if enabled, would decide for in, without
// creating a request.
func (c *Client) DryRunPolicy(ctx context.Context, id string, in RequestInput) (*agentgate.DryRunResult, error) {
	var res agentgate.DryRunResult
	if err := c.call(ctx, http.MethodPost, "/api/policies/"+escape(id)+"/dry-run", nil, in.body(), &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// SimulatePolicy replays the requests created in [from, to) against the live policies with
// draft added, and reports which outcomes would change. Zero times mean the last 24 hours.
func (c *Client) SimulatePolicy(ctx context.Context, draft PolicyInput, from, to time.Time) (*agentgate.Simulation, error) {
	body := struct {
		Policy policyBody `json:"policy"`
		From   *time.Time `json:"from,omitempty"`
		To     *time.Time `json:"to,omitempty"`
	}{Policy: draft.body()}
	if !from.IsZero() {
		f := from.UTC()
		body.From = &f
	}
	if !to.IsZero() {
		t := to.UTC()
		body.To = &t
	}
	var sim agentgate.Simulation
	if err := c.call(ctx, http.MethodPost, "/api/policies/simulate", nil, body, &sim); err != nil {
		return nil, err
	}
	return &sim, nil
}
