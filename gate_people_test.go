package agentgate_test

import (
	"testing"

	ag "github.com/agentgate/agentgate"
)

func person(t *testing.T, g *ag.Gate, name, email string, groups ...string) *ag.Person {
	t.Helper()
	p, err := g.CreatePerson(bg, alice, ag.PersonInput{Name: &name, Email: &email, Groups: &groups})
	if err != nil {
		t.Fatalf("create person %s: %v", name, err)
	}
	return p
}

// keyFor creates a key belonging to personID ("" for none) and returns the identity it
// authenticates as.
func keyFor(t *testing.T, g *ag.Gate, name, personID string) (ag.Actor, string) {
	t.Helper()
	k, secret, err := g.CreateKey(bg, alice, ag.KeyInput{Name: &name, Scopes: []ag.Scope{ag.ScopeRequestDecide},
		PersonID: ag.NullString{Set: true, Value: personID}})
	if err != nil {
		t.Fatalf("create key %s: %v", name, err)
	}
	return authenticated(t, g, secret), k.ID
}

func authenticated(t *testing.T, g *ag.Gate, secret string) ag.Actor {
	t.Helper()
	k, err := g.Authenticate(bg, secret)
	if err != nil {
		t.Fatal(err)
	}
	return k.Actor()
}

// A key that belongs to a person acts as the person: two keys of one person cast one vote;
// renaming the person renames the actor at once; deleting the person detaches the key.
func TestKeysActAsTheirPerson(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, clock *testClock) {
		ana := person(t, g, "Ana", "ana@example.com", "finance")
		cfo := person(t, g, "cfo", "cfo@example.com", "finance")
		laptop, _ := keyFor(t, g, "ana-laptop", ana.ID)
		phone, _ := keyFor(t, g, "ana-phone", ana.ID)
		cfoKey, _ := keyFor(t, g, "cfo-key", cfo.ID)
		bot, _ := keyFor(t, g, "bot", "")
		if laptop.ID != ana.ID || laptop.Name != "Ana" || laptop.Type != ag.ActorUser {
			t.Fatalf("a person's key acts as %+v", laptop)
		}
		createPolicy(t, g, `[{"match":{"action":"transfer"},"decision":"route_to_human","approvers":["group:finance"],"requiredApprovals":2}]`)
		r := submit(t, g, ag.NewRequest{Action: "transfer"})
		if _, err := g.Decide(bg, r.ID, ag.Decide{Decision: approved, Actor: laptop, Channel: ag.DecidedViaAPI}); err != nil {
			t.Fatal(err)
		}
		if _, err := g.Decide(bg, r.ID, ag.Decide{Decision: approved, Actor: phone, Channel: ag.DecidedViaDashboard}); ag.ErrorCode(err) != "already_voted" {
			t.Fatalf("the same person through another key: %v, want already_voted", err)
		}
		if _, err := g.Decide(bg, r.ID, ag.Decide{Decision: approved, Actor: bot}); ag.ErrorCode(err) != "not_an_approver" {
			t.Fatalf("a key of no one in finance: %v, want not_an_approver", err)
		}
		r, err := g.Decide(bg, r.ID, ag.Decide{Decision: approved, Actor: cfoKey})
		if err != nil || r.Status != ag.StatusApproved || r.Votes[0].VoterID != ana.ID || r.Votes[1].VoterID != cfo.ID {
			t.Fatalf("two people approve: %v %+v", err, r)
		}

		// A rename shows at once; a deleted person's keys act as themselves.
		_, secret, _ := g.CreateKey(bg, alice, ag.KeyInput{Name: ptr("ana-tablet"), Scopes: []ag.Scope{ag.ScopeRequestRead},
			PersonID: ag.NullString{Set: true, Value: ana.ID}})
		authenticated(t, g, secret) // cached
		if _, err := g.UpdatePerson(bg, alice, ana.ID, ag.PersonInput{Name: ptr("Ana Lima")}); err != nil {
			t.Fatal(err)
		}
		if a := authenticated(t, g, secret); a.Name != "Ana Lima" {
			t.Errorf("after a rename the key acts as %q", a.Name)
		}
		if err := g.DeletePerson(bg, alice, ana.ID); err != nil {
			t.Fatal(err)
		}
		if a := authenticated(t, g, secret); a.Type != ag.ActorAPIKey || a.Name != "ana-tablet" {
			t.Errorf("after the person is deleted the key acts as %+v", a)
		}
		if _, err := g.Person(bg, ana.ID); ag.ErrorKind(err) != ag.KindNotFound {
			t.Errorf("a deleted person: %v, want not found", err)
		}

		for id, code := range map[string]string{ana.ID: "unknown_person", "per_nobody": "unknown_person", "key_1": "invalid_person_id"} {
			_, _, err := g.CreateKey(bg, alice, ag.KeyInput{Name: ptr("k-" + id), Scopes: []ag.Scope{ag.ScopeRequestRead},
				PersonID: ag.NullString{Set: true, Value: id}})
			if ag.ErrorCode(err) != code {
				t.Errorf("key for %q: %v, want %s", id, err, code)
			}
		}
		if _, err := g.CreatePerson(bg, alice, ag.PersonInput{Name: ptr("CFO")}); ag.ErrorCode(err) != "name_taken" {
			t.Errorf("a second cfo: %v, want name_taken", err)
		}
		if _, err := g.CreatePerson(bg, alice, ag.PersonInput{Name: ptr("x"), Email: ptr("CFO@example.com")}); ag.ErrorCode(err) != "email_taken" {
			t.Errorf("cfo's address again: %v, want email_taken", err)
		}
		p, ok := g.PersonByEmail("CFO@EXAMPLE.COM")
		if !ok || p.ID != cfo.ID {
			t.Errorf("PersonByEmail = %+v, %v", p, ok)
		}
	})
}

func ptr[T any](v T) *T { return &v }
