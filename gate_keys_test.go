package agentgate_test

import (
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
)

// TestAdminKeyAndNameClashes: the server's own keys are named "admin" and must not fail a
// start over that name. ADMIN_API_KEY beside a live "admin" takes "admin-<id>"; a revoked
// ADMIN_API_KEY is an admin_key_revoked answer, and stays revoked; the first key of an
// empty database is made once.
func TestAdminKeyAndNameClashes(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, _ *testClock) {
		first, err := g.BootstrapKey(bg, ag.AdminKeyName, true)
		if err != nil || first == "" {
			t.Fatalf("first key: %q, %v", first, err)
		}
		if again, err := g.BootstrapKey(bg, ag.AdminKeyName, true); err != nil || again != "" {
			t.Fatalf("a second first key: %q, %v", again, err)
		}
		if _, err := g.BootstrapKey(bg, ag.AdminKeyName, false); ag.ErrorCode(err) != "name_taken" {
			t.Fatalf("bootstrap of a taken name: %v, want name_taken", err)
		}

		const secret = "configured-admin-secret"
		if err := g.EnsureAdminKey(bg, secret); err != nil {
			t.Fatalf("ADMIN_API_KEY beside a live admin key: %v", err)
		}
		k, err := g.Authenticate(bg, secret)
		if err != nil || k.Name != "admin-"+k.ID || !k.Has(ag.ScopeAdmin) {
			t.Fatalf("ADMIN_API_KEY's key: %+v, %v; want an admin named admin-<id>", k, err)
		}
		if err := g.EnsureAdminKey(bg, secret); err != nil {
			t.Fatalf("ADMIN_API_KEY on the next start: %v", err)
		}
		if _, err := g.RevokeKey(bg, ag.SystemActor, k.ID); err != nil {
			t.Fatal(err)
		}
		if err := g.EnsureAdminKey(bg, secret); ag.ErrorCode(err) != "admin_key_revoked" || !containsFix(err) {
			t.Fatalf("a revoked ADMIN_API_KEY: %v, want admin_key_revoked with the fix", err)
		}
		if _, err := g.Authenticate(bg, secret); ag.ErrorCode(err) != "invalid_api_key" {
			t.Fatalf("the revoked ADMIN_API_KEY signs in: %v", err)
		}
	})
}

func containsFix(err error) bool {
	return strings.Contains(ag.ErrorMessage(err), "set ADMIN_API_KEY to a new value, or unset it")
}
