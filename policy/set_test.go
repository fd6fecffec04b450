package policy

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// evaluateLinear tries every rule in order, as Evaluate would without indexes.
func evaluateLinear(s *Set, in Input) Result {
	held := -1
	for i, v := range s.Trace(in) {
		switch v.Truth {
		case True:
			if held >= 0 && s.rules[i].approves {
				return Result{Rule: i, HeldBy: held}
			}
			return Result{Rule: i, HeldBy: -1}
		case Undecided:
			if held < 0 && !s.rules[i].approves {
				held = i
			}
		}
	}
	return none
}

// TestEvaluateIndexes checks that filing rules under the values they need never changes an
// outcome: every input gets what trying every rule in order gives.
func TestEvaluateIndexes(t *testing.T) {
	var matches []string
	paths := []string{"action", "urgency", "kind", "params.region", "context.team", "a.b", "p1", "p2", "p3", "p4", "p5", "p6"}
	for i, p := range paths {
		matches = append(matches,
			fmt.Sprintf(`{%q: "x", "n": {"$gt": 5}}`, p),
			fmt.Sprintf(`{%q: {"$in": ["x", "y"]}, "n": {"$lte": 5}}`, p),
			fmt.Sprintf(`{%q: {"$in": ["x", 3]}}`, p),
			fmt.Sprintf(`{%q: {"$eq": "high"}, "$not": {"n": 1}}`, p),
			fmt.Sprintf(`{"n": %d}`, i))
	}
	s := compileRules(t, matches...)
	if len(s.indexes) != maxIndexes {
		t.Errorf("%d indexes, want %d", len(s.indexes), maxIndexes)
	}
	values := []any{"x", "y", "high", "z", 3.0, nil}
	count := 0
	for _, p := range paths {
		for _, v := range values {
			for _, n := range []float64{1, 5, 6, 11, 20} {
				in := Input{Action: "act", Urgency: "low", Params: map[string]any{"n": n}, Context: map[string]any{}}
				switch p {
				case "action":
					in.Action, _ = v.(string)
				case "urgency":
					in.Urgency, _ = v.(string)
				case "context.team":
					in.Context["team"] = v
				case "params.region":
					in.Params["region"] = v
				default:
					in.Params[p] = v
				}
				got, want := s.Evaluate(in), evaluateLinear(s, in)
				if got != want {
					t.Errorf("%s=%v n=%v: got %+v, want %+v", p, v, n, got, want)
				}
				if got.Rule >= 0 {
					count++
				}
			}
		}
	}
	if count == 0 {
		t.Error("no input matched a rule")
	}
}

// TestEvaluateManyPaths covers sets that read few paths, more than an evaluation of few
// remembers, and more than any evaluation remembers.
func TestEvaluateManyPaths(t *testing.T) {
	for _, n := range []int{3, (fewSlots - 3) / 2, (fewSlots-3)/2 + 1, maxSlots + 10} { // each rule reads two paths
		var matches []string
		for i := range n {
			matches = append(matches, fmt.Sprintf(`{"f%[1]d": {"$gte": 1}, "g%[1]d": {"$exists": false}}`, i))
		}
		s := compileRules(t, matches...)
		for _, i := range []int{0, n / 2, n - 1} {
			in := Input{Params: map[string]any{fmt.Sprint("f", i): 1.0}}
			if got := s.Evaluate(in); got.Rule != i {
				t.Errorf("%d paths, f%d: got %+v", len(s.paths), i, got)
			}
			in.Params[fmt.Sprint("g", i)] = true
			if got := s.Evaluate(in); got.Rule >= 0 {
				t.Errorf("%d paths, f%d and g%d: got %+v", len(s.paths), i, i, got)
			}
		}
	}
}

func TestEvaluateNilAndEmpty(t *testing.T) {
	var s *Set
	if got := s.Evaluate(testInput); got != none {
		t.Errorf("nil set: %+v", got)
	}
	if p, c := s.Reads(); p || c {
		t.Error("a nil set reads nothing")
	}
	if got := compileRules(t).Evaluate(testInput); got != none {
		t.Errorf("empty set: %+v", got)
	}
}

func TestEvaluateConcurrent(t *testing.T) {
	s := compileRules(t, `{"to": {"$regex": "@example\\.com$"}, "tags": {"$contains": "finance"}}`)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if got := s.Evaluate(testInput); got.Rule != 0 {
					t.Errorf("Evaluate = %+v", got)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestMatchCheapFirst(t *testing.T) {
	// Cheap matchers run first, in an order that does not depend on map iteration.
	m := `{"to": {"$regex": "alice"}, "action": "send_email", "$any": [{"urgency": "high"}], "tags.0": "finance"}`
	if !matches(t, m, testInput) {
		t.Fatal("no match")
	}
	keys := []string{}
	for _, mt := range compileRules(t, m).match[0] {
		keys = append(keys, mt.path.key)
	}
	if !slices.Equal(keys, []string{"action", "tags.0", "to", "$any"}) {
		t.Errorf("evaluation order %v", keys)
	}
}
