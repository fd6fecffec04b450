// Package policy is AgentGate's rule language: it compiles the match objects of rules and
// finds the first rule that matches a request. It knows nothing of decisions, approvers or
// storage, and imports only the standard library.
//
// A rule's match maps keys to matchers, all ANDed; {} matches everything.
//
// Keys are dot paths into {action, urgency, params, context}: "params.to", "context.user.role",
// "params.items.0" (a number indexes an array). A key with another first segment is a path
// into params ("amount" is "params.amount"), so it never shadows action or urgency; if that
// path is missing, a dotted key is also tried as one params key, as the original read it.
// "params" and "context" alone are the whole objects, and an absent one is {}. An unset
// urgency is "normal".
//
// A matcher is a literal, compared with JSON equality (5 equals 5.0; arrays and objects
// compare deeply), or an object of $operators, all ANDed. An object without $ keys is a
// literal; mixing is an error.
//
// Every answer is true, false or undecided. A value is compared with an operand of its own
// JSON type, except that a number and text that spells a finite decimal number are alike: a
// number operand reads "50000" or "1e4" as a number, and a text operand reads 50000 as
// "50000" (its shortest decimal text, as encoding/json writes it). A missing field, or a value
// of another type, makes the test undecided, as an agent may have sent the value in a form
// the rule did not foresee. Action and urgency are always text, so there another type is
// simply false. ANDs, ORs and NOTs follow Kleene's logic: false AND undecided is false, true
// OR undecided is true, NOT undecided is undecided.
//
//   - $eq $ne: equality; undecided on a missing field.
//   - $in $nin: equality with any item of an array. An array field is compared as a whole,
//     not item by item (use $contains for that).
//   - $lt $lte $gt $gte: numbers with numbers, text with text (byte order, so RFC 3339 times
//     in one zone compare correctly). On urgency a text operand compares by rank: low <
//     normal < high < critical.
//   - $regex: an RE2 pattern, matched anywhere in text (anchor with ^ and $).
//   - $glob: path.Match, whole text: * and ? do not cross "/", [a-z] is a class, \ escapes.
//     "*@example.com" matches an address; "/etc/*" matches "/etc/passwd" and "*" does not.
//   - $exists: whether the field is present (a null is present); never undecided.
//   - $contains: a substring of text, or an item of an array; any other single value counts
//     as an array of that one item. An array item that holds the text without being it is
//     undecided: it may be the one text the rule looks into, sent as a list.
//   - $any $all $not: a list of match objects (one for $not) over the whole document; they
//     may also stand at the top of a match. Under a field, an operand made only of operators,
//     such as {"$not": {"$regex": "^test"}}, applies to that field.
//
// A rule whose match is undecided does not match. If it does not approve (Rule.Approves), it
// holds back every later rule that does: Set.Evaluate reports that in Result.HeldBy, and the
// caller sends the request to people instead.
//
// Number fields may also be json.Number or Go integers and floats, as Go callers pass them.
package policy

import (
	"encoding/json"
	"fmt"
)

// Input is what rules match against.
type Input struct {
	Action  string
	Urgency string // low, normal, high or critical; empty is normal
	Params  map[string]any
	Context map[string]any
}

// Rule is one rule to compile: its match object, and whether it lets a request through
// without a person.
type Rule struct {
	Match map[string]json.RawMessage
	// Approves marks a rule that approves. A rule that does not approve (it denies, or sends
	// the request to people) and cannot be evaluated holds back every later one that does.
	Approves bool
}

// Error is a rule that does not compile. Its message names the rule and where in its match
// the problem is, e.g. `rules[2].match["params.to"]: $regex: missing closing ) in "(a"`.
type Error struct {
	Rule   int    // the rule's position in its list
	At     string // where in the match, e.g. `["$any"][1]["params.to"]`; empty at its top
	Key    string // the match key at fault, when HasKey
	HasKey bool
	Reason string // what is wrong and how to fix it
}

func (e *Error) Error() string { return fmt.Sprintf("rules[%d].match%s: %s", e.Rule, e.At, e.Reason) }

// UrgencyRank orders urgencies: low 0, normal 1, high 2, critical 3. ok is false for any
// other word, which ranks as normal.
func UrgencyRank(u string) (rank int, ok bool) {
	switch u {
	case "low":
		return 0, true
	case "normal":
		return 1, true
	case "high":
		return 2, true
	case "critical":
		return 3, true
	}
	return 1, false
}
