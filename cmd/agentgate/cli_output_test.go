package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/agentgate/agentgate"
)

// TestPrintRequestShowsAHold checks that a request a rule held for people says why, so an
// agent's operator reading `agentgate status` learns what the policy could not read.
func TestPrintRequestShowsAHold(t *testing.T) {
	r := &agentgate.Request{ID: "req_1", Action: "transfer", Status: agentgate.StatusPending,
		PolicyDecision: agentgate.Outcome{Decision: agentgate.RouteToHuman,
			Hold: &agentgate.Hold{Reason: "rules[0] could not read params.amount: got an array, not a number"}}}
	var b bytes.Buffer
	if err := printRequest(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Held:") || !strings.Contains(b.String(), "could not read params.amount") {
		t.Errorf("a held request prints without its reason:\n%s", b.String())
	}
}
