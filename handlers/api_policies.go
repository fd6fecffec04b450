package handlers

import (
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
}

func (b policyBody) policy() ag.Policy {
	enabled := b.Enabled == nil || *b.Enabled
	return ag.Policy{Name: b.Name, Description: b.Description, Priority: b.Priority, Enabled: enabled, Rules: b.Rules}
}

func (s *Server) createPolicy(c echo.Context) error {
	var in policyBody
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := s.gate.CreatePolicy(c.Request().Context(), key(c).Actor(), in.policy())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

func (s *Server) updatePolicy(c echo.Context) error {
	var in policyBody
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := s.gate.UpdatePolicy(c.Request().Context(), key(c).Actor(), c.Param("id"), in.policy())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
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
	sim, err := s.gate.Simulate(c.Request().Context(), in.Policy.policy(), from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sim)
}
