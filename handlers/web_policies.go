package handlers

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/views"
)

// webPolicies lists the policies in evaluation order.
func (s *Server) webPolicies(c echo.Context) error {
	return s.policiesView(c, http.StatusOK, "")
}

func (s *Server) policiesView(c echo.Context, status int, notice string) error {
	ps, err := s.gate.Policies(c.Request().Context())
	if err != nil {
		return err
	}
	p := views.PoliciesPage{Shell: s.shell(c, views.SectionPolicies, "Policies"), Policies: ps, Notice: notice}
	return s.render(c, status, views.Policies(p), views.PoliciesRegion(p))
}

// webNewPolicy is the empty policy form, with a starting rule to edit.
func (s *Server) webNewPolicy(c echo.Context) error {
	f := views.PolicyForm{Shell: s.shell(c, views.SectionPolicies, "New policy"), Priority: "100", Enabled: true,
		Rules: "[\n  {\n    \"match\": {\"action\": \"send_email\"},\n    \"decision\": \"route_to_human\"\n  }\n]"}
	f.Check = checkRules(f.Rules).check
	return s.render(c, http.StatusOK, views.PolicyEditor(f), nil)
}

// webPolicy shows one policy in the editor (read-only without policy:write).
func (s *Server) webPolicy(c echo.Context) error {
	pol, err := s.gate.Policy(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.PolicyEditor(s.policyForm(c, pol)), nil)
}

func (s *Server) policyForm(c echo.Context, pol *ag.Policy) views.PolicyForm {
	rules, _ := json.MarshalIndent(pol.Rules, "", "  ")
	f := views.PolicyForm{Shell: s.shell(c, views.SectionPolicies, pol.Name), ID: pol.ID, Name: pol.Name,
		Description: pol.Description, Priority: strconv.Itoa(pol.Priority), Enabled: pol.Enabled, Rules: string(rules)}
	f.Check = views.RulesCheck{Checked: true, Rules: len(pol.Rules)}
	f.DryRun = newDryRunForm(pol.ID)
	return f
}

// newDryRunForm is the empty dry-run form of a policy: a normal request with no params.
func newDryRunForm(policyID string) views.DryRunForm {
	return views.DryRunForm{PolicyID: policyID, Urgency: string(ag.UrgencyNormal), Params: "{}", Context: "{}"}
}

// readPolicyForm reads the editor's fields: the form as typed, and the policy it makes.
func (s *Server) readPolicyForm(c echo.Context, title string) (views.PolicyForm, ag.Policy, error) {
	f := views.PolicyForm{Shell: s.shell(c, views.SectionPolicies, title), ID: c.FormValue("id"),
		Name: strings.TrimSpace(c.FormValue("name")), Description: strings.TrimSpace(c.FormValue("description")),
		Priority: strings.TrimSpace(c.FormValue("priority")), Enabled: c.FormValue("enabled") == "true", Rules: c.FormValue("rules")}
	f.DryRun = newDryRunForm(f.ID)
	rc := checkRules(f.Rules)
	f.Check = rc.check
	pol := ag.Policy{ID: f.ID, Name: f.Name, Description: f.Description, Enabled: f.Enabled, Rules: rc.rules}
	n, err := strconv.Atoi(f.Priority)
	if err != nil {
		return f, pol, ag.Invalid("priority must be a whole number, such as 100; lower runs first")
	}
	pol.Priority = n
	if rc.check.Error != "" {
		return f, pol, ag.Invalid("the rules are not valid yet")
	}
	return f, pol, nil
}

// webCreatePolicy saves a new policy and makes it live.
func (s *Server) webCreatePolicy(c echo.Context) error {
	f, pol, err := s.readPolicyForm(c, "New policy")
	if err == nil {
		var created *ag.Policy
		if created, err = s.gate.CreatePolicy(c.Request().Context(), key(c).Actor(), pol); err == nil {
			return c.Redirect(http.StatusSeeOther, "/policies/"+created.ID)
		}
	}
	return s.policyRefused(c, f, err)
}

// webUpdatePolicy saves an edited policy and makes it live.
func (s *Server) webUpdatePolicy(c echo.Context) error {
	f, pol, err := s.readPolicyForm(c, "Edit policy")
	f.ID, f.DryRun.PolicyID = c.Param("id"), c.Param("id")
	if err == nil {
		if _, err = s.gate.UpdatePolicy(c.Request().Context(), key(c).Actor(), f.ID, pol); err == nil {
			return c.Redirect(http.StatusSeeOther, "/policies")
		}
	}
	return s.policyRefused(c, f, err)
}

// policyRefused shows the form again as typed, with the reason beside the field it names.
func (s *Server) policyRefused(c echo.Context, f views.PolicyForm, err error) error {
	if !refusal(err) {
		return err
	}
	switch {
	case f.Check.Error != "":
		f.Error = "Not saved: fix the rules first."
	case rulesError(err):
		f.Check = views.RulesCheck{Checked: true, Error: ag.ErrorMessage(err)}
		f.Error = "Not saved: fix the rules first."
	default:
		f.Error = "Not saved: " + ag.ErrorMessage(err) + "."
	}
	return s.render(c, http.StatusUnprocessableEntity, views.PolicyEditor(f), nil)
}

// rulesError reports whether a policy was refused for its rules: the list as a whole (field
// "rules") or one rule (its index in "rule"), as the gate's policy errors say in Details.
func rulesError(err error) bool {
	de, ok := errors.AsType[*ag.Error](err)
	if !ok {
		return false
	}
	_, oneRule := de.Details["rule"]
	return oneRule || de.Details["field"] == "rules"
}

// webTogglePolicy turns a policy on or off.
func (s *Server) webTogglePolicy(c echo.Context) error {
	on := c.FormValue("enabled") == "true"
	pol, err := s.gate.SetPolicyEnabled(c.Request().Context(), key(c).Actor(), c.Param("id"), on)
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/policies")
	}
	state := "off: it no longer decides anything"
	if on {
		state = "on"
	}
	return s.policiesView(c, http.StatusOK, "“"+pol.Name+"” is "+state+".")
}

// webDeletePolicy removes a policy after the confirmation dialog.
func (s *Server) webDeletePolicy(c echo.Context) error {
	if err := s.gate.DeletePolicy(c.Request().Context(), key(c).Actor(), c.Param("id")); err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/policies")
	}
	return s.policiesView(c, http.StatusOK, "Policy deleted.")
}
