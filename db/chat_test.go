package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

func TestChatMessages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		saved := []agentgate.ChatMessage{
			{RequestID: "req_1", Platform: agentgate.ChannelSlack, Channel: "C1", MessageID: "1700000000.000100", CreatedAt: t0},
			{RequestID: "req_1", Platform: agentgate.ChannelSlack, Channel: "C2", MessageID: "1700000000.000200", CreatedAt: t0.Add(time.Second)},
			{RequestID: "req_1", Platform: agentgate.ChannelDiscord, Channel: "99", MessageID: "123", CreatedAt: t0},
			{RequestID: "req_2", Platform: agentgate.ChannelSlack, Channel: "C1", MessageID: "1700000000.000300", CreatedAt: t0},
		}
		for _, m := range saved {
			if err := s.SaveChatMessage(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		// A retried post that records the same message again keeps the first record.
		again := saved[0]
		again.CreatedAt = t0.Add(time.Hour)
		if err := s.SaveChatMessage(ctx, again); err != nil {
			t.Fatalf("saving a message twice: %v", err)
		}
		got, err := s.ChatMessages(ctx, "req_1", agentgate.ChannelSlack)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != saved[0] || got[1] != saved[1] {
			t.Errorf("slack messages of req_1 = %+v, want the first two saved", got)
		}
		got, err = s.ChatMessages(ctx, "req_3", agentgate.ChannelSlack)
		if err != nil || got == nil || len(got) != 0 {
			t.Errorf("messages of an unknown request = %v, %v; want an empty list", got, err)
		}
	})
}
