package agentgate

import (
	"strings"
	"testing"
	"time"
)

// TestVotesAndOwnershipFollowTheID: who has voted and who owns a request is decided by
// the key's id; records without an id (stored before migration 00004) fall back to names.
func TestVotesAndOwnershipFollowTheID(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	alice := Actor{ID: "key_alice", Name: "alice", Type: ActorAPIKey}
	renamed := Actor{ID: "key_alice", Name: "alice-2", Type: ActorAPIKey}
	newAlice := Actor{ID: "key_new", Name: "alice", Type: ActorAPIKey}
	tests := []struct {
		name     string
		votes    []Vote
		voter    Actor
		wantCode string
	}{
		{"renamed key votes again", []Vote{{Voter: "alice", VoterID: "key_alice", Decision: DecisionApproved}}, renamed, "already_voted"},
		{"same key votes again", []Vote{{Voter: "alice", VoterID: "key_alice", Decision: DecisionApproved}}, alice, "already_voted"},
		{"another key took the name", []Vote{{Voter: "alice", VoterID: "key_alice", Decision: DecisionApproved}}, newAlice, ""},
		{"vote before 00004, same name", []Vote{{Voter: "alice", Decision: DecisionApproved}}, newAlice, "already_voted"},
		{"vote before 00004, other name", []Vote{{Voter: "alice", Decision: DecisionApproved}}, renamed, ""},
		{"identity without an id", []Vote{{Voter: "alice", VoterID: "key_alice", Decision: DecisionApproved}}, Actor{Name: "alice"}, "already_voted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Request{ID: "req_1", Status: StatusPending, ExpiresAt: now.Add(time.Hour), RequiredApprovals: 3, Votes: tt.votes}
			_, err := r.ApplyDecision(Decide{Decision: DecisionApproved, Actor: tt.voter}, now)
			if ErrorCode(err) != tt.wantCode && !(tt.wantCode == "" && err == nil) {
				t.Fatalf("err = %v, want code %q", err, tt.wantCode)
			}
			if err == nil && r.Votes[len(r.Votes)-1].VoterID != tt.voter.ID {
				t.Errorf("the vote records id %q, want %q", r.Votes[len(r.Votes)-1].VoterID, tt.voter.ID)
			}
		})
	}

	owned := &Request{CreatedBy: "alice", CreatedByID: "key_alice"}
	legacy := &Request{CreatedBy: "alice"}
	for _, tc := range []struct {
		r    *Request
		by   Actor
		want bool
	}{{owned, alice, true}, {owned, renamed, true}, {owned, newAlice, false}, {legacy, newAlice, true}, {legacy, renamed, false}} {
		if got := tc.r.OwnedBy(tc.by); got != tc.want {
			t.Errorf("request by %q (%q) owned by %+v = %v, want %v", tc.r.CreatedBy, tc.r.CreatedByID, tc.by, got, tc.want)
		}
	}
}

func TestClaimedDeciderIsChecked(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for claim, code := range map[string]string{"someone": "", strings.Repeat("x", MaxClaimLen+1): "invalid_decided_by", "nul\x00": "invalid_text"} {
		r := &Request{ID: "req_1", Status: StatusPending, ExpiresAt: now.Add(time.Hour)}
		_, err := r.ApplyDecision(Decide{Decision: DecisionApproved, Actor: Actor{ID: "key_a", Name: "a"}, ClaimedBy: claim}, now)
		if ErrorCode(err) != code && !(code == "" && err == nil) {
			t.Errorf("claim %.10q: %v, want code %q", claim, err, code)
		}
	}
}

func TestIdempotencyKeyAndFingerprint(t *testing.T) {
	for key, ok := range map[string]bool{"a": true, "550e8400-e29b-41d4-a716-446655440000": true, "with space": true,
		strings.Repeat("k", MaxIdempotencyKeyLen): true, "": false, strings.Repeat("k", MaxIdempotencyKeyLen+1): false,
		"new\nline": false, "\x7f": false, "é": false} {
		if err := CheckIdempotencyKey(key); (err == nil) != ok || err != nil && ErrorCode(err) != "invalid_idempotency_key" {
			t.Errorf("key %.12q: %v, want ok = %v", key, err, ok)
		}
	}
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	fp := func(in NewRequest) string {
		t.Helper()
		v, err := in.Validate(time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return fingerprint(v)
	}
	base := fp(NewRequest{Action: "deploy", Params: []byte(`{"env":"prod"}`), ExpiresAt: &at})
	same := []NewRequest{
		{Action: "deploy", Params: []byte(" { \"env\" : \"prod\" } "), Urgency: "normal", Context: []byte("null"), ExpiresAt: &at},
		{Action: "deploy", Params: []byte(`{"env":"prod"}`), ExpiresAt: new(at.In(time.FixedZone("x", 3600)))},
	}
	for _, in := range same {
		if fp(in) != base {
			t.Errorf("%+v has another fingerprint than the same request written otherwise", in)
		}
	}
	later := at.Add(time.Second)
	other := []NewRequest{
		{Action: "deploy", Params: []byte(`{"env":"prod"}`)},
		{Action: "deploy", Params: []byte(`{"env":"dev"}`), ExpiresAt: &at},
		{Action: "deploy", Params: []byte(`{"env":"prod"}`), Urgency: "high", ExpiresAt: &at},
		{Action: "deploy", Params: []byte(`{"env":"prod"}`), Context: []byte(`{"a":1}`), ExpiresAt: &at},
		{Action: "deploy", Params: []byte(`{"env":"prod"}`), ExpiresAt: &later},
		{Action: "deploy2", Params: []byte(`{"env":"prod"}`), ExpiresAt: &at},
	}
	for _, in := range other {
		if fp(in) == base {
			t.Errorf("%+v has the fingerprint of another request", in)
		}
	}
}
