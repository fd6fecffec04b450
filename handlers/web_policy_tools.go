package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/views"
)

// rulesResult is the rules editor's text read as rules.
type rulesResult struct {
	rules []ag.Rule
	check views.RulesCheck
}

// checkRules reads the editor's JSON and checks every rule compiles, with errors that say
// where: a line and column for bad JSON, the rule and key for a bad rule.
func checkRules(text string) rulesResult {
	res := rulesResult{check: views.RulesCheck{Checked: true}}
	if strings.TrimSpace(text) == "" {
		res.rules = []ag.Rule{}
		return res
	}
	if err := decodeStrict([]byte(text), &res.rules); errors.Is(err, errTrailingData) {
		res.check.Error = "Only one JSON array is allowed; remove what follows it."
		return res
	} else if err != nil {
		res.check.Error = jsonProblem(text, err)
		return res
	}
	if err := ag.ValidatePolicy(&ag.Policy{Name: "draft", Rules: res.rules}); err != nil {
		var de *ag.Error
		if errors.As(err, &de) {
			res.check.Error = de.Message
		} else {
			res.check.Error = "These rules cannot be used."
		}
		return res
	}
	res.check.Rules = len(res.rules)
	return res
}

// jsonProblem explains a JSON decoding error with its line and column.
func jsonProblem(text string, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var unknown *unknownFieldError
	switch {
	case errors.As(err, &syn):
		line, col := lineCol(text, syn.Offset)
		return fmt.Sprintf("Line %d, column %d: %s.", line, col, syn.Error())
	case errors.As(err, &typ):
		line, col := lineCol(text, typ.Offset)
		where := typ.Field
		if where == "" {
			return fmt.Sprintf("Line %d, column %d: the rules must be a JSON array of rule objects.", line, col)
		}
		return fmt.Sprintf("Line %d, column %d: %s must be %s, not %s.", line, col, where, typeName(typ.Type), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "The JSON ends too early: a bracket or brace is not closed."
	case errors.As(err, &unknown):
		// The rules are the top-level array, so Where is "[i]".
		return fmt.Sprintf("Unknown field %q in rules%s; a rule has match, decision, approvers, channels, requireReason, requiredApprovals and owasp.", unknown.Key, unknown.Where)
	}
	return "The rules are not valid JSON: " + err.Error() + "."
}

func lineCol(text string, offset int64) (int, int) {
	if offset > int64(len(text)) {
		offset = int64(len(text))
	}
	before := text[:offset]
	line := strings.Count(before, "\n") + 1
	return line, int(offset) - strings.LastIndex(before, "\n")
}

// webValidateRules answers the rules editor as the person types.
func (s *Server) webValidateRules(c echo.Context) error {
	return s.render(c, http.StatusOK, nil, views.RulesCheckView(checkRules(c.FormValue("rules")).check))
}

// simRanges are the simulator's look-back windows.
var simRanges = map[string]time.Duration{"24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "30d": 30 * 24 * time.Hour}

// webSimulate replays the draft in the editor over past requests.
func (s *Server) webSimulate(c echo.Context) error {
	f, pol, err := s.readPolicyForm(c, "Simulate policy")
	rng := c.FormValue("range")
	f.Sim.Range = rng
	d, ok := simRanges[rng]
	switch {
	case !ok:
		f.Sim.Error = "Choose 24 hours, 7 days or 30 days."
	case err != nil:
		f.Sim.Error = "Fix the policy first: " + ag.ErrorMessage(err) + "."
	default:
		if pol.Name == "" {
			pol.Name = "draft"
		}
		pol.Enabled = true // the point is to see what the draft would do
		now := s.now()
		f.Sim.Sim, err = s.gate.Simulate(c.Request().Context(), pol, now.Add(-d), now)
		if err != nil && !refusal(err) {
			return err
		} else if err != nil {
			f.Sim.Error = ag.ErrorMessage(err)
		}
	}
	return s.render(c, http.StatusOK, views.PolicyEditor(f), views.SimulationResult(f.Sim))
}

// webDryRun tests the saved policy against one request typed into the form.
func (s *Server) webDryRun(c echo.Context) error {
	d := views.DryRunForm{PolicyID: c.Param("id"), Action: strings.TrimSpace(c.FormValue("action")),
		Urgency: c.FormValue("urgency"), Params: c.FormValue("params"), Context: c.FormValue("context")}
	in := ag.NewRequest{Action: d.Action, Urgency: d.Urgency, Params: rawObject(d.Params), Context: rawObject(d.Context)}
	res, err := s.gate.DryRun(c.Request().Context(), d.PolicyID, in)
	if err != nil && !refusal(err) { // a missing policy is not a refusal: a 404 page
		return err
	} else if err != nil {
		d.Error = ag.ErrorMessage(err)
	}
	d.Result = res
	if isHTMX(c) {
		return s.render(c, http.StatusOK, nil, views.DryRunResult(d))
	}
	pol, err := s.gate.Policy(c.Request().Context(), d.PolicyID)
	if err != nil {
		return err
	}
	f := s.policyForm(c, pol)
	f.DryRun = d
	return s.render(c, http.StatusOK, views.PolicyEditor(f), nil)
}

// rawObject passes typed JSON on as it is; blank means none.
func rawObject(s string) json.RawMessage {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	return json.RawMessage(bytes.TrimSpace([]byte(s)))
}
