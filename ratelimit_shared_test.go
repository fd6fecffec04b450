package agentgate_test

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// Two gates over two stores of one PostgreSQL database, as two instances run: a key's
// limit of N allows N calls across both, not N on each, and the sliding window carries the
// previous minute over on both.
func TestRateLimitSharedAcrossInstances(t *testing.T) {
	url := dbtest.PostgresURL(t) // skips without AGENTGATE_TEST_POSTGRES_URL
	clock := &testClock{t: t0.Add(15 * time.Second)}
	var gates [2]*ag.Gate
	for i := range gates {
		s := openInstance(t, url)
		gates[i] = ag.NewGate(s, ag.Options{Clock: clock, RateWindows: s})
	}
	const limit = 20
	n := limit
	key := &ag.APIKey{ID: "key_shared", RateLimit: &n}
	allowedCalls := func(calls int) int {
		var allowed atomic.Int32
		var wg sync.WaitGroup
		for i := range calls {
			wg.Go(func() {
				st, err := gates[i%2].CheckRate(context.Background(), key)
				if err != nil {
					t.Error(err)
				}
				if st.Allowed {
					allowed.Add(1)
				}
			})
		}
		wg.Wait()
		return int(allowed.Load())
	}
	if got := allowedCalls(3 * limit); got != limit {
		t.Errorf("%d calls allowed across two instances, want the limit of %d", got, limit)
	}
	// Halfway through the next minute the previous one still weighs half.
	clock.Advance(time.Minute + 15*time.Second)
	if got := allowedCalls(3 * limit); got != limit/2 {
		t.Errorf("halfway through the next minute %d calls allowed, want %d", got, limit/2)
	}
	st, err := gates[0].CheckRate(bg, key)
	if err != nil || st.Allowed || st.Limit != limit || st.RetryAfter != 30 || st.Reset != 30 {
		t.Errorf("over the limit: %+v, %v", st, err)
	}
}

// openInstance opens and migrates a store of its own on the database at url, as each
// instance of a deployment does.
func openInstance(t *testing.T, url string) *db.Store {
	t.Helper()
	s, err := db.Open(bg, url, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(bg); err != nil {
		t.Fatal(err)
	}
	return s
}

// failingWindows is shared rate windows whose database fails the reads or the writes.
type failingWindows struct{ reads, writes bool }

var errWindowsDown = ag.Errorf(ag.KindUnavailable, "database_unavailable", "the database is down")

func (w failingWindows) CountCall(context.Context, string, time.Time, int) (int, bool, error) {
	if w.writes {
		return 0, false, errWindowsDown
	}
	return 1, true, nil
}

func (w failingWindows) CallsIn(context.Context, string, time.Time) (int, error) {
	if w.reads {
		return 0, errWindowsDown
	}
	return 0, nil
}

func (failingWindows) DeleteRateWindowsBefore(context.Context, time.Time) (int, error) { return 0, nil }

// A limited key's call is refused, never allowed, when the shared windows cannot be read or
// written: the limit cannot be told.
func TestRateLimitSharedFailsClosed(t *testing.T) {
	n := 20
	key := &ag.APIKey{ID: "key_shared", RateLimit: &n}
	for _, w := range []failingWindows{{reads: true}, {writes: true}} {
		g := ag.NewGate(nil, ag.Options{Clock: &testClock{t: t0}, RateWindows: w})
		if st, err := g.CheckRate(bg, key); err == nil || st.Allowed {
			t.Errorf("%+v: CheckRate = %+v, %v; want an error and no allowance", w, st, err)
		}
	}
}
