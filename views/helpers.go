package views

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	ag "github.com/agentgate/agentgate"
)

// Summary writes the top-level fields of a JSON object on one line, "key: value · ...",
// in the document's own order, cut to n runes; "" for an empty object.
func Summary(raw []byte, n int) string {
	return SummaryLed(raw, nil, n)
}

// valueText writes one JSON value for a summary: strings bare, times short, the rest
// as compact JSON.
func valueText(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) != nil {
		var b bytes.Buffer
		if json.Compact(&b, v) != nil {
			return string(v)
		}
		return b.String()
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC().Format("2006-01-02 15:04") + " UTC"
	}
	return s
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func orAll(s string) string {
	if s == "" {
		return "all"
	}
	return s
}

func joinList(s []string) string { return strings.Join(s, ", ") }

// statusLine is the one sentence under a request's title that says where it stands.
func statusLine(now time.Time, r *ag.Request) string {
	switch r.Status {
	case ag.StatusPending:
		if !now.Before(r.ExpiresAt) {
			return "Expired without a decision; it can no longer be decided."
		}
		s := "Waiting for a decision for " + Span(now.Sub(r.CreatedAt)) + "; expires " + Until(now, r.ExpiresAt) + "."
		if r.PolicyDecision.RequireReason {
			s += " A reason is required."
		}
		return s
	case ag.StatusExpired:
		return "Expired " + whenDecided(now, r) + " without a decision."
	case ag.StatusCancelled:
		return "Cancelled by " + orDash(r.DecidedBy) + " " + whenDecided(now, r) + "."
	}
	return Title(string(r.Status)) + " by " + orDash(r.DecidedBy) + " " + whenDecided(now, r) + "."
}

func whenDecided(now time.Time, r *ag.Request) string {
	if r.DecidedAt == nil {
		return ""
	}
	return Ago(now, *r.DecidedAt)
}

// decidedLine says who decided a request, for lists.
func decidedLine(r ag.Request) string {
	by := orDash(r.DecidedBy)
	if r.DecisionReason != "" && r.DecidedBy != "policy" {
		return "by " + by + " · " + Short(r.DecisionReason, 60)
	}
	return "by " + by
}

func policyLine(o ag.Outcome) string {
	d := DecisionLabel(o.Decision)
	if o.PolicyName == "" {
		return d + " (no rule matched)"
	}
	if o.RuleIndex != nil {
		return fmt.Sprintf("%s · %s, rule %d", d, o.PolicyName, *o.RuleIndex+1)
	}
	return d + " · " + o.PolicyName
}

func approvalsLine(r *ag.Request) string {
	return fmt.Sprintf("%d of %d", r.Approvals(), r.ApprovalsNeeded())
}

// timelineEntry is one line of a request's timeline.
type timelineEntry struct {
	What, When, Note, Tone string
	At                     time.Time
}

// timelineOf lists what happened to a request, and what will, in order.
func timelineOf(now time.Time, r *ag.Request) []timelineEntry {
	out := []timelineEntry{{What: "Created by " + orDash(r.CreatedBy), At: r.CreatedAt, When: Ago(now, r.CreatedAt), Tone: "wait"}}
	for _, v := range r.Votes {
		// The store keeps microseconds; a vote's time in its JSON may carry nanoseconds.
		if r.DecidedAt != nil && v.CreatedAt.Truncate(time.Microsecond).Equal(r.DecidedAt.Truncate(time.Microsecond)) && v.Voter == r.DecidedBy {
			continue // the deciding vote is the decision below
		}
		out = append(out, timelineEntry{What: Title(v.Decision) + " by " + v.Voter, At: v.CreatedAt, When: Ago(now, v.CreatedAt), Note: v.Reason, Tone: toneOf(v.Decision)})
	}
	if r.DecidedAt != nil {
		out = append(out, timelineEntry{What: Title(string(r.Status)) + " by " + orDash(r.DecidedBy), At: *r.DecidedAt,
			When: Ago(now, *r.DecidedAt), Note: r.DecisionReason, Tone: toneOf(string(r.Status))})
	} else {
		verb := "Expires"
		if !now.Before(r.ExpiresAt) {
			verb = "Expired"
		}
		out = append(out, timelineEntry{What: verb, At: r.ExpiresAt, When: Until(now, r.ExpiresAt), Tone: "quiet"})
	}
	return out
}

func toneOf(s string) string {
	switch s {
	case ag.DecisionApproved:
		return "ok"
	case ag.DecisionDenied:
		return "bad"
	}
	return "quiet"
}

func dialogID(decision string) string {
	if decision == ag.DecisionApproved {
		return "approve-dialog"
	}
	return "deny-dialog"
}

func dialogTitle(decision string) string {
	if decision == ag.DecisionApproved {
		return "Approve this request?"
	}
	return "Deny this request?"
}

func confirmLabel(decision string) string {
	if decision == ag.DecisionApproved {
		return "Approve"
	}
	return "Deny"
}

func confirmClass(decision string) string {
	if decision == ag.DecisionApproved {
		return "btn-approve"
	}
	return "btn-deny"
}

func policyCrumb(p PolicyForm) string {
	if p.ID == "" {
		return "New"
	}
	return p.Name
}

func policyHeading(p PolicyForm) string {
	if p.ID == "" {
		return "New policy"
	}
	if !p.Can.WritePolicies {
		return p.Name
	}
	return "Edit “" + p.Name + "”"
}

func policyAction(p PolicyForm) string {
	if p.ID == "" {
		return "/policies"
	}
	return "/policies/" + p.ID
}

func decisionTone(d string) string {
	switch d {
	case ag.AutoApprove:
		return "tone-ok"
	case ag.AutoDeny:
		return "tone-bad"
	}
	return "tone-wait"
}

func ruleIndex(o ag.Outcome) string {
	if o.RuleIndex == nil {
		return "—"
	}
	return fmt.Sprintf("%d", *o.RuleIndex+1)
}

func ruleJSON(r *ag.Rule) string {
	if r == nil {
		return ""
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}

// OWASPCode is the short code of an OWASP LLM risk tag: "LLM06:2025" of
// "LLM06:2025 Excessive Agency". The full name goes in a title.
func OWASPCode(tag string) string {
	code, _, _ := strings.Cut(tag, " ")
	return code
}
