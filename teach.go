package agentgate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Approve and teach: after approving a request, a person may ask for a rule that approves
// requests like it from now on. The gate drafts one and replays it over the last TeachWindow;
// nothing is saved until the person saves the draft in the policy editor.

// TeachWindow is how far back a drafted rule is replayed.
const TeachWindow = 30 * 24 * time.Hour

// Teaching is a drafted policy and what it would have done.
type Teaching struct {
	Request *Request
	Draft   Policy
	Sim     *Simulation
	// Others is how many requests besides Request the draft would have decided otherwise.
	Others int
}

// Teach drafts a policy that auto-approves requests like request id (see RuleLike) and
// replays it over the last TeachWindow. The draft goes just before the policy that sent the
// request to a person (after every policy when none did), so that every rule that ran before
// still runs first: a denial stays a denial.
func (g *Gate) Teach(ctx context.Context, id string) (*Teaching, error) {
	r, err := g.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	ps, err := g.store.ListPolicies(ctx)
	if err != nil {
		return nil, fmt.Errorf("list policies: %w", err)
	}
	priority := 10
	for _, p := range ps {
		if p.ID == r.PolicyDecision.PolicyID {
			priority = p.Priority - 1
			break
		}
		priority = max(priority, p.Priority+10)
	}
	draft := Policy{Name: "Always approve " + r.Action, Priority: priority, Enabled: true, Rules: []Rule{RuleLike(r)},
		Description: "Drafted from request " + r.ID + ", approved by " + r.DecidedBy + "."}
	if r.Status != StatusApproved {
		draft.Description = "Drafted from request " + r.ID + "."
	}
	now := g.clock.Now()
	sim, err := g.Simulate(ctx, draft, now.Add(-TeachWindow), now)
	if err != nil {
		return nil, err
	}
	t := &Teaching{Request: r, Draft: draft, Sim: sim, Others: sim.Changed}
	if !r.CreatedAt.Before(sim.From) && r.CreatedAt.Before(sim.To) && r.PolicyDecision.Decision != AutoApprove {
		t.Others-- // the request it was drafted from matches it by construction
	}
	return t, nil
}

// RuleLike is an auto-approve rule for requests like r: the same action, and for each
// top-level param that names a kind of thing, the same value. An email address matches
// its domain ($glob "*@example.com"), a number matches up to r's ($lte), a boolean and a
// short word without spaces or digits ("staging", "EUR") match exactly. Numbered ids
// ("INV-2291"), text, lists, objects and values with hidden characters are left out: they
// tell one request from the next. The rule is a starting point a person edits.
func RuleLike(r *Request) Rule {
	match := map[string]json.RawMessage{"action": quoteJSON(r.Action)}
	dec := json.NewDecoder(bytes.NewReader(r.Params))
	dec.UseNumber()
	var params map[string]any
	if dec.Decode(&params) == nil {
		for k, v := range params {
			if m := likeValue(v); m != nil && k != "" && !strings.Contains(k, ".") && plainText(k) {
				match["params."+k] = m
			}
		}
	}
	return Rule{Match: match, Decision: AutoApprove}
}

// likeValue is the matcher RuleLike uses for one param value, or nil to leave it out.
func likeValue(v any) json.RawMessage {
	switch v := v.(type) {
	case bool:
		b, _ := json.Marshal(v)
		return b
	case json.Number:
		return json.RawMessage(`{"$lte": ` + v.String() + `}`)
	case string:
		if !plainText(v) || utf8.RuneCountInString(v) > 64 || strings.ContainsFunc(v, unicode.IsSpace) {
			return nil
		}
		if at := strings.LastIndexByte(v, '@'); at > 0 && at < len(v)-1 && !strings.ContainsAny(v, "*?[]\\") {
			g, _ := json.Marshal(map[string]string{"$glob": "*@" + v[at+1:]})
			return g
		}
		if strings.ContainsFunc(v, unicode.IsDigit) {
			return nil
		}
		return quoteJSON(v)
	}
	return nil
}

// plainText reports whether s has only visible characters: a rule must not carry a value a
// person cannot read.
func plainText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp)
	})
}

func quoteJSON(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}
