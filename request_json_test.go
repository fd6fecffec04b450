package agentgate

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// Types with the same fields and no methods, for encoding/json's own encoding.
type (
	reflectRequest Request
	reflectOutcome Outcome
)

// wantJSON is encoding/json's encoding of r. The nested outcome still goes through
// Outcome.MarshalJSON there, so it is checked against encoding/json on its own first.
func wantJSON(t testing.TB, r Request) string {
	t.Helper()
	pd, err := json.Marshal(reflectOutcome(r.PolicyDecision))
	if err != nil {
		t.Fatal(err)
	}
	rb, err := json.Marshal(reflectRequest(r))
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.PolicyDecision.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(pd) {
		t.Fatalf("outcome: %s", jsonDiff(string(got), string(pd)))
	}
	return string(rb)
}

func sampleRequest() Request {
	created := time.Date(2026, 11, 27, 15, 4, 5, 123456000, time.UTC)
	decided := created.Add(1500 * time.Millisecond)
	idx := 2
	return Request{
		ID: "req_01JDX", Action: "send_email", Params: json.RawMessage(`{"to":"a@example.com","n":[1,2.5,null,true]}`),
		Context: json.RawMessage(`{}`), Urgency: UrgencyHigh, Status: StatusApproved, CreatedBy: "agent-1", CreatedByID: "key_01JDX",
		CreatedAt: created, UpdatedAt: decided, DecidedAt: &decided, DecidedBy: "policy", DecisionReason: "automatically approved",
		ExpiresAt: created.Add(time.Hour), RequiredApprovals: 2, Version: 3,
		PolicyDecision: Outcome{Decision: AutoApprove, PolicyID: "pol_1", PolicyName: "Safe reads", RuleIndex: &idx, OWASP: "LLM06",
			Approvers: []string{"ops@example.com", "b"}, Channels: []string{"slack"}, RequireReason: true, RequiredApprovals: 2},
		Votes: []Vote{{Voter: "alice", VoterID: "key_01A", Decision: "approved", Reason: "fine", CreatedAt: decided}, {Voter: "bob", Decision: "approved", CreatedAt: created}},
	}
}

func TestRequestJSONMatchesEncodingJSON(t *testing.T) {
	full := sampleRequest()
	empty := Request{}
	pending := sampleRequest()
	pending.DecidedAt, pending.DecidedBy, pending.DecisionReason, pending.Votes = nil, "", "", []Vote{}
	pending.PolicyDecision = DefaultOutcome()
	odd := sampleRequest()
	odd.Action = "a\"b\\c\n\t<script>&\u2028é\x01"
	odd.CreatedBy = "\xff\xfe invalid UTF-8"
	odd.Params = json.RawMessage(" { \"html\" : \"<b>&amp;</b>\",\n \"ls\": \"\u2028\", \"é\": 1 } ")
	odd.Context = nil
	odd.Votes = nil
	odd.UpdatedAt = time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))

	held := sampleRequest() // an approval held back by a rule that could not read the request
	held.PolicyDecision.Decision = RouteToHuman
	held.PolicyDecision.Hold = &Hold{Reason: `policy "<Pay>" rules[0] (auto_deny) could not read params.amount: got a string that is not a number; rules[1]'s auto_approve goes to a person instead`,
		Key: "params.amount", Problem: "got a string that is not a number", Decision: AutoDeny,
		Approval: RuleRef{PolicyID: "pol_1", PolicyName: "Zoë & <co>", RuleIndex: 1}}

	prose := sampleRequest() // compact, with space and non-ASCII text inside strings
	prose.Params = json.RawMessage(`{"subject":"Q3 report: caf\u00e9","to":"Zoë <z@example.com>","n":"a\"b c"}`)
	prose.Context = json.RawMessage(`{"note":"line\u2028break","k":"x y"}`)

	for name, r := range map[string]Request{"full": full, "empty": empty, "pending": pending, "odd": odd, "prose": prose, "held": held} {
		got, err := r.MarshalJSON()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := wantJSON(t, r); string(got) != want {
			t.Errorf("%s: encodes as\n%s\nencoding/json gives\n%s", name, got, want)
		}
		// Through encoding/json (lists, wrapped answers) the bytes are the same.
		viaEncoder, err := json.Marshal(r)
		if err != nil || string(viaEncoder) != string(got) {
			t.Errorf("%s: json.Marshal gives %s, %v", name, viaEncoder, err)
		}
	}
}

// Every field of Request, Outcome and Vote, set, is encoded as encoding/json encodes it:
// a field added to one of them and not to the hand encoder fails here, whatever the samples
// above set.
func TestRequestJSONEncodesEveryField(t *testing.T) {
	r := filled[Request](t)
	got, err := r.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := wantJSON(t, r); string(got) != want {
		t.Errorf("request: %s", jsonDiff(string(got), want))
	}
	// The outcome and the votes on their own, as lists and the audit log hold them.
	o := filled[Outcome](t)
	if got, want := o.AppendJSON(nil), mustMarshal(t, reflectOutcome(o)); string(got) != want {
		t.Errorf("outcome: %s", jsonDiff(string(got), want))
	}
	vs := filled[[]Vote](t)
	type reflectVote Vote
	want := "[" + mustMarshal(t, reflectVote(vs[0])) + "," + mustMarshal(t, reflectVote(vs[1])) + "]"
	if got := appendVotes(nil, vs); string(got) != want {
		t.Errorf("votes: %s", jsonDiff(string(got), want))
	}
}

// jsonDiff shows where the hand encoder's got first differs from encoding/json's want.
func jsonDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(i-60, 0)
	return fmt.Sprintf("the hand encoder differs from encoding/json at byte %d:\n got …%s\nwant …%s",
		i, got[from:min(i+60, len(got))], want[from:min(i+60, len(want))])
}

func mustMarshal(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRequestJSONRefusesBrokenRaw(t *testing.T) {
	r := sampleRequest()
	r.Params = json.RawMessage(`{"a": }`)
	if _, err := r.MarshalJSON(); err == nil {
		t.Fatal("a request with broken params JSON encoded without error")
	}
}

func FuzzRequestJSON(f *testing.F) {
	f.Add("send_email", "agent", "reason", "fine", `{"a":1}`, int64(0))
	f.Add("<x>&", "\xff", "\u2028", "\"q\"", `{"a" : "<b>"}`, int64(-1))
	f.Fuzz(func(t *testing.T, action, by, reason, voteReason, params string, nanos int64) {
		r := sampleRequest()
		r.Action, r.CreatedBy, r.DecisionReason, r.Votes[0].Reason = action, by, reason, voteReason
		r.PolicyDecision.PolicyName = action + by
		if nanos%2 == 0 {
			r.PolicyDecision.Hold = &Hold{Reason: reason, Key: action, Problem: voteReason, Decision: by, Approval: RuleRef{PolicyID: by, PolicyName: reason, RuleIndex: int(nanos % 100)}}
		}
		r.CreatedAt = r.CreatedAt.Add(time.Duration(nanos % int64(1e12)))
		if json.Valid([]byte(params)) {
			r.Params = json.RawMessage(params)
		}
		got, err := r.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if want := wantJSON(t, r); string(got) != want {
			t.Fatalf("encodes as\n%s\nencoding/json gives\n%s", got, want)
		}
	})
}
