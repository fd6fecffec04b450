package handlers

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/agentgate/agentgate/views"
)

// webTeach opens the policy editor on a rule drafted from a request ("always approve
// requests like this"), with the simulator's replay of the last 30 days beside it. Nothing
// is saved: the editor's Save button creates the policy, as for any new one.
func (s *Server) webTeach(c echo.Context) error {
	t, err := s.gate.Teach(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	rules, _ := json.MarshalIndent(t.Draft.Rules, "", "  ")
	f := views.PolicyForm{Shell: s.shell(c, views.SectionPolicies, "New policy"), Name: t.Draft.Name,
		Description: t.Draft.Description, Priority: strconv.Itoa(t.Draft.Priority), Enabled: true, Rules: string(rules),
		Sim: views.SimulationView{Range: "30d", Sim: t.Sim}, Teach: t.Request, TeachOthers: t.Others}
	f.Check = checkRules(f.Rules).check
	return s.render(c, http.StatusOK, views.PolicyEditor(f), nil)
}
