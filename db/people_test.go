package db_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

func newPerson(id, name, email string, at time.Time, groups ...string) *agentgate.Person {
	if groups == nil {
		groups = []string{}
	}
	return &agentgate.Person{ID: id, Name: name, Email: email, Groups: groups, CreatedAt: at, UpdatedAt: at}
}

func TestPeople(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		ev := newEvent(nil, agentgate.EventPersonCreated, "admin", t0)
		ana := newPerson("per_a", "Ana", "Ana@Example.com", t0, "finance", "oncall")
		ana.SlackUserID, ana.DiscordUserID = "U0ANA", "80351110224678912"
		bob := newPerson("per_b", "bob", "", t0)
		for _, p := range []*agentgate.Person{ana, bob} {
			if err := s.CreatePerson(ctx, p, ev); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.GetPerson(ctx, "per_a")
		if err != nil || !reflect.DeepEqual(ana, got) {
			t.Errorf("GetPerson = %+v, %v; want %+v", got, err, ana)
		}
		if _, err := s.GetPerson(ctx, "per_x"); !errors.Is(err, agentgate.ErrNotFound) {
			t.Errorf("unknown person: %v, want ErrNotFound", err)
		}

		// Names and addresses are unique in any case; chat ids exactly; "" is no one's.
		taken := []struct {
			p     *agentgate.Person
			field string
		}{
			{newPerson("per_c", "ANA", "", t0), "name"},
			{newPerson("per_c", "carol", "ana@example.COM", t0), "email"},
			{&agentgate.Person{ID: "per_c", Name: "carol", SlackUserID: "U0ANA", Groups: []string{}}, "slackUserId"},
			{&agentgate.Person{ID: "per_c", Name: "carol", DiscordUserID: "80351110224678912", Groups: []string{}}, "discordUserId"},
		}
		for _, tc := range taken {
			var pt *agentgate.PersonTaken
			if err := s.CreatePerson(ctx, tc.p, ev); !errors.As(err, &pt) || pt.Field != tc.field {
				t.Errorf("create %+v: %v, want %s taken", tc.p, err, tc.field)
			}
		}
		carol := newPerson("per_c", "carol", "", t0)
		if err := s.CreatePerson(ctx, carol, ev); err != nil {
			t.Fatalf("a second person without email or chat ids: %v", err)
		}

		carol.Email, carol.Groups, carol.UpdatedAt = "carol@example.com", []string{"finance"}, t0.Add(time.Minute)
		if err := s.UpdatePerson(ctx, carol, ev); err != nil {
			t.Fatal(err)
		}
		carol.Name = "Bob"
		var pt *agentgate.PersonTaken
		if err := s.UpdatePerson(ctx, carol, ev); !errors.As(err, &pt) || pt.Field != "name" {
			t.Errorf("rename to a taken name: %v, want name taken", err)
		}
		carol.Name = "carol"

		// Deleting keeps the row, detaches the person's keys and frees the name.
		k := newKey("key_a", t0)
		k.PersonID = "per_a"
		if err := s.CreateKey(ctx, k, nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetKey(ctx, "key_a"); got.PersonID != "per_a" {
			t.Errorf("key person = %q, want per_a", got.PersonID)
		}
		if err := s.DeletePerson(ctx, "per_a", t0.Add(time.Hour), ev); err != nil {
			t.Fatal(err)
		}
		if err := s.DeletePerson(ctx, "per_a", t0.Add(time.Hour), ev); !errors.Is(err, agentgate.ErrNotFound) {
			t.Errorf("delete twice: %v, want ErrNotFound", err)
		}
		if got, _ := s.GetKey(ctx, "key_a"); got.PersonID != "" {
			t.Errorf("a deleted person's key still belongs to %q", got.PersonID)
		}
		if got, err := s.GetPerson(ctx, "per_a"); err != nil || got.DeletedAt == nil || !got.DeletedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("deleted person reads %+v, %v", got, err)
		}
		if err := s.UpdatePerson(ctx, ana, ev); !errors.Is(err, agentgate.ErrNotFound) {
			t.Errorf("update a deleted person: %v, want ErrNotFound", err)
		}
		k.PersonID = "per_a"
		if err := s.UpdateKey(ctx, k, ev); !errors.Is(err, agentgate.ErrNotFound) {
			t.Errorf("give a key to a deleted person: %v, want ErrNotFound", err)
		}
		if err := s.CreatePerson(ctx, newPerson("per_d", "ana", "ana@example.com", t0), ev); err != nil {
			t.Errorf("the name and address of a deleted person are free: %v", err)
		}

		all, err := s.AllPeople(ctx)
		if err != nil || fmt.Sprint(ids(all)) != "[per_d per_b per_c]" {
			t.Errorf("AllPeople = %v, %v; want [per_d per_b per_c] by name", ids(all), err)
		}
		page, total, err := s.ListPeople(ctx, agentgate.Page{Limit: 2, Offset: 1})
		if err != nil || fmt.Sprint(ids(page)) != "[per_b per_c]" || total != 3 {
			t.Errorf("ListPeople = %v total %d, %v", ids(page), total, err)
		}
		// The writes that succeeded (4 creates, an update, a delete) share ev's type; the
		// refused ones wrote no event.
		assertAuditTypes(t, s, agentgate.EventPersonCreated, 6)
	})
}

// assertAuditTypes checks n events of type typ were written.
func assertAuditTypes(t *testing.T, s *db.Store, typ string, n int) {
	t.Helper()
	_, total, err := s.ListAudit(context.Background(), agentgate.AuditFilter{EventType: typ})
	if err != nil || total != n {
		t.Errorf("%d %s events, %v; want %d", total, typ, err, n)
	}
}

func TestDecisionLinks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		link := func(id, recipient, decision, hash string, expires time.Time) agentgate.DecisionLink {
			return agentgate.DecisionLink{ID: id, RequestID: "req_1", DeliveryID: "dlv_1", Recipient: recipient,
				Decision: decision, TokenHash: hash, CreatedAt: t0, ExpiresAt: expires}
		}
		approve := link("dln_1", "Ana@Example.com", agentgate.DecisionApproved, "h1", t0.Add(time.Hour))
		deny := link("dln_2", "ana@example.com", agentgate.DecisionDenied, "h2", t0.Add(time.Hour))
		other := link("dln_3", "bob@example.com", agentgate.DecisionApproved, "h3", t0.Add(time.Hour))
		if err := s.SaveDecisionLinks(ctx, []agentgate.DecisionLink{approve, deny, other}); err != nil {
			t.Fatal(err)
		}
		got, err := s.DecisionLinkByHash(ctx, "h1")
		approve.Recipient = "ana@example.com" // stored lowercase
		if err != nil || !reflect.DeepEqual(*got, approve) {
			t.Errorf("DecisionLinkByHash = %+v, %v; want %+v", got, err, approve)
		}
		if _, err := s.DecisionLinkByHash(ctx, "nope"); !errors.Is(err, agentgate.ErrNotFound) {
			t.Errorf("unknown hash: %v", err)
		}

		// Saving again (a retried email) keeps the row and moves the expiry.
		again := link("dln_9", "ana@example.com", agentgate.DecisionApproved, "h1", t0.Add(2*time.Hour))
		if err := s.SaveDecisionLinks(ctx, []agentgate.DecisionLink{again}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.DecisionLinkByHash(ctx, "h1"); got.ID != "dln_1" || !got.ExpiresAt.Equal(t0.Add(2*time.Hour)) {
			t.Errorf("saved again: %+v", got)
		}

		// Spending one recipient's links spends both, and no one else's.
		n, err := s.SpendDecisionLinks(ctx, "req_1", "ANA@example.com", t0.Add(time.Minute))
		if err != nil || n != 2 {
			t.Errorf("spent %d, %v; want 2", n, err)
		}
		if n, _ := s.SpendDecisionLinks(ctx, "req_1", "ana@example.com", t0.Add(2*time.Minute)); n != 0 {
			t.Errorf("spent again: %d", n)
		}
		for hash, used := range map[string]bool{"h1": true, "h2": true, "h3": false} {
			if got, _ := s.DecisionLinkByHash(ctx, hash); (got.UsedAt != nil) != used {
				t.Errorf("link %s used = %v, want %v", hash, got.UsedAt, used)
			}
		}
		// A used link keeps its expiry when its email is sent again.
		if err := s.SaveDecisionLinks(ctx, []agentgate.DecisionLink{link("dln_8", "ana@example.com", agentgate.DecisionDenied, "h2", t0.Add(5*time.Hour))}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.DecisionLinkByHash(ctx, "h2"); !got.ExpiresAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("a used link's expiry moved to %v", got.ExpiresAt)
		}

		if n, err := s.DeleteDecisionLinksBefore(ctx, t0.Add(90*time.Minute), 10); err != nil || n != 2 {
			t.Errorf("deleted %d, %v; want the two links that expired", n, err)
		}
	})
}
