package policy

import (
	"encoding/json"
	"testing"
)

// valueTypes are the forms an agent may send one field in: the columns of the tables below.
var valueTypes = []struct {
	name string
	json string // the params object; empty for a missing field
}{
	{"missing", `{}`},
	{"null", `{"v": null}`},
	{"boolean", `{"v": true}`},
	{"number", `{"v": 50000}`},
	{"numeric text", `{"v": "50000"}`},
	{"text", `{"v": "lots"}`},
	{"array", `{"v": [50000]}`},
	{"object", `{"v": {"v": 50000}}`},
}

// TestOperatorsByValueType pins every operator's answer for every type of value: T true,
// F false, U undecided, in the order of valueTypes.
func TestOperatorsByValueType(t *testing.T) {
	tests := []struct {
		match string
		want  string // missing null boolean number "50000" "lots" array object
	}{
		{`{"v": 50000}`, "UUUTTUUU"},
		{`{"v": 40000}`, "UUUFFUUU"},
		{`{"v": "50000"}`, "UUUTTFUU"},
		{`{"v": "lots"}`, "UUUFFTUU"},
		{`{"v": true}`, "UUTUUUUU"},
		{`{"v": null}`, "UTUUUUUU"},
		{`{"v": [50000]}`, "UUUUUUTU"},
		{`{"v": {"v": 50000}}`, "UUUUUUUT"},
		{`{"v": {"$eq": 50000}}`, "UUUTTUUU"},
		{`{"v": {"$ne": 40000}}`, "UUUTTUUU"},
		{`{"v": {"$ne": "lots"}}`, "UUUTTFUU"},
		{`{"v": {"$in": [1, 50000]}}`, "UUUTTUUU"},
		{`{"v": {"$in": ["a", "b"]}}`, "UUUFFFUU"},
		{`{"v": {"$in": ["a", "b", "c", "d", "e", "f", "g", "h", 50000]}}`, "UUUTTUUU"},
		{`{"v": {"$nin": [50000]}}`, "UUUFFUUU"},
		{`{"v": {"$gt": 10000}}`, "UUUTTUUU"},
		{`{"v": {"$gte": 50000}}`, "UUUTTUUU"},
		{`{"v": {"$lt": 10000}}`, "UUUFFUUU"},
		{`{"v": {"$lte": 10000}}`, "UUUFFUUU"},
		{`{"v": {"$gte": "a"}}`, "UUUFFTUU"},
		{`{"v": {"$regex": "^5"}}`, "UUUTTFUU"},
		{`{"v": {"$glob": "l*"}}`, "UUUFFTUU"},
		{`{"v": {"$exists": true}}`, "FTTTTTTT"},
		{`{"v": {"$exists": false}}`, "TFFFFFFF"},
		{`{"v": {"$contains": "000"}}`, "UUUTTFUU"},
		{`{"v": {"$contains": 50000}}`, "UUUTTUTU"},
		{`{"v": {"$contains": true}}`, "UUTUUUUU"},
		{`{"v": {"$not": {"$gt": 10000}}}`, "UUUFFUUU"},
		{`{"v": {"$any": [{"$gt": 10000}, {"$eq": "lots"}]}}`, "UUUTTTUU"},
		{`{"v": {"$all": [{"$gt": 10000}, {"$lt": 60000}]}}`, "UUUTTUUU"},
		{`{"$not": {"v": {"$gt": 10000}}}`, "UUUFFUUU"},
		// One definitely true branch makes $any true; one definitely false part makes an
		// AND false, so a rule for another action never holds anything up.
		{`{"$any": [{"v": {"$gt": 10000}}, {"action": "transfer"}]}`, "TTTTTTTT"},
		{`{"$any": [{"v": {"$gt": 10000}}, {"action": "other"}]}`, "UUUTTUUU"},
		{`{"$all": [{"v": {"$gt": 10000}}, {"action": "other"}]}`, "FFFFFFFF"},
		{`{"action": "other", "v": {"$gt": 10000}}`, "FFFFFFFF"},
		{`{"action": "transfer", "v": {"$gt": 10000}}`, "UUUTTUUU"},
		{`{"action": "transfer", "v": {"$exists": true, "$gt": 10000}}`, "FUUTTUUU"},
	}
	for _, tt := range tests {
		s := compileRules(t, tt.match)
		for i, vt := range valueTypes {
			in := Input{Action: "transfer", Params: jsonMap(vt.json)}
			got := s.Trace(in)[0].Truth
			if want := map[byte]Truth{'T': True, 'F': False, 'U': Undecided}[tt.want[i]]; got != want {
				t.Errorf("%s on %s: %v, want %v", tt.match, vt.name, got, want)
			}
		}
	}
}

// TestFixedFields: action and urgency are always strings, so an operand of another type
// does not match them; it never leaves a rule undecided.
func TestFixedFields(t *testing.T) {
	in := Input{Action: "transfer", Urgency: "high"}
	for _, match := range []string{
		`{"action": 5}`, `{"action": {"$gt": 5}}`, `{"action": {"$in": [1, true, null]}}`,
		`{"action": {"$contains": 5}}`, `{"urgency": {"$lt": 5}}`, `{"urgency": [1]}`, `{"action": {"$ne": "transfer"}}`,
	} {
		if got := answer(t, match, in); got != False {
			t.Errorf("%s: %v, want false", match, got)
		}
	}
	for _, match := range []string{`{"action": {"$ne": 5}}`, `{"action": {"$nin": [1, "x"]}}`, `{"urgency": {"$gt": "normal"}}`} {
		if got := answer(t, match, in); got != True {
			t.Errorf("%s: %v, want true", match, got)
		}
	}
}

// TestNumericText pins which text reads as a number.
func TestNumericText(t *testing.T) {
	for _, s := range []string{"50000", "-1", "+1", "1.5", ".5", "5.", "1e4", "1E-4", "007"} {
		if _, ok := parseDecimal(s); !ok {
			t.Errorf("%q is not read as a number", s)
		}
	}
	for _, s := range []string{"", " 5", "5 ", "1,000", "0x10", "Inf", "NaN", "1e", "1e999", "--1", ".", "e5", "5$"} {
		if f, ok := parseDecimal(s); ok {
			t.Errorf("%q reads as %v", s, f)
		}
	}
	// A number's text is what encoding/json writes for it, so a number quoted by an agent
	// compares as the number did.
	for _, f := range []float64{0, -0.5, 50000, 1e20, 1e21, 1.5e-7, 123456789.125, -1e-6} {
		want, _ := json.Marshal(f)
		if got, _ := numberText(f); got != string(want) {
			t.Errorf("text of %v = %s, encoding/json writes %s", f, got, want)
		}
	}
}

func TestExplain(t *testing.T) {
	tests := []struct {
		match, params, key, problem string
	}{
		{`{"v": {"$gt": 10000}}`, `{"v": "lots"}`, "v", "got a string that is not a number"},
		{`{"params.v": {"$gt": 10000}}`, `{"v": [1]}`, "params.v", "got an array, not a number"},
		{`{"v": {"$gt": 10000}}`, `{}`, "v", "it is missing"},
		{`{"v": {"$regex": "x"}}`, `{"v": {"a": 1}}`, "v", "got an object, not a string"},
		{`{"v": {"$gte": "a"}}`, `{"v": true}`, "v", "got a boolean, not a string"},
		{`{"v": "prod"}`, `{"v": null}`, "v", "got null, not a string"},
		{`{"v": {"$in": ["a", 5]}}`, `{"v": "b"}`, "v", "got a string that is not a number"},
		{`{"v": {"$contains": "rm -rf"}}`, `{"v": ["rm -rf /"]}`, "v", "an item holds the text without being it (one text sent as a list?)"},
		{`{"v": {"$contains": "x"}}`, `{"v": [true]}`, "v", "an item is a boolean, not a string"},
		{`{"v": [1, 2]}`, `{"v": [1, "b"]}`, "v", "an item of the array cannot be compared with the literal's"},
		{`{"action": "transfer", "$any": [{"w": 1}, {"v": {"$not": {"$lt": 5}}}]}`, `{"w": 2, "v": "x"}`, "v", "got a string that is not a number"},
	}
	for _, tt := range tests {
		s := compileRules(t, tt.match)
		in := Input{Action: "transfer", Params: jsonMap(tt.params)}
		r, ok := s.Explain(in, 0)
		if !ok || r.Key != tt.key || r.Problem != tt.problem {
			t.Errorf("%s on %s: %q %v, want %s: %s", tt.match, tt.params, r, ok, tt.key, tt.problem)
		}
		if v := s.Trace(in)[0]; v.Truth != Undecided || v.Reason != r {
			t.Errorf("%s on %s: trace %+v", tt.match, tt.params, v)
		}
	}
	if _, ok := compileRules(t, `{"v": 1}`).Explain(Input{Params: jsonMap(`{"v": 1}`)}, 0); ok {
		t.Error("a true rule was explained as undecided")
	}
}
