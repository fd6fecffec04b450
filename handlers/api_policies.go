package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
)

func (s *Server) listPolicies(c echo.Context) error {
	q := &query{v: c.QueryParams()}
	p := q.page(defaultLimit)
	if q.err != nil {
		return q.err
	}
	ps, err := s.gate.Policies(c.Request().Context())
	if err != nil {
		return err
	}
	total := len(ps)
	ps = ps[min(p.Offset, total):min(p.Offset+p.Limit, total)]
	return c.JSON(http.StatusOK, map[string]any{"policies": nonNil(ps), "pagination": paginate(p, total)})
}

func (s *Server) getPolicy(c echo.Context) error {
	p, err := s.gate.Policy(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// policyBody is what clients send to create or replace a policy. Enabled defaults to true,
// as in the original.
type policyBody struct {
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Priority    int       `json:"priority"`
	Enabled     *bool     `json:"enabled"`
	Rules       []ag.Rule `json:"rules"`

	// The read-only fields a GET returns, here or on the original server: accepted and
	// ignored, so that an exported policy can be posted back.
	ID        json.RawMessage `json:"id"`
	CreatedAt json.RawMessage `json:"createdAt"`
	UpdatedAt json.RawMessage `json:"updatedAt"`
	// The original's later per-agent and per-tool scoping, which this server does not have.
	Scope    json.RawMessage `json:"scope"`
	AgentIDs json.RawMessage `json:"agentIds"`
	ToolIDs  json.RawMessage `json:"toolIds"`
}

// policy returns the policy the body describes, or an unsupported_field error when it asks
// for scoping this server does not do.
func (b policyBody) policy() (ag.Policy, error) {
	// Every policy the original exports says scope "global" with no agent or tool ids; that
	// is how every policy here applies, so only other values are refused.
	for _, f := range [...]struct {
		name string
		raw  json.RawMessage
		none string // the value that means "not scoped"
	}{{"scope", b.Scope, `"global"`}, {"agentIds", b.AgentIDs, "[]"}, {"toolIds", b.ToolIDs, "[]"}} {
		if v := compactJSON(f.raw); v != "" && v != "null" && v != f.none {
			return ag.Policy{}, ag.Errorf(ag.KindInvalid, "unsupported_field",
				"field %q is not supported: policies here are not scoped to agents or tools, every policy applies to every request; remove the field", f.name).
				WithDetails(map[string]any{"field": f.name})
		}
	}
	enabled := b.Enabled == nil || *b.Enabled
	return ag.Policy{Name: b.Name, Description: b.Description, Priority: b.Priority, Enabled: enabled, Rules: b.Rules}, nil
}

// compactJSON is raw without insignificant space ("" when absent), for comparing small values.
func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

func (s *Server) createPolicy(c echo.Context) error {
	var in policyBody
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := in.policy()
	if err != nil {
		return err
	}
	created, err := s.gate.CreatePolicy(c.Request().Context(), key(c).Actor(), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, created)
}

func (s *Server) updatePolicy(c echo.Context) error {
	var in policyBody
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := in.policy()
	if err != nil {
		return err
	}
	updated, err := s.gate.UpdatePolicy(c.Request().Context(), key(c).Actor(), c.Param("id"), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, updated)
}

func (s *Server) deletePolicy(c echo.Context) error {
	if err := s.gate.DeletePolicy(c.Request().Context(), key(c).Actor(), c.Param("id")); err != nil {
		return err
	}
	return deleted(c, c.Param("id"))
}

func (s *Server) dryRunPolicy(c echo.Context) error {
	var in ag.NewRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	res, err := s.gate.DryRun(c.Request().Context(), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// simulateBody names a draft policy and the stored requests to replay it over.
type simulateBody struct {
	Policy policyBody `json:"policy"`
	From   *time.Time `json:"from"`
	To     *time.Time `json:"to"`
}

func (s *Server) simulatePolicy(c echo.Context) error {
	var in simulateBody
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	to := s.now()
	if in.To != nil {
		to = in.To.UTC()
	}
	from := to.Add(-24 * time.Hour)
	if in.From != nil {
		from = in.From.UTC()
	}
	draft, err := in.Policy.policy()
	if err != nil {
		return err
	}
	sim, err := s.gate.Simulate(c.Request().Context(), draft, from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sim)
}
