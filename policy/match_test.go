package policy

import (
	"encoding/json"
	"testing"
)

// testInput is the request most match tests look at.
var testInput = Input{
	Action:  "send_email",
	Urgency: "high",
	Params: jsonMap(`{
		"to": "alice@example.com", "amount": 250, "ok": true, "nothing": null,
		"tags": ["finance", "urgent"], "items": [{"sku": "SKU-1", "qty": 2}, {"sku": "SKU-2"}],
		"meta": {"a": 1, "b": [1, 2]}, "when": "2025-03-01T10:00:00Z", "path": "/etc/passwd",
		"a.b": "flat", "urgency": "low", "action": "delete", "glob": "a*bc[x]"}`),
	Context: jsonMap(`{"user": {"role": "agent", "team": "ops"}, "env": "production"}`),
}

func jsonMap(s string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		panic(err)
	}
	return m
}

// compileRules compiles a set from match objects written as JSON.
func compileRules(t testing.TB, matches ...string) *Set {
	t.Helper()
	rules := make([]Rule, len(matches))
	for i, m := range matches {
		if err := json.Unmarshal([]byte(m), &rules[i].Match); err != nil {
			t.Fatalf("match %s: %v", m, err)
		}
	}
	s, err := Compile(rules)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return s
}

// matches reports whether a one-rule set with the given match accepts in.
func matches(t testing.TB, match string, in Input) bool {
	t.Helper()
	return compileRules(t, match).Evaluate(in).Rule == 0
}

// answer is what a one-rule set with the given match says about in.
func answer(t testing.TB, match string, in Input) Truth {
	t.Helper()
	return compileRules(t, match).Trace(in)[0].Truth
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name  string
		match string
		want  Truth
	}{
		{"empty match matches everything", `{}`, True},
		{"action literal", `{"action": "send_email"}`, True},
		{"action literal mismatch", `{"action": "delete_file"}`, False},
		{"urgency literal", `{"urgency": "high"}`, True},
		{"action is never shadowed by params", `{"action": "delete"}`, False},
		{"urgency is never shadowed by params", `{"urgency": "low"}`, False},
		{"params.action reaches the param", `{"params.action": "delete", "params.urgency": "low"}`, True},
		{"bare key looks in params", `{"to": "alice@example.com"}`, True},
		{"params path", `{"params.to": "alice@example.com"}`, True},
		{"number equals integer-valued float", `{"amount": 250.0}`, True},
		{"number literal mismatch", `{"amount": 251}`, False},
		{"text equals a number's decimal text", `{"amount": "250"}`, True},
		{"text that is not the number's text", `{"amount": "250.0"}`, False},
		{"a number against text that is a date", `{"params.when": 2025}`, Undecided},
		{"bool literal", `{"ok": true}`, True},
		{"bool literal mismatch", `{"ok": false}`, False},
		{"null matches null", `{"nothing": null}`, True},
		{"null on a missing field is undecided", `{"missing": null}`, Undecided},
		{"array deep equality", `{"tags": ["finance", "urgent"]}`, True},
		{"array order matters", `{"tags": ["urgent", "finance"]}`, False},
		{"object deep equality", `{"meta": {"a": 1.0, "b": [1, 2]}}`, True},
		{"object needs every key", `{"meta": {"a": 1}}`, False},
		{"empty object literal is not any object", `{"meta": {}}`, False},
		{"context path", `{"context.user.role": "agent"}`, True},
		{"whole context object", `{"context": {"user": {"role": "agent", "team": "ops"}, "env": "production"}}`, True},
		{"array index path", `{"params.items.1.sku": "SKU-2"}`, True},
		{"bare nested array path", `{"items.0.qty": 2}`, True},
		{"index out of range is missing", `{"params.items.5.sku": {"$exists": false}}`, True},
		{"non-numeric index into an array is missing", `{"params.items.x": {"$exists": true}}`, False},
		{"path through a string is missing", `{"params.to.x": {"$exists": true}}`, False},
		{"bare dotted key falls back to a flat param", `{"a.b": "flat"}`, True},
		{"keys are ANDed", `{"action": "send_email", "to": "alice@example.com", "urgency": "high"}`, True},
		{"one failing key fails the match", `{"action": "send_email", "to": "bob@example.com"}`, False},

		{"$eq", `{"to": {"$eq": "alice@example.com"}}`, True},
		{"$eq mismatch", `{"to": {"$eq": "bob"}}`, False},
		{"$eq missing", `{"nope": {"$eq": null}}`, Undecided},
		{"$ne", `{"to": {"$ne": "bob"}}`, True},
		{"$ne equal", `{"amount": {"$ne": 250}}`, False},
		{"$ne missing is undecided", `{"nope": {"$ne": "x"}}`, Undecided},
		{"$in", `{"action": {"$in": ["send_sms", "send_email"]}}`, True},
		{"$in mismatch", `{"action": {"$in": ["send_sms"]}}`, False},
		{"$in numbers", `{"amount": {"$in": [1, 250.0]}}`, True},
		{"$in empty", `{"action": {"$in": []}}`, False},
		{"$in missing", `{"nope": {"$in": [null]}}`, Undecided},
		{"$in large set", `{"to": {"$in": ["a","b","c","d","e","f","g","h","alice@example.com"]}}`, True},
		{"$in large set mismatch", `{"to": {"$in": ["a","b","c","d","e","f","g","h","i"]}}`, False},
		{"$in large set with a number", `{"amount": {"$in": ["a","b","c","d","e","f","g","h",250]}}`, True},
		{"$in array value by deep equality", `{"tags": {"$in": [["finance", "urgent"]]}}`, True},
		{"$nin", `{"action": {"$nin": ["delete_file"]}}`, True},
		{"$nin listed", `{"action": {"$nin": ["send_email"]}}`, False},
		{"$nin missing is undecided", `{"nope": {"$nin": ["x"]}}`, Undecided},
		{"$lt", `{"amount": {"$lt": 251}}`, True},
		{"$lt boundary", `{"amount": {"$lt": 250}}`, False},
		{"$lte boundary", `{"amount": {"$lte": 250}}`, True},
		{"$lte", `{"amount": {"$lte": 249.5}}`, False},
		{"$gt", `{"amount": {"$gt": 249}}`, True},
		{"$gt boundary", `{"amount": {"$gt": 250}}`, False},
		{"$gte boundary", `{"amount": {"$gte": 250}}`, True},
		{"$gte", `{"amount": {"$gte": 1e3}}`, False},
		{"range is ANDed", `{"amount": {"$gt": 100, "$lt": 300}}`, True},
		{"range outside", `{"amount": {"$gt": 100, "$lt": 200}}`, False},
		{"string comparison", `{"to": {"$gt": "alice"}}`, True},
		{"string comparison mismatch", `{"to": {"$lt": "alice"}}`, False},
		{"RFC 3339 times compare", `{"when": {"$gte": "2025-01-01T00:00:00Z", "$lt": "2025-04-01T00:00:00Z"}}`, True},
		{"number against text that is not a number", `{"to": {"$gt": 5}}`, Undecided},
		{"text operand reads a number as text", `{"amount": {"$lt": "z"}}`, True},
		{"comparison on missing", `{"nope": {"$lt": 5}}`, Undecided},
		{"urgency compares by rank", `{"urgency": {"$gte": "high"}}`, True},
		{"urgency rank above", `{"urgency": {"$gt": "high"}}`, False},
		{"urgency rank below critical", `{"urgency": {"$lt": "critical", "$gt": "normal"}}`, True},
		{"$regex", `{"to": {"$regex": "@example\\.com$"}}`, True},
		{"$regex mismatch", `{"to": {"$regex": "^bob@"}}`, False},
		{"$regex reads a number as text", `{"amount": {"$regex": "^25"}}`, True},
		{"$regex on a boolean", `{"ok": {"$regex": "true"}}`, Undecided},
		{"$regex on missing", `{"nope": {"$regex": ".*"}}`, Undecided},
		{"$regex case flag", `{"action": {"$regex": "(?i)^SEND_"}}`, True},
		{"$glob", `{"to": {"$glob": "*@example.com"}}`, True},
		{"$glob mismatch", `{"to": {"$glob": "*@corp.com"}}`, False},
		{"$glob star stays within a path segment", `{"path": {"$glob": "*"}}`, False},
		{"$glob per segment", `{"path": {"$glob": "/etc/*"}}`, True},
		{"$glob class and ?", `{"params.items.0.sku": {"$glob": "SKU-[0-9]"}, "action": {"$glob": "send_?mail"}}`, True},
		{"$glob reads a number as text", `{"amount": {"$glob": "2?0"}}`, True},
		{"$glob on an array", `{"tags": {"$glob": "*"}}`, Undecided},
		{"$glob escapes", `{"glob": {"$glob": "a\\*b?\\[x]"}}`, True},
		{"$glob escaped star is literal", `{"glob": {"$glob": "a\\*bc[x]"}}`, False},
		{"$glob exact", `{"to": {"$glob": "alice@example.com"}}`, True},
		{"$glob suffix mismatch", `{"to": {"$glob": "alice@*.org"}}`, False},
		{"$exists", `{"to": {"$exists": true}}`, True},
		{"$exists on null", `{"nothing": {"$exists": true}}`, True},
		{"$exists false on present", `{"to": {"$exists": false}}`, False},
		{"$exists false on missing", `{"nope": {"$exists": false}}`, True},
		{"$exists on whole params", `{"params": {"$exists": true}}`, True},
		{"$contains substring", `{"to": {"$contains": "@example"}}`, True},
		{"$contains substring mismatch", `{"to": {"$contains": "@corp"}}`, False},
		{"$contains array element", `{"tags": {"$contains": "finance"}}`, True},
		{"$contains array element mismatch", `{"tags": {"$contains": "legal"}}`, False},
		{"$contains number element", `{"meta.b": {"$contains": 2}}`, True},
		{"$contains object element", `{"items": {"$contains": {"sku": "SKU-2"}}}`, True},
		{"$contains on a number is that one item", `{"amount": {"$contains": 2}}`, False},
		{"$contains on a number holding it", `{"amount": {"$contains": 250}}`, True},
		{"$contains a number in text that is not one", `{"to": {"$contains": 5}}`, Undecided},
		{"$contains on missing", `{"nope": {"$contains": "x"}}`, Undecided},

		{"top $any", `{"$any": [{"action": "x"}, {"to": {"$regex": "example"}}]}`, True},
		{"top $any none", `{"$any": [{"action": "x"}, {"urgency": "low"}]}`, False},
		{"top $all", `{"$all": [{"action": "send_email"}, {"amount": {"$gt": 100}}]}`, True},
		{"top $all one fails", `{"$all": [{"action": "send_email"}, {"amount": {"$gt": 1000}}]}`, False},
		{"top $not", `{"$not": {"context.env": "staging"}}`, True},
		{"top $not of a match", `{"$not": {"context.env": "production"}}`, False},
		{"$not of empty match", `{"$not": {}}`, False},
		{"$not of $any", `{"$not": {"$any": [{"action": "x"}, {"action": "y"}]}}`, True},
		{"$any of $all", `{"$any": [{"$all": [{"action": "x"}]}, {"$all": [{"urgency": "high"}, {"ok": true}]}]}`, True},
		{"top boolean ANDed with fields", `{"action": "send_email", "$not": {"tags": {"$contains": "finance"}}}`, False},
		{"field $not of operators", `{"to": {"$not": {"$regex": "@evil\\."}}}`, True},
		{"field $not of operators fails", `{"to": {"$not": {"$regex": "@example\\."}}}`, False},
		{"field $not on missing", `{"nope": {"$not": {"$eq": 1}}}`, Undecided},
		{"field $any of operators", `{"to": {"$any": [{"$glob": "*@corp.com"}, {"$contains": "alice"}]}}`, True},
		{"field $all of operators", `{"amount": {"$all": [{"$gt": 1}, {"$lt": 2}]}}`, False},
		{"field $any of whole-document matches", `{"amount": {"$gt": 100, "$any": [{"urgency": "critical"}, {"context.user.role": "agent"}]}}`, True},
		{"field $any mixing both kinds", `{"to": {"$any": [{"$eq": "nobody"}, {"action": "send_email"}]}}`, True},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := answer(t, tt.match, testInput); got != tt.want {
				t.Errorf("match %s = %v, want %v", tt.match, got, tt.want)
			}
		})
	}
}

func TestMatchGoValues(t *testing.T) {
	in := Input{
		Action: "pay",
		Params: map[string]any{
			"int": 5, "int64": int64(5), "uint8": uint8(5), "float32": float32(5), "number": json.Number("5.0"),
			"bad": json.Number("x"), "strs": []string{"a", "b"}, "labels": map[string]string{"env": "prod"},
			"nan": nanValue(),
		},
	}
	tests := []struct {
		match string
		want  Truth
	}{
		{`{"int": 5}`, True},
		{`{"int64": {"$gte": 5, "$lt": 5.5}}`, True},
		{`{"uint8": {"$in": [5]}}`, True},
		{`{"float32": 5.0}`, True},
		{`{"number": {"$eq": 5}}`, True},
		{`{"number": "5"}`, True},    // a number's text is its shortest form
		{`{"number": "5.0"}`, False}, // not json.Number's own spelling
		{`{"int": {"$regex": "^5$"}}`, True},
		{`{"bad": {"$gt": 0}}`, Undecided}, // a json.Number that is not a number
		{`{"strs": ["a", "b"]}`, True},
		{`{"strs": {"$contains": "b"}}`, True},
		{`{"strs": {"$contains": "c"}}`, False},
		{`{"strs": {"$contains": 5}}`, Undecided},
		{`{"strs.1": "b"}`, True},
		{`{"labels": {"env": "prod"}}`, True},
		{`{"labels": {"env": "prod", "x": "y"}}`, Undecided},
		{`{"labels": {"env": "dev"}}`, False},
		{`{"labels.env": {"$regex": "^pr"}}`, True},
		{`{"labels.env.x": {"$exists": true}}`, False},
		{`{"labels": {"$contains": "prod"}}`, Undecided},
		{`{"nan": {"$gte": 0}}`, Undecided},
		{`{"nan": {"$lt": 0}}`, Undecided},
		{`{"nan": {"$regex": "NaN"}}`, Undecided},
		{`{"urgency": "normal"}`, True}, // an unset urgency is normal
		{`{"context.x": {"$exists": false}}`, True},
		{`{"params": {"$exists": true}}`, True},
	}
	for _, tt := range tests {
		if got := answer(t, tt.match, in); got != tt.want {
			t.Errorf("match %s = %v, want %v", tt.match, got, tt.want)
		}
	}
	if !matches(t, `{"params": {}, "context": {}}`, Input{Action: "x"}) {
		t.Error("nil params and context should equal {}")
	}
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}
