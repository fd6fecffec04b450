package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

func TestAudit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		r1, r2 := newRequest("req_1", t0), newRequest("req_2", t0)
		r2.Action = "deploy"
		at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
		events := []agentgate.AuditEvent{
			newEvent(r1, agentgate.EventRequestCreated, "bot", at(0)),
			newEvent(r2, agentgate.EventRequestCreated, "bot", at(1)),
			newEvent(r1, agentgate.EventRequestApproved, "ops@example.com", at(2)),
			newEvent(nil, agentgate.EventLogin, "ops@example.com", at(3)),
			newEvent(r2, agentgate.EventRequestDenied, "slack:U1", at(4)),
			newEvent(r2, agentgate.EventRequestVoted, "slack:U1", at(4)), // same time: id orders
		}
		if err := s.AppendAudit(ctx, events[:3]); err != nil {
			t.Fatal(err)
		}
		if err := s.AppendAudit(ctx, events[3:]); err != nil {
			t.Fatal(err)
		}
		if err := s.AppendAudit(ctx, nil); err != nil {
			t.Fatal(err)
		}
		e := func(i ...int) string {
			out := make([]string, len(i))
			for j, n := range i {
				out[j] = events[n].ID
			}
			return fmt.Sprint(out)
		}
		tests := []struct {
			name  string
			f     agentgate.AuditFilter
			want  string
			total int
		}{
			{"all newest first", agentgate.AuditFilter{}, e(5, 4, 3, 2, 1, 0), 6},
			{"paged", agentgate.AuditFilter{Page: agentgate.Page{Limit: 2, Offset: 1}}, e(4, 3), 6},
			{"event type", agentgate.AuditFilter{EventType: agentgate.EventRequestCreated}, e(1, 0), 2},
			{"action", agentgate.AuditFilter{Action: "deploy"}, e(5, 4, 1), 3},
			{"actor", agentgate.AuditFilter{Actor: "ops@example.com"}, e(3, 2), 2},
			{"request", agentgate.AuditFilter{RequestID: "req_1"}, e(2, 0), 2},
			{"from to", agentgate.AuditFilter{From: at(1), To: at(4)}, e(3, 2, 1), 3},
			{"combined", agentgate.AuditFilter{Actor: "slack:U1", EventType: agentgate.EventRequestDenied}, e(4), 1},
		}
		for _, tt := range tests {
			got, total, err := s.ListAudit(ctx, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if fmt.Sprint(ids(got)) != tt.want || total != tt.total {
				t.Errorf("%s: got %v total %d, want %s total %d", tt.name, ids(got), total, tt.want, tt.total)
			}
		}

		trail, err := s.RequestAudit(ctx, "req_2")
		if err != nil {
			t.Fatal(err)
		}
		assertEvents(t, []agentgate.AuditEvent{events[1], events[4], events[5]}, trail)
		login, _, _ := s.ListAudit(ctx, agentgate.AuditFilter{EventType: agentgate.EventLogin})
		assertEvents(t, events[3:4], login)

		actors, err := s.AuditActors(ctx)
		if err != nil || fmt.Sprint(actors) != "[bot ops@example.com slack:U1]" {
			t.Errorf("actors = %v, %v", actors, err)
		}
		actions, err := s.AuditActions(ctx)
		if err != nil || fmt.Sprint(actions) != "[deploy send_email]" {
			t.Errorf("actions = %v, %v", actions, err)
		}
	})
}

func TestAuditEmpty(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		actors, err := s.AuditActors(ctx)
		if err != nil || actors == nil || len(actors) != 0 {
			t.Errorf("actors of an empty log = %#v, %v; want []", actors, err)
		}
		list, total, err := s.ListAudit(ctx, agentgate.AuditFilter{})
		if err != nil || len(list) != 0 || total != 0 {
			t.Errorf("empty log = %v %d %v", list, total, err)
		}
	})
}
