package main

import (
	"os"
	"strings"
	"testing"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/client"
	"github.com/agentgate/agentgate/internal/testserver"
)

// TestDemo runs `agentgate demo` twice against a live server: the first run creates the
// policies, shows the three outcomes and prints the decision a person makes while it
// waits; the second reuses the policies and stops cleanly on Ctrl-C.
func TestDemo(t *testing.T) {
	srv := testserver.Start(t)
	person := client.New(srv.URL, srv.AdminKey)
	c := forServer(t, srv, srv.Key(t, "demo-agent", agentgate.ScopeRequestCreate, agentgate.ScopeRequestRead,
		agentgate.ScopePolicyRead, agentgate.ScopePolicyWrite))

	cmd, stdout, stderr := c.command(t.Context(), "demo")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	id := srv.NextLongPoll(t)
	if _, err := person.Decide(t.Context(), id, "approved", "vendor confirmed by phone"); err != nil {
		t.Fatal(err)
	}
	res := finish(t, cmd.Wait(), stdout, stderr)
	if res.code != 0 {
		t.Fatalf("demo: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	golden(t, "demo_first", strings.ReplaceAll(res.stdout, srv.URL, "http://agentgate.test"))
	if !strings.Contains(res.stdout, srv.URL+"/requests/"+id) {
		t.Errorf("the first run does not link the routed request %s", id)
	}

	cmd, stdout, stderr = c.command(t.Context(), "demo")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	second := srv.NextLongPoll(t)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	res = finish(t, cmd.Wait(), stdout, stderr)
	if res.code != 0 || res.stderr != "" {
		t.Fatalf("demo stopped with Ctrl-C: exit %d, stderr %q", res.code, res.stderr)
	}
	golden(t, "demo_again_interrupted", strings.ReplaceAll(res.stdout, srv.URL, "http://agentgate.test"))

	policies, err := person.ListPolicies(t.Context())
	if err != nil || len(policies) != len(demoPolicies) {
		t.Errorf("after two runs: %d policies (%v), want the %d demo policies once", len(policies), err, len(demoPolicies))
	}
	if r, err := person.Get(t.Context(), second); err != nil || r.Status != agentgate.StatusPending {
		t.Errorf("the interrupted run's request: %v %v; want it still pending", r, err)
	}
}
