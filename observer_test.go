package agentgate_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
)

// An action has its own metrics label only if an enabled policy names it: as a literal,
// with $eq or $in, also under $any, $all and $not; never what a pattern matches, and at
// most 500 of them.
func TestActionLabel(t *testing.T) {
	rules := `[{"match":{"action":"send_email"},"decision":"auto_approve"},
		{"match":{"action":{"$in":["deploy","rollback"]}},"decision":"route_to_human"},
		{"match":{"$any":[{"action":{"$eq":"transfer"}},{"$all":[{"action":"refund"}]}]},"decision":"route_to_human"},
		{"match":{"$not":{"action":"read_file"}},"decision":"route_to_human"},
		{"match":{"action":{"$glob":"delete_*"}},"decision":"auto_deny"},
		{"match":{"params.action":"shadow"},"decision":"auto_deny"}]`
	p := rulesPolicy(t, rules)
	p.ID = "pol_1"
	disabled := rulesPolicy(t, `[{"match":{"action":"disabled_only"},"decision":"auto_deny"}]`)
	disabled.ID, disabled.Enabled = "pol_2", false
	set, err := ag.CompilePolicies([]ag.Policy{p, disabled})
	if err != nil {
		t.Fatal(err)
	}
	for action, want := range map[string]string{
		"send_email": "send_email", "deploy": "deploy", "rollback": "rollback", "transfer": "transfer",
		"refund": "refund", "read_file": "read_file", "delete_users": ag.OtherAction, "shadow": ag.OtherAction,
		"disabled_only": ag.OtherAction, "made_up": ag.OtherAction,
	} {
		if got := set.ActionLabel(action); got != want {
			t.Errorf("ActionLabel(%q) = %q, want %q", action, got, want)
		}
	}
	var nilSet *ag.PolicySet
	if got := nilSet.ActionLabel("send_email"); got != ag.OtherAction {
		t.Errorf("no policies: %q", got)
	}

	many := make([]string, 600)
	for i := range many {
		many[i] = fmt.Sprintf("%q", fmt.Sprintf("a%03d", i))
	}
	big := rulesPolicy(t, `[{"match":{"action":{"$in":[`+strings.Join(many, ",")+`]}},"decision":"auto_deny"}]`)
	big.ID = "pol_3"
	set, err = ag.CompilePolicies([]ag.Policy{big})
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for i := range many {
		var a string
		_ = json.Unmarshal([]byte(many[i]), &a)
		if set.ActionLabel(a) != ag.OtherAction {
			named++
		}
	}
	if named != 500 {
		t.Errorf("%d of 600 actions have their own label, want 500", named)
	}
}
