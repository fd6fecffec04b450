package agentgate

import "testing"

// TestGatesTool pins which outcomes gate a tool call: anything but the plain default, so
// that whatever more the engine says about an unmatched call (a rule it could not decide,
// say) sends the call to a person rather than letting it run.
func TestGatesTool(t *testing.T) {
	first := 0
	held := DefaultOutcome()
	held.Approvers = []string{"ops"} // stands for anything more the engine reports
	tests := []struct {
		name string
		o    Outcome
		want bool
	}{
		{"no rule matched", DefaultOutcome(), false},
		{"a rule approved", Outcome{Decision: AutoApprove, RuleIndex: &first, OWASP: DefaultOWASP}, true},
		{"a rule routed", Outcome{Decision: RouteToHuman, RuleIndex: &first, OWASP: DefaultOWASP}, true},
		{"no rule matched, yet the engine says more", held, true},
	}
	for _, tt := range tests {
		if got := gatesTool(tt.o); got != tt.want {
			t.Errorf("%s: gatesTool = %v, want %v", tt.name, got, tt.want)
		}
	}
}
