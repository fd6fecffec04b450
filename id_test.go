package agentgate_test

import (
	"strings"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

// FirstID is the bound below which lie exactly the IDs of earlier milliseconds: the
// ULID specification's example time, ordering, and IDs NewID makes.
func TestFirstIDBoundsCreationTimes(t *testing.T) {
	spec := time.UnixMilli(1469918176385) // 01ARYZ6S41TSV4RRFFQ69G5FAV's time
	if got, want := ag.FirstID("x", spec), "x_01ARYZ6S41"+strings.Repeat("0", 16); got != want {
		t.Fatalf("FirstID = %s, want %s", got, want)
	}
	a, b := ag.FirstID("dlv", spec), ag.FirstID("dlv", spec.Add(time.Millisecond))
	if a >= b {
		t.Fatalf("FirstID does not grow with time: %s, then %s", a, b)
	}
	now := time.Now()
	if id, first := ag.NewID("dlv", now), ag.FirstID("dlv", now); id < first {
		t.Fatalf("NewID %s sorts below FirstID %s of its own time", id, first)
	}
}
