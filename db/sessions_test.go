package db_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

var sessionT0 = time.Date(2026, 5, 6, 7, 8, 9, 123456000, time.UTC)

func sessionEvent(typ string, at time.Time) agentgate.AuditEvent {
	return agentgate.AuditEvent{ID: agentgate.NewID("evt", at), EventType: typ, Actor: "alice",
		ActorType: agentgate.ActorAPIKey, Details: []byte(`{}`), CreatedAt: at}
}

func TestSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		sess := &agentgate.Session{ID: "ses_1", TokenHash: "hash-1", KeyID: "key_1", CreatedAt: sessionT0,
			ExpiresAt: sessionT0.Add(agentgate.SessionLifetime)}
		if err := s.CreateSession(ctx, sess, sessionEvent(agentgate.EventLogin, sessionT0)); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetSessionByHash(ctx, "hash-1")
		if err != nil || !reflect.DeepEqual(sess, got) {
			t.Fatalf("GetSessionByHash = %+v, %v; want %+v", got, err, sess)
		}
		if _, err := s.GetSessionByHash(ctx, "nope"); !errors.Is(err, agentgate.ErrNotFound) {
			t.Errorf("missing session: %v", err)
		}
		end := sessionT0.Add(time.Hour)
		if err := s.EndSession(ctx, "ses_1", end, sessionEvent(agentgate.EventLogout, end)); err != nil {
			t.Fatal(err)
		}
		// Ending again changes nothing and logs nothing.
		if err := s.EndSession(ctx, "ses_1", end.Add(time.Hour), sessionEvent(agentgate.EventLogout, end)); err != nil {
			t.Fatal(err)
		}
		got, _ = s.GetSessionByHash(ctx, "hash-1")
		if got.EndedAt == nil || !got.EndedAt.Equal(end) {
			t.Errorf("EndedAt = %v, want %v", got.EndedAt, end)
		}
		if err := s.EndSession(ctx, "ses_missing", end, sessionEvent(agentgate.EventLogout, end)); !errors.Is(err, agentgate.ErrNotFound) {
			t.Errorf("ending a missing session: %v", err)
		}
		evs, _, err := s.ListAudit(ctx, agentgate.AuditFilter{EventType: agentgate.EventLogout})
		if err != nil || len(evs) != 1 {
			t.Errorf("logout events = %+v, %v; want 1", evs, err)
		}
	})
}

func TestEnsureSetting(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		first, err := s.EnsureSetting(ctx, "session_secret", "one")
		if err != nil || first != "one" {
			t.Fatalf("first = %q, %v", first, err)
		}
		second, err := s.EnsureSetting(ctx, "session_secret", "two")
		if err != nil || second != "one" {
			t.Errorf("second = %q, %v; the first value must stay", second, err)
		}
	})
}

func TestRecentDecisions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		for i, status := range []agentgate.Status{agentgate.StatusApproved, agentgate.StatusPending, agentgate.StatusDenied, agentgate.StatusExpired} {
			at := sessionT0.Add(time.Duration(i) * time.Minute)
			r := &agentgate.Request{ID: agentgate.NewID("req", at), Action: "send_email", Params: []byte(`{}`), Context: []byte(`{}`),
				Urgency: agentgate.UrgencyNormal, Status: status, CreatedAt: at, UpdatedAt: at, ExpiresAt: at.Add(time.Hour),
				PolicyDecision: agentgate.DefaultOutcome(), RequiredApprovals: 1, Votes: []agentgate.Vote{}}
			if status != agentgate.StatusPending {
				decided := at.Add(time.Second)
				r.DecidedAt, r.DecidedBy = &decided, "alice"
			}
			if err := s.CreateRequest(ctx, r, agentgate.Effects{}); err != nil {
				t.Fatal(err)
			}
		}
		// Decided by a policy on arrival, after all the others: not a recent decision.
		at := sessionT0.Add(time.Hour)
		auto := &agentgate.Request{ID: agentgate.NewID("req", at), Action: "read_file", Params: []byte(`{}`), Context: []byte(`{}`),
			Urgency: agentgate.UrgencyNormal, Status: agentgate.StatusApproved, CreatedAt: at, UpdatedAt: at, ExpiresAt: at.Add(time.Hour),
			DecidedAt: &at, DecidedBy: "policy", PolicyDecision: agentgate.DefaultOutcome(), RequiredApprovals: 1, Votes: []agentgate.Vote{}}
		if err := s.CreateRequest(ctx, auto, agentgate.Effects{}); err != nil {
			t.Fatal(err)
		}
		got, err := s.RecentDecisions(ctx, 2)
		if err != nil || len(got) != 2 || got[0].Status != agentgate.StatusExpired || got[1].Status != agentgate.StatusDenied {
			t.Errorf("RecentDecisions = %+v, %v; want expired then denied", got, err)
		}
	})
}

func TestDeleteSessionsBefore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		for i, tc := range []struct {
			id      string
			expires time.Duration // after sessionT0
			endedAt time.Duration // after sessionT0; 0 is still open
		}{
			{"ses_expired", -time.Hour, 0},
			{"ses_ended", time.Hour, -time.Minute},
			{"ses_live", time.Hour, 0},
			{"ses_ended_later", time.Hour, time.Minute},
		} {
			sess := &agentgate.Session{ID: tc.id, TokenHash: tc.id, KeyID: "key_1",
				CreatedAt: sessionT0.Add(-2 * time.Hour), ExpiresAt: sessionT0.Add(tc.expires)}
			ev := sessionEvent(agentgate.EventLogin, sessionT0.Add(time.Duration(i)))
			if err := s.CreateSession(ctx, sess, ev); err != nil {
				t.Fatal(err)
			}
			if tc.endedAt != 0 {
				at := sessionT0.Add(tc.endedAt)
				if err := s.EndSession(ctx, tc.id, at, sessionEvent(agentgate.EventLogout, at)); err != nil {
					t.Fatal(err)
				}
			}
		}
		n, err := s.DeleteSessionsBefore(ctx, sessionT0)
		if err != nil || n != 2 {
			t.Fatalf("deleted %d (%v), want the expired and the ended one", n, err)
		}
		for id, want := range map[string]bool{"ses_expired": false, "ses_ended": false, "ses_live": true, "ses_ended_later": true} {
			_, err := s.GetSessionByHash(ctx, id)
			if got := err == nil; got != want {
				t.Errorf("%s kept = %v, want %v (%v)", id, got, want, err)
			}
		}
	})
}
