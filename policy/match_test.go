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
	return compileRules(t, match).Evaluate(in) == 0
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name  string
		match string
		want  bool
	}{
		{"empty match matches everything", `{}`, true},
		{"action literal", `{"action": "send_email"}`, true},
		{"action literal mismatch", `{"action": "delete_file"}`, false},
		{"urgency literal", `{"urgency": "high"}`, true},
		{"action is never shadowed by params", `{"action": "delete"}`, false},
		{"urgency is never shadowed by params", `{"urgency": "low"}`, false},
		{"params.action reaches the param", `{"params.action": "delete", "params.urgency": "low"}`, true},
		{"bare key looks in params", `{"to": "alice@example.com"}`, true},
		{"params path", `{"params.to": "alice@example.com"}`, true},
		{"number equals integer-valued float", `{"amount": 250.0}`, true},
		{"number literal mismatch", `{"amount": 251}`, false},
		{"number never equals a string", `{"amount": "250"}`, false},
		{"bool literal", `{"ok": true}`, true},
		{"bool literal mismatch", `{"ok": false}`, false},
		{"null matches null", `{"nothing": null}`, true},
		{"null does not match a missing field", `{"missing": null}`, false},
		{"array deep equality", `{"tags": ["finance", "urgent"]}`, true},
		{"array order matters", `{"tags": ["urgent", "finance"]}`, false},
		{"object deep equality", `{"meta": {"a": 1.0, "b": [1, 2]}}`, true},
		{"object needs every key", `{"meta": {"a": 1}}`, false},
		{"empty object literal is not any object", `{"meta": {}}`, false},
		{"context path", `{"context.user.role": "agent"}`, true},
		{"whole context object", `{"context": {"user": {"role": "agent", "team": "ops"}, "env": "production"}}`, true},
		{"array index path", `{"params.items.1.sku": "SKU-2"}`, true},
		{"bare nested array path", `{"items.0.qty": 2}`, true},
		{"index out of range is missing", `{"params.items.5.sku": {"$exists": false}}`, true},
		{"non-numeric index into an array is missing", `{"params.items.x": {"$exists": true}}`, false},
		{"path through a string is missing", `{"params.to.x": {"$exists": true}}`, false},
		{"bare dotted key falls back to a flat param", `{"a.b": "flat"}`, true},
		{"keys are ANDed", `{"action": "send_email", "to": "alice@example.com", "urgency": "high"}`, true},
		{"one failing key fails the match", `{"action": "send_email", "to": "bob@example.com"}`, false},

		{"$eq", `{"to": {"$eq": "alice@example.com"}}`, true},
		{"$eq mismatch", `{"to": {"$eq": "bob"}}`, false},
		{"$eq missing", `{"nope": {"$eq": null}}`, false},
		{"$ne", `{"to": {"$ne": "bob"}}`, true},
		{"$ne equal", `{"amount": {"$ne": 250}}`, false},
		{"$ne missing matches", `{"nope": {"$ne": "x"}}`, true},
		{"$in", `{"action": {"$in": ["send_sms", "send_email"]}}`, true},
		{"$in mismatch", `{"action": {"$in": ["send_sms"]}}`, false},
		{"$in numbers", `{"amount": {"$in": [1, 250.0]}}`, true},
		{"$in empty", `{"action": {"$in": []}}`, false},
		{"$in missing", `{"nope": {"$in": [null]}}`, false},
		{"$in large set", `{"to": {"$in": ["a","b","c","d","e","f","g","h","alice@example.com"]}}`, true},
		{"$in large set mismatch", `{"to": {"$in": ["a","b","c","d","e","f","g","h","i"]}}`, false},
		{"$in large set with a number", `{"amount": {"$in": ["a","b","c","d","e","f","g","h",250]}}`, true},
		{"$in array value by deep equality", `{"tags": {"$in": [["finance", "urgent"]]}}`, true},
		{"$nin", `{"action": {"$nin": ["delete_file"]}}`, true},
		{"$nin listed", `{"action": {"$nin": ["send_email"]}}`, false},
		{"$nin missing matches", `{"nope": {"$nin": ["x"]}}`, true},
		{"$lt", `{"amount": {"$lt": 251}}`, true},
		{"$lt boundary", `{"amount": {"$lt": 250}}`, false},
		{"$lte boundary", `{"amount": {"$lte": 250}}`, true},
		{"$lte", `{"amount": {"$lte": 249.5}}`, false},
		{"$gt", `{"amount": {"$gt": 249}}`, true},
		{"$gt boundary", `{"amount": {"$gt": 250}}`, false},
		{"$gte boundary", `{"amount": {"$gte": 250}}`, true},
		{"$gte", `{"amount": {"$gte": 1e3}}`, false},
		{"range is ANDed", `{"amount": {"$gt": 100, "$lt": 300}}`, true},
		{"range outside", `{"amount": {"$gt": 100, "$lt": 200}}`, false},
		{"string comparison", `{"to": {"$gt": "alice"}}`, true},
		{"string comparison mismatch", `{"to": {"$lt": "alice"}}`, false},
		{"RFC 3339 times compare", `{"when": {"$gte": "2025-01-01T00:00:00Z", "$lt": "2025-04-01T00:00:00Z"}}`, true},
		{"number against string is no match", `{"to": {"$gt": 5}}`, false},
		{"string against number is no match", `{"amount": {"$lt": "z"}}`, false},
		{"comparison on missing", `{"nope": {"$lt": 5}}`, false},
		{"urgency compares by rank", `{"urgency": {"$gte": "high"}}`, true},
		{"urgency rank above", `{"urgency": {"$gt": "high"}}`, false},
		{"urgency rank below critical", `{"urgency": {"$lt": "critical", "$gt": "normal"}}`, true},
		{"$regex", `{"to": {"$regex": "@example\\.com$"}}`, true},
		{"$regex mismatch", `{"to": {"$regex": "^bob@"}}`, false},
		{"$regex on a number", `{"amount": {"$regex": "250"}}`, false},
		{"$regex on missing", `{"nope": {"$regex": ".*"}}`, false},
		{"$regex case flag", `{"action": {"$regex": "(?i)^SEND_"}}`, true},
		{"$glob", `{"to": {"$glob": "*@example.com"}}`, true},
		{"$glob mismatch", `{"to": {"$glob": "*@corp.com"}}`, false},
		{"$glob star stays within a path segment", `{"path": {"$glob": "*"}}`, false},
		{"$glob per segment", `{"path": {"$glob": "/etc/*"}}`, true},
		{"$glob class and ?", `{"params.items.0.sku": {"$glob": "SKU-[0-9]"}, "action": {"$glob": "send_?mail"}}`, true},
		{"$glob on a number", `{"amount": {"$glob": "*"}}`, false},
		{"$glob escapes", `{"glob": {"$glob": "a\\*b?\\[x]"}}`, true},
		{"$glob escaped star is literal", `{"glob": {"$glob": "a\\*bc[x]"}}`, false},
		{"$glob exact", `{"to": {"$glob": "alice@example.com"}}`, true},
		{"$glob suffix mismatch", `{"to": {"$glob": "alice@*.org"}}`, false},
		{"$exists", `{"to": {"$exists": true}}`, true},
		{"$exists on null", `{"nothing": {"$exists": true}}`, true},
		{"$exists false on present", `{"to": {"$exists": false}}`, false},
		{"$exists false on missing", `{"nope": {"$exists": false}}`, true},
		{"$exists on whole params", `{"params": {"$exists": true}}`, true},
		{"$contains substring", `{"to": {"$contains": "@example"}}`, true},
		{"$contains substring mismatch", `{"to": {"$contains": "@corp"}}`, false},
		{"$contains array element", `{"tags": {"$contains": "finance"}}`, true},
		{"$contains array element mismatch", `{"tags": {"$contains": "legal"}}`, false},
		{"$contains number element", `{"meta.b": {"$contains": 2}}`, true},
		{"$contains object element", `{"items": {"$contains": {"sku": "SKU-2"}}}`, true},
		{"$contains on a number", `{"amount": {"$contains": 2}}`, false},
		{"$contains number in string", `{"to": {"$contains": 5}}`, false},
		{"$contains on missing", `{"nope": {"$contains": "x"}}`, false},

		{"top $any", `{"$any": [{"action": "x"}, {"to": {"$regex": "example"}}]}`, true},
		{"top $any none", `{"$any": [{"action": "x"}, {"urgency": "low"}]}`, false},
		{"top $all", `{"$all": [{"action": "send_email"}, {"amount": {"$gt": 100}}]}`, true},
		{"top $all one fails", `{"$all": [{"action": "send_email"}, {"amount": {"$gt": 1000}}]}`, false},
		{"top $not", `{"$not": {"context.env": "staging"}}`, true},
		{"top $not of a match", `{"$not": {"context.env": "production"}}`, false},
		{"$not of empty match", `{"$not": {}}`, false},
		{"$not of $any", `{"$not": {"$any": [{"action": "x"}, {"action": "y"}]}}`, true},
		{"$any of $all", `{"$any": [{"$all": [{"action": "x"}]}, {"$all": [{"urgency": "high"}, {"ok": true}]}]}`, true},
		{"top boolean ANDed with fields", `{"action": "send_email", "$not": {"tags": {"$contains": "finance"}}}`, false},
		{"field $not of operators", `{"to": {"$not": {"$regex": "@evil\\."}}}`, true},
		{"field $not of operators fails", `{"to": {"$not": {"$regex": "@example\\."}}}`, false},
		{"field $not on missing", `{"nope": {"$not": {"$eq": 1}}}`, true},
		{"field $any of operators", `{"to": {"$any": [{"$glob": "*@corp.com"}, {"$contains": "alice"}]}}`, true},
		{"field $all of operators", `{"amount": {"$all": [{"$gt": 1}, {"$lt": 2}]}}`, false},
		{"field $any of whole-document matches", `{"amount": {"$gt": 100, "$any": [{"urgency": "critical"}, {"context.user.role": "agent"}]}}`, true},
		{"field $any mixing both kinds", `{"to": {"$any": [{"$eq": "nobody"}, {"action": "send_email"}]}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matches(t, tt.match, testInput); got != tt.want {
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
		want  bool
	}{
		{`{"int": 5}`, true},
		{`{"int64": {"$gte": 5, "$lt": 5.5}}`, true},
		{`{"uint8": {"$in": [5]}}`, true},
		{`{"float32": 5.0}`, true},
		{`{"number": {"$eq": 5}}`, true},
		{`{"number": "5.0"}`, false},
		{`{"bad": {"$gt": 0}}`, false},
		{`{"strs": ["a", "b"]}`, true},
		{`{"strs": {"$contains": "b"}}`, true},
		{`{"strs.1": "b"}`, true},
		{`{"labels": {"env": "prod"}}`, true},
		{`{"labels.env": {"$regex": "^pr"}}`, true},
		{`{"labels.env.x": {"$exists": true}}`, false},
		{`{"nan": {"$gte": 0}}`, false},
		{`{"nan": {"$lt": 0}}`, false},
		{`{"urgency": "normal"}`, true}, // an unset urgency is normal
		{`{"context.x": {"$exists": false}}`, true},
		{`{"params": {"$exists": true}}`, true},
	}
	for _, tt := range tests {
		if got := matches(t, tt.match, in); got != tt.want {
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
