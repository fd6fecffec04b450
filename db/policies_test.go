package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

func newPolicy(id string, priority int) *agentgate.Policy {
	return &agentgate.Policy{ID: id, Name: "policy " + id, Description: "d", Priority: priority,
		Enabled: true, CreatedAt: t0, UpdatedAt: t0,
		Rules: []agentgate.Rule{{
			Match:    map[string]json.RawMessage{"action": json.RawMessage(`{"$in":["a","b"]}`)},
			Decision: agentgate.RouteToHuman, Approvers: []string{"x@example.com"}, RequiredApprovals: 2,
		}, {Match: map[string]json.RawMessage{}, Decision: agentgate.AutoDeny}}}
}

// assertPolicy compares policies, with match values compared as JSON.
func assertPolicy(t *testing.T, want, got *agentgate.Policy) {
	t.Helper()
	norm := func(p agentgate.Policy) string {
		for i, r := range p.Rules {
			m := map[string]json.RawMessage{}
			for k, v := range r.Match {
				m[k] = json.RawMessage(normJSON(t, v))
			}
			p.Rules[i].Match = m
		}
		b, _ := json.Marshal(p)
		return string(b)
	}
	w, g := *want, *got
	w.Rules, g.Rules = append([]agentgate.Rule(nil), w.Rules...), append([]agentgate.Rule(nil), g.Rules...)
	if norm(w) != norm(g) {
		t.Errorf("policy mismatch\n got: %s\nwant: %s", norm(g), norm(w))
	}
}

func TestPolicies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		for _, p := range []*agentgate.Policy{newPolicy("pol_b", 10), newPolicy("pol_c", 5), newPolicy("pol_a", 10)} {
			if err := s.CreatePolicy(ctx, p, newEvent(nil, agentgate.EventPolicyCreated, "admin", t0)); err != nil {
				t.Fatal(err)
			}
		}
		list, err := s.ListPolicies(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(list)) != "[pol_c pol_a pol_b]" {
			t.Errorf("order = %v, want by priority then id", ids(list))
		}
		got, err := s.GetPolicy(ctx, "pol_a")
		if err != nil {
			t.Fatal(err)
		}
		assertPolicy(t, newPolicy("pol_a", 10), got)

		// Update replaces everything but ID and CreatedAt.
		upd := newPolicy("pol_a", 1)
		upd.Name, upd.Enabled, upd.Rules, upd.UpdatedAt = "renamed", false, nil, t0.Add(time.Hour)
		upd.CreatedAt = t0.Add(time.Hour) // ignored
		if err := s.UpdatePolicy(ctx, upd, newEvent(nil, agentgate.EventPolicyUpdated, "admin", t0)); err != nil {
			t.Fatal(err)
		}
		got, _ = s.GetPolicy(ctx, "pol_a")
		upd.CreatedAt, upd.Rules = t0, []agentgate.Rule{}
		if !reflect.DeepEqual(upd, got) {
			t.Errorf("after update\n got: %+v\nwant: %+v", got, upd)
		}

		if err := s.DeletePolicy(ctx, "pol_b", newEvent(nil, agentgate.EventPolicyDeleted, "admin", t0)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetPolicy(ctx, "pol_b"); !errors.Is(err, agentgate.ErrNotFound) {
			t.Errorf("deleted policy: %v, want ErrNotFound", err)
		}
		ev := newEvent(nil, agentgate.EventPolicyDeleted, "admin", t0)
		if err := s.DeletePolicy(ctx, "pol_b", ev); !errors.Is(err, agentgate.ErrNotFound) {
			t.Errorf("delete missing: %v, want ErrNotFound", err)
		}
		if err := s.UpdatePolicy(ctx, newPolicy("pol_x", 1), ev); !errors.Is(err, agentgate.ErrNotFound) {
			t.Errorf("update missing: %v, want ErrNotFound", err)
		}
		if err := s.CreatePolicy(ctx, newPolicy("pol_c", 1), ev); agentgate.ErrorKind(err) != agentgate.KindConflict {
			t.Errorf("duplicate create: %v, want a conflict", err)
		}
		evs, total, _ := s.ListAudit(ctx, agentgate.AuditFilter{})
		if total != 5 || len(evs) != 5 {
			t.Errorf("audit has %d events, want 5 (3 created, updated, deleted; none for failures)", total)
		}
	})
}
