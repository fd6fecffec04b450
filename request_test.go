package agentgate

import (
	"testing"
	"time"
)

func TestApplyDecision(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	alice := Actor{Name: "alice", Type: ActorAPIKey}
	bob := Actor{Name: "bob", Type: ActorAPIKey}
	pending := func(mod func(*Request)) *Request {
		r := &Request{ID: "req_1", Status: StatusPending, ExpiresAt: now.Add(time.Hour), RequiredApprovals: 1}
		if mod != nil {
			mod(r)
		}
		return r
	}
	tests := []struct {
		name     string
		req      *Request
		decide   Decide
		at       time.Time
		wantType string
		wantCode string
		want     Status
	}{
		{"approve", pending(nil), Decide{Decision: "approved", Actor: alice}, now, EventRequestApproved, "", StatusApproved},
		{"deny", pending(nil), Decide{Decision: "denied", Actor: alice}, now, EventRequestDenied, "", StatusDenied},
		{"unknown decision", pending(nil), Decide{Decision: "maybe", Actor: alice}, now, "", "invalid_decision", StatusPending},
		{"already decided", pending(func(r *Request) { r.Status = StatusDenied }), Decide{Decision: "approved", Actor: alice}, now, "", "already_decided", StatusDenied},
		{"at expiry", pending(nil), Decide{Decision: "approved", Actor: alice}, now.Add(time.Hour), "", "request_expired", StatusPending},
		{"reason required", pending(func(r *Request) { r.PolicyDecision.RequireReason = true }), Decide{Decision: "approved", Actor: alice, Reason: "  "}, now, "", "reason_required", StatusPending},
		{"reason given", pending(func(r *Request) { r.PolicyDecision.RequireReason = true }), Decide{Decision: "approved", Actor: alice, Reason: "ok"}, now, EventRequestApproved, "", StatusApproved},
		{"not an approver", pending(func(r *Request) { r.PolicyDecision.Approvers = []string{"bob"} }), Decide{Decision: "approved", Actor: alice}, now, "", "not_an_approver", StatusPending},
		{"named approver", pending(func(r *Request) { r.PolicyDecision.Approvers = []string{"bob"} }), Decide{Decision: "approved", Actor: bob}, now, EventRequestApproved, "", StatusApproved},
		{"quorum short", pending(func(r *Request) { r.RequiredApprovals = 2 }), Decide{Decision: "approved", Actor: alice}, now, EventRequestVoted, "", StatusPending},
		{"quorum reached", pending(func(r *Request) {
			r.RequiredApprovals = 2
			r.Votes = []Vote{{Voter: "bob", Decision: "approved"}}
		}), Decide{Decision: "approved", Actor: alice}, now, EventRequestApproved, "", StatusApproved},
		{"quorum one deny decides", pending(func(r *Request) {
			r.RequiredApprovals = 3
			r.Votes = []Vote{{Voter: "bob", Decision: "approved"}}
		}), Decide{Decision: "denied", Actor: alice}, now, EventRequestDenied, "", StatusDenied},
		{"same voter twice", pending(func(r *Request) {
			r.RequiredApprovals = 2
			r.Votes = []Vote{{Voter: "alice", Decision: "approved"}}
		}), Decide{Decision: "approved", Actor: alice}, now, "", "already_voted", StatusPending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, err := tt.req.ApplyDecision(tt.decide, tt.at)
			if (err == nil) != (tt.wantCode == "") || err != nil && ErrorCode(err) != tt.wantCode {
				t.Fatalf("err = %v (code %s), want code %q", err, ErrorCode(err), tt.wantCode)
			}
			if typ != tt.wantType {
				t.Errorf("type = %q, want %q", typ, tt.wantType)
			}
			if tt.req.Status != tt.want {
				t.Errorf("status = %s, want %s", tt.req.Status, tt.want)
			}
			if tt.want != StatusPending && tt.wantCode == "" && (tt.req.DecidedBy != tt.decide.Actor.Name || tt.req.DecidedAt == nil) {
				t.Errorf("decidedBy = %q decidedAt = %v", tt.req.DecidedBy, tt.req.DecidedAt)
			}
		})
	}
}

func TestExpireAndCancel(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := &Request{ID: "req_1", Status: StatusPending, ExpiresAt: now.Add(time.Minute)}
	if err := r.Expire(now); ErrorCode(err) != "not_expired" {
		t.Fatalf("early expire: %v", err)
	}
	if err := r.Expire(now.Add(time.Minute)); err != nil || r.Status != StatusExpired || r.DecidedBy != "system" {
		t.Fatalf("expire: %v %s %s", err, r.Status, r.DecidedBy)
	}
	if err := r.Cancel(Actor{Name: "a"}, "", now); ErrorCode(err) != "already_decided" {
		t.Fatalf("cancel after expiry: %v", err)
	}
}

func TestValidateNewRequest(t *testing.T) {
	now := time.Now()
	past := now.Add(-time.Second)
	tests := []struct {
		name string
		in   NewRequest
		code string
	}{
		{"ok", NewRequest{Action: "send_email", Params: []byte(`{"to":"a@b"}`)}, ""},
		{"missing action", NewRequest{}, "missing_field"},
		{"padded action", NewRequest{Action: " x"}, "invalid_action"},
		{"bad urgency", NewRequest{Action: "x", Urgency: "soon"}, "invalid_urgency"},
		{"params array", NewRequest{Action: "x", Params: []byte(`[1]`)}, "invalid_params"},
		{"context string", NewRequest{Action: "x", Context: []byte(`"s"`)}, "invalid_context"},
		{"params not JSON", NewRequest{Action: "x", Params: []byte(`{"a":`)}, "invalid_params"},
		{"params two objects", NewRequest{Action: "x", Params: []byte(`{} {}`)}, "invalid_params"},
		{"null params", NewRequest{Action: "x", Params: []byte(`null`)}, ""},
		{"expiry in the past", NewRequest{Action: "x", ExpiresAt: &past}, "invalid_expires_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.in.Validate(now)
			if tt.code == "" && err != nil || tt.code != "" && ErrorCode(err) != tt.code {
				t.Fatalf("err = %v, want code %q", err, tt.code)
			}
		})
	}
}

func TestValidateNormalizes(t *testing.T) {
	in := NewRequest{Action: "x", Params: []byte(" {\"a\": [1, 2],\n \"b\": \"c d\"} "), Context: []byte("null")}
	out, err := in.Validate(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if string(out.Params) != `{"a":[1,2],"b":"c d"}` || string(out.Context) != `{}` || out.Urgency != "normal" {
		t.Fatalf("normalized to params %s, context %s, urgency %q", out.Params, out.Context, out.Urgency)
	}
	// Already compact, with space inside its strings: kept as it is.
	in.Params = []byte(` {"s":"a b","é":"ü \" {"} `)
	if out, err = in.Validate(time.Now()); err != nil || string(out.Params) != `{"s":"a b","é":"ü \" {"}` {
		t.Fatalf("compact params became %s, %v", out.Params, err)
	}
}

func TestNewIDSortsByTime(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b := NewID("req", t0), NewID("req", t0.Add(time.Millisecond))
	if len(a) != 30 || a[:4] != "req_" || !(a < b) {
		t.Fatalf("ids %s %s", a, b)
	}
}

func TestRateLimiter(t *testing.T) {
	l := NewRateLimiter()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		st := l.Allow("k", 3, t0.Add(time.Duration(i)*time.Second))
		if !st.Allowed || st.Remaining != 2-i {
			t.Fatalf("call %d: %+v", i, st)
		}
	}
	st := l.Allow("k", 3, t0.Add(10*time.Second))
	if st.Allowed || st.RetryAfter != 50 || st.Reset != 50 {
		t.Fatalf("4th call: %+v", st)
	}
	// Half way into the next minute, half of the previous minute's 3 calls (floored) still count.
	st = l.Allow("k", 3, t0.Add(90*time.Second))
	if !st.Allowed || st.Remaining != 1 {
		t.Fatalf("next minute: %+v", st)
	}
	// Two minutes on, nothing counts.
	if st := l.Allow("k", 3, t0.Add(3*time.Minute)); !st.Allowed || st.Remaining != 2 {
		t.Fatalf("later: %+v", st)
	}
}

func TestNewIDIsMonotonicWithinAMillisecond(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := NewID("evt", t0)
	for range 1000 {
		id := NewID("evt", t0)
		if id <= prev {
			t.Fatalf("%s after %s", id, prev)
		}
		prev = id
	}
}

func TestTextWithNULIsRefused(t *testing.T) {
	now := time.Now()
	r := &Request{ID: "req_1", Status: StatusPending, ExpiresAt: now.Add(time.Hour)}
	if _, err := r.ApplyDecision(Decide{Decision: "approved", Reason: "ok\x00", Actor: Actor{Name: "a"}}, now); ErrorCode(err) != "invalid_text" {
		t.Fatalf("reason with NUL: %v", err)
	}
	if err := validateKeyFields("bad\xff", []Scope{ScopeAdmin}, nil); ErrorCode(err) != "invalid_text" {
		t.Fatalf("name with invalid UTF-8: %v", err)
	}
	p := Policy{Name: "p\x00", Rules: []Rule{}}
	if err := ValidatePolicy(&p); ErrorCode(err) != "invalid_policy" {
		t.Fatalf("policy name with NUL: %v", err)
	}
}
