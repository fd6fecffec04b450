package db_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
)

// t0 has microseconds, the precision the store keeps.
var t0 = time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)

var seq int

// newRequest returns a pending request created at at, with one of everything set.
func newRequest(id string, at time.Time) *agentgate.Request {
	rule := 0
	return &agentgate.Request{
		ID: id, Action: "send_email",
		Params:  json.RawMessage(`{"to":"a@example.com","n":1}`),
		Context: json.RawMessage(`{"agent":"bot"}`),
		Urgency: agentgate.UrgencyNormal, Status: agentgate.StatusPending,
		CreatedBy: "agent-key", CreatedAt: at, UpdatedAt: at, ExpiresAt: at.Add(time.Hour),
		PolicyDecision: agentgate.Outcome{Decision: agentgate.RouteToHuman, PolicyID: "pol_1",
			PolicyName: "mail", RuleIndex: &rule, OWASP: agentgate.DefaultOWASP,
			Approvers: []string{"ops@example.com"}},
		RequiredApprovals: 1,
		Votes:             []agentgate.Vote{},
	}
}

// newEvent returns an audit event about request r (nil for an admin event).
func newEvent(r *agentgate.Request, typ, actor string, at time.Time) agentgate.AuditEvent {
	seq++
	e := agentgate.AuditEvent{ID: fmt.Sprintf("evt_%s_%06d", at.Format("150405.000000"), seq),
		EventType: typ, Actor: actor, ActorType: agentgate.ActorAPIKey,
		Details: json.RawMessage(`{"k":"v"}`), CreatedAt: at}
	if r != nil {
		e.RequestID, e.Action, e.OWASP = r.ID, r.Action, r.PolicyDecision.OWASP
	}
	return e
}

// normJSON re-encodes JSON so that PostgreSQL's JSONB spacing compares equal.
func normJSON(t testing.TB, raw []byte) string {
	t.Helper()
	if len(raw) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("bad JSON %q: %v", raw, err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func assertRequest(t testing.TB, want, got *agentgate.Request) {
	t.Helper()
	w, g := *want, *got
	if normJSON(t, w.Params) != normJSON(t, g.Params) || normJSON(t, w.Context) != normJSON(t, g.Context) {
		t.Errorf("params/context = %s %s, want %s %s", g.Params, g.Context, w.Params, w.Context)
	}
	w.Params, w.Context, g.Params, g.Context = nil, nil, nil, nil
	if !reflect.DeepEqual(w, g) {
		t.Errorf("request mismatch\n got: %+v\nwant: %+v", g, w)
	}
}

func assertEvents(t testing.TB, want, got []agentgate.AuditEvent) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("got %d events %v, want %d %v", len(got), ids(got), len(want), ids(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if !bytes.Equal([]byte(normJSON(t, w.Details)), []byte(normJSON(t, g.Details))) {
			t.Errorf("event %d details = %s, want %s", i, g.Details, w.Details)
		}
		w.Details, g.Details = nil, nil
		if !reflect.DeepEqual(w, g) {
			t.Errorf("event %d mismatch\n got: %+v\nwant: %+v", i, g, w)
		}
	}
}

func ids[T any](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		switch x := any(v).(type) {
		case agentgate.Request:
			out[i] = x.ID
		case agentgate.AuditEvent:
			out[i] = x.ID
		case agentgate.APIKey:
			out[i] = x.ID
		case agentgate.Policy:
			out[i] = x.ID
		case agentgate.Person:
			out[i] = x.ID
		}
	}
	return out
}
