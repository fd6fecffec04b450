package handlers

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

func TestBackoffKeyGroupsIPv6ByNetwork(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{"2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:bbbb::2", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"::ffff:203.0.113.7", "::ffff:203.0.113.7"},
		{"not an address", "not an address"},
	} {
		if got := backoffKey(tc.addr); got != tc.want {
			t.Errorf("backoffKey(%q) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

// TestBackoffStaysBounded fails from more addresses than the table holds: it keeps at
// most maxTracked, and the newest address is still counted.
func TestBackoffStaysBounded(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	b := newAuthBackoff(func() time.Time { return now })
	for i := range maxTracked + 10 {
		addr := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		for range freeAttempts {
			b.fail(addr)
		}
		if b.wait(addr) == 0 {
			t.Fatalf("address %d is not held back after %d failures", i, freeAttempts)
		}
	}
	if n := b.tracked.Load(); n > maxTracked || n < 1 {
		t.Errorf("%d addresses tracked, want at most %d", n, maxTracked)
	}
}

// BenchmarkBackoffWait is the cost the backoff adds to every authenticated API call: a
// look-up of an address without failures, from many goroutines at once, while the table
// holds thousands of other addresses.
func BenchmarkBackoffWait(b *testing.B) {
	now := time.Now()
	bo := newAuthBackoff(func() time.Time { return now })
	for i := range 5000 {
		bo.fail(fmt.Sprintf("10.0.%d.%d", i>>8, i&255))
	}
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		addr := fmt.Sprintf("192.0.2.%d", n.Add(1))
		for pb.Next() {
			if bo.wait(addr) != 0 {
				b.Fatal("held back")
			}
		}
	})
}
