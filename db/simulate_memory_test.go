package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
)

// TestSimulateMemory replays 10,000 stored requests with about 900 KB of params each (9 GB)
// through Gate.Simulate on SQLite and logs the peak RSS of the replay alone (the seeding's
// peak is reset first). It writes 9 GB, so it runs only when AGENTGATE_SIMULATE_MEMORY
// names a database file; a file already seeded is reused, so a second run measures a
// fresh process, as a server would be:
//
//	AGENTGATE_SIMULATE_MEMORY=/tmp/sim.db go test -run TestSimulateMemory -v -timeout 30m ./db/
//
// It asserts nothing about time; it fails if the replay adds 100 MB or more to the RSS.
func TestSimulateMemory(t *testing.T) {
	path := os.Getenv("AGENTGATE_SIMULATE_MEMORY")
	if path == "" {
		t.Skip("set AGENTGATE_SIMULATE_MEMORY to a file to write 9 GB there and measure")
	}
	debug.SetGCPercent(200) // as agentgate serve runs
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("AGENTGATE_SIMULATE_REQUESTS")); err == nil {
		n = v // fewer, to try a change quickly
	}
	ctx := context.Background()
	s, err := db.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	params := largeParams(900 << 10)
	stored, err := s.CountRequests(ctx, agentgate.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for i := stored; i < n; i += 20 {
		batch := make([]*agentgate.Request, 0, 20)
		for j := i; j < min(i+20, n); j++ {
			r := newRequest(fmt.Sprintf("req_%06d", j), t0.Add(time.Duration(j)*time.Millisecond))
			r.Params = params
			batch = append(batch, r)
		}
		if err := db.BulkInsertRequests(s, batch); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	debug.FreeOSMemory()
	before := rss(t, "VmRSS")
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Fatalf("reset the peak RSS: %v", err)
	}
	g := agentgate.NewGate(s, agentgate.Options{})
	draft := agentgate.Policy{Name: "draft", Enabled: true, Rules: []agentgate.Rule{{
		Match: map[string]json.RawMessage{"params.items": json.RawMessage(`{"$exists": true}`)}, Decision: agentgate.AutoApprove}}}
	sim, err := g.Simulate(ctx, draft, t0, t0.Add(time.Duration(n)*time.Millisecond))
	if err != nil || sim.Evaluated != n || sim.Changed != n {
		t.Fatalf("simulated %+v, %v", sim, err)
	}
	peak := rss(t, "VmHWM")
	t.Logf("replayed %d requests of %d KB params: RSS %d MB before, peak %d MB during", n, len(params)>>10, before>>20, peak>>20)
	if peak-before >= 100<<20 {
		t.Errorf("the replay added %d MB to the RSS, want under 100 MB", (peak-before)>>20)
	}
}

// largeParams returns a JSON object of about size bytes: a list of small records.
func largeParams(size int) json.RawMessage {
	var b strings.Builder
	b.WriteString(`{"items":[`)
	for i := 0; b.Len() < size-100; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"sku":"SKU-%06d","qty":%d,"price":%d.99,"note":"line item %d"}`, i, i, i%7+1, i%500, i)
	}
	b.WriteString(`]}`)
	return json.RawMessage(b.String())
}

// rss reads a size in bytes from /proc/self/status (VmRSS, VmHWM).
func rss(t *testing.T, field string) int64 {
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(st), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}
