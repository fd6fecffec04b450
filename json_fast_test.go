package agentgate

import (
	"encoding/json"
	"testing"
	"time"
)

// rawTextBytewise is rawText as it was before it skipped insignificant bytes, byte by
// byte: the reference the faster loop must agree with.
func rawTextBytewise(b []byte) (compact, plain bool) {
	compact, plain = true, true
	inString := false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '<' || c == '>' || c == '&':
			plain = false
		case c == 0xE2 && i+2 < len(b) && b[i+1] == 0x80 && (b[i+2] == 0xA8 || b[i+2] == 0xA9):
			plain = false
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			compact = false
		}
	}
	return compact, plain
}

func FuzzRawText(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a": 1}`, `{"s":"x y"}`, `{"h":"<b>"}`, "{\"u\":\"\u2028\"}",
		`{"e":"\" "}`, `{"e":"\\\\" , "x":1}`, "\xE2\x80", "\xE2\x80\xA9", `"\`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, p := rawText(b)
		wc, wp := rawTextBytewise(b)
		if c != wc || p != wp {
			t.Fatalf("rawText(%q) = %v, %v; byte by byte %v, %v", b, c, p, wc, wp)
		}
	})
}

// appendJSONTime writes what time.Time's MarshalJSON does, in UTC (written digit by digit)
// and in any other location.
func TestAppendJSONTimeIsMarshalJSON(t *testing.T) {
	zone := time.FixedZone("X", -(3*3600 + 30*60))
	for _, tm := range []time.Time{
		{}, time.Unix(0, 0).UTC(), time.UnixMicro(1780000000123456).UTC(), time.UnixMicro(1780000000100000).UTC(),
		time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(2026, 1, 2, 3, 4, 5, 10, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 1, time.UTC),
		time.Date(2026, 6, 1, 12, 0, 0, 5e8, zone), time.Date(2026, 6, 1, 12, 0, 0, 0, time.Local),
		time.Date(2026, 6, 1, 12, 0, 0, 0, time.FixedZone("UTC", 0)),
	} {
		want, err := json.Marshal(tm)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONTime(nil, tm); string(got) != string(want) {
			t.Errorf("%v: %s, want %s", tm, got, want)
		}
	}
	for ns := int64(0); ns < 3e9; ns += 7_777_777 {
		tm := time.Unix(1780000000, ns).UTC()
		want, _ := json.Marshal(tm)
		if got := appendJSONTime(nil, tm); string(got) != string(want) {
			t.Fatalf("%v: %s, want %s", tm, got, want)
		}
	}
}

// BenchmarkRequestJSON encodes a stored request of the load test's shape (list_bench_test
// in handlers): what the list page does fifty times.
func BenchmarkRequestJSON(b *testing.B) {
	at := time.UnixMicro(1780000000123456).UTC()
	r := Request{ID: "req_01KB0V5J3Q7W8X9Y0Z1A2B3C4D", Action: "deploy",
		Params:  json.RawMessage(`{"service":"billing","version":"2026.03.1","replicas":3,"regions":["eu-west-1","us-east-1"]}`),
		Context: json.RawMessage(`{"agent":"release-bot","run":42}`), Urgency: UrgencyNormal, Status: StatusPending,
		CreatedBy: "bench", CreatedByID: "key_01KB0V5J3Q7W8X9Y0Z1A2B3C4D", CreatedAt: at, UpdatedAt: at,
		ExpiresAt: at.Add(24 * time.Hour), PolicyDecision: DefaultOutcome(), RequiredApprovals: 1, Votes: []Vote{}}
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = r.AppendJSON(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}
