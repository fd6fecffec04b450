package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// A minute counts calls up to the allowance and no further; minutes and keys are counted
// apart, and old minutes can be deleted.
func TestRateWindows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		minute := t0.Truncate(time.Minute)
		for i, want := range []struct {
			n       int
			counted bool
		}{{1, true}, {2, true}, {3, true}, {0, false}, {0, false}} {
			n, counted, err := s.CountCall(ctx, "key_a", minute, 3)
			if err != nil || counted != want.counted || (counted && n != want.n) {
				t.Errorf("call %d: %d, %v, %v; want %d, %v", i+1, n, counted, err, want.n, want.counted)
			}
		}
		// A raised allowance (the previous minute's weight falling) counts more.
		if n, counted, err := s.CountCall(ctx, "key_a", minute, 4); err != nil || !counted || n != 4 {
			t.Errorf("with allowance 4: %d, %v, %v", n, counted, err)
		}
		if _, counted, err := s.CountCall(ctx, "key_a", minute.Add(time.Minute), 0); err != nil || counted {
			t.Errorf("with no allowance: counted %v, %v", counted, err)
		}
		if n, counted, err := s.CountCall(ctx, "key_b", minute, 3); err != nil || !counted || n != 1 {
			t.Errorf("another key: %d, %v, %v", n, counted, err)
		}
		if n, counted, err := s.CountCall(ctx, "key_a", minute.Add(time.Minute), 3); err != nil || !counted || n != 1 {
			t.Errorf("the next minute: %d, %v, %v", n, counted, err)
		}
		for _, c := range []struct {
			key    string
			minute time.Time
			want   int
		}{{"key_a", minute, 4}, {"key_b", minute, 1}, {"key_a", minute.Add(time.Minute), 1}, {"key_c", minute, 0}} {
			if n, err := s.CallsIn(ctx, c.key, c.minute); err != nil || n != c.want {
				t.Errorf("CallsIn(%s, %v) = %d, %v; want %d", c.key, c.minute, n, err, c.want)
			}
		}
		if n, err := s.DeleteRateWindowsBefore(ctx, minute.Add(time.Minute)); err != nil || n != 2 {
			t.Errorf("delete: %d, %v; want the first minute's 2 rows", n, err)
		}
		if n, _ := s.CallsIn(ctx, "key_a", minute); n != 0 {
			t.Errorf("a deleted minute still counts %d", n)
		}
	})
}
