package views

import (
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

// TestTimelineShowsTheDecidingVoteOnce: the vote that decided a request is the decision's
// line, even when the stored decision time lost the vote's nanoseconds.
func TestTimelineShowsTheDecidingVoteOnce(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)
	stored := at.Truncate(time.Microsecond)
	r := &ag.Request{Status: ag.StatusApproved, CreatedBy: "agent", CreatedAt: at.Add(-time.Minute), DecidedBy: "alice", DecidedAt: &stored,
		Votes: []ag.Vote{{Voter: "alice", Decision: ag.DecisionApproved, CreatedAt: at}}}
	got := timelineOf(at, r)
	if len(got) != 2 || got[1].What != "Approved by alice" {
		t.Errorf("timeline %+v, want created and one approval", got)
	}
}
