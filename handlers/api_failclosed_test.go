package handlers_test

import (
	"net/http"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

// transferPolicy denies big transfers and approves the rest.
const transferPolicy = `{"name": "Transfers", "rules": [
	{"match": {"action": "transfer", "params.amount": {"$gt": 10000}}, "decision": "auto_deny"},
	{"match": {"action": "transfer"}, "decision": "auto_approve"}]}`

// TestAPIFailsClosed posts the amounts main approved past the deny rule: each one now waits
// for a person, and the stored outcome says why. Numbers sent as text are read as numbers.
func TestAPIFailsClosed(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		agent, _ := e.newKey("agent", nil, ag.ScopeRequestCreate, ag.ScopeRequestRead)
		var p ag.Policy
		e.must(http.StatusCreated, http.MethodPost, "/api/policies", e.admin, transferPolicy, &p)

		for _, body := range []string{
			`{"action":"transfer","params":{"amount":"50000"}}`,
			`{"action":"transfer","params":{"amount":[50000]}}`,
			`{"action":"transfer","params":{"amount":{"v":50000}}}`,
			`{"action":"transfer","params":{"amount":null}}`,
			`{"action":"transfer"}`,
			`{"action":"transfer","params":{"Amount":50000}}`,
			`{"action":"transfer","params":{"amount":"50,000"}}`,
		} {
			r := e.submit(agent, body)
			if r.Status == ag.StatusApproved {
				t.Errorf("%s was approved: %+v", body, r.PolicyDecision)
			}
			if r.Status != ag.StatusDenied && (r.Status != ag.StatusPending || r.PolicyDecision.Hold == nil || r.PolicyDecision.Hold.Reason == "") {
				t.Errorf("%s: %s %+v, want denied, or pending with the reason", body, r.Status, r.PolicyDecision)
			}
		}
		if r := e.submit(agent, `{"action":"transfer","params":{"amount":"50000"}}`); r.Status != ag.StatusDenied {
			t.Errorf("an amount sent as text: %s", r.Status)
		}
		if r := e.submit(agent, `{"action":"transfer","params":{"amount":"500"}}`); r.Status != ag.StatusApproved {
			t.Errorf("a small amount sent as text: %s", r.Status)
		}

		// The stored outcome explains itself in the API's own words.
		r := e.submit(agent, `{"action":"transfer","params":{"amount":"lots"}}`)
		var got struct {
			Status         string `json:"status"`
			PolicyDecision struct {
				Decision  string `json:"decision"`
				RuleIndex int    `json:"ruleIndex"`
				Hold      struct {
					Reason, Key, Problem, Decision string
					Approval                       struct {
						PolicyID   string `json:"policyId"`
						PolicyName string `json:"policyName"`
						RuleIndex  int    `json:"ruleIndex"`
					}
				} `json:"hold"`
			} `json:"policyDecision"`
		}
		e.must(http.StatusOK, http.MethodGet, "/api/requests/"+r.ID, agent, nil, &got)
		d := got.PolicyDecision
		if got.Status != "pending" || d.Decision != ag.RouteToHuman || d.RuleIndex != 0 || d.Hold.Key != "params.amount" ||
			d.Hold.Problem != "got a string that is not a number" || d.Hold.Decision != ag.AutoDeny ||
			d.Hold.Approval.PolicyID != p.ID || d.Hold.Approval.RuleIndex != 1 ||
			d.Hold.Reason != `policy "Transfers" rules[0] (auto_deny) could not read params.amount: got a string that is not a number; rules[1]'s auto_approve goes to a person instead` {
			t.Errorf("stored outcome = %+v", got)
		}
	})
}

// TestAPIDryRunShowsUndecided: the dry run and the simulator say which rules could not read
// the input and what that did.
func TestAPIDryRunShowsUndecided(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		agent, _ := e.newKey("agent", nil, ag.ScopeRequestCreate)
		var p ag.Policy
		e.must(http.StatusCreated, http.MethodPost, "/api/policies", e.admin, transferPolicy, &p)
		var dr ag.DryRunResult
		e.must(http.StatusOK, http.MethodPost, "/api/policies/"+p.ID+"/dry-run", e.admin, `{"action":"transfer","params":{"amount":[1]}}`, &dr)
		if !dr.Matched || dr.Outcome.Decision != ag.RouteToHuman || dr.Outcome.Hold == nil || dr.Rule == nil || dr.Rule.Decision != ag.AutoDeny ||
			len(dr.Undecided) != 1 || dr.Undecided[0].RuleIndex != 0 || dr.Undecided[0].Key != "params.amount" || dr.Undecided[0].Problem != "got an array, not a number" {
			t.Errorf("dry run = %+v", dr)
		}
		dr = ag.DryRunResult{}
		e.must(http.StatusOK, http.MethodPost, "/api/policies/"+p.ID+"/dry-run", e.admin, `{"action":"transfer","params":{"amount":1}}`, &dr)
		if !dr.Matched || dr.Outcome.Decision != ag.AutoApprove || dr.Outcome.Hold != nil || dr.Undecided == nil || len(dr.Undecided) != 0 {
			t.Errorf("dry run of a small amount = %+v", dr)
		}

		// Replayed against a draft, an amount nobody could read is counted as held.
		e.submit(agent, `{"action":"transfer","params":{"amount":"lots"}}`)
		e.submit(agent, `{"action":"transfer","params":{"amount":5}}`)
		e.clock.advance(time.Minute)
		var sim ag.Simulation
		e.must(http.StatusOK, http.MethodPost, "/api/policies/simulate", e.admin, `{"policy":`+transferPolicy+`}`, &sim)
		if sim.Evaluated != 2 || sim.Held != 1 || sim.After[ag.RouteToHuman] != 1 || sim.After[ag.AutoApprove] != 1 {
			t.Errorf("simulation = %+v", sim)
		}
	})
}
