package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/client"
)

// printJSON writes v as indented JSON, for scripts.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// stamp shows a time to a person: RFC 3339 in UTC, to the second.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// printRequest writes one request as aligned "Field:  value" lines.
func printRequest(w io.Writer, r *agentgate.Request) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s:\t%s\n", k, v) }
	row("ID", r.ID)
	row("Action", r.Action)
	row("Status", string(r.Status))
	row("Urgency", string(r.Urgency))
	row("Requested by", r.CreatedBy)
	row("Created", stamp(r.CreatedAt))
	row("Expires", stamp(r.ExpiresAt))
	if r.DecidedAt != nil {
		row("Decided", stamp(*r.DecidedAt)+" by "+r.DecidedBy)
	}
	if r.DecisionReason != "" {
		row("Reason", r.DecisionReason)
	}
	row("Policy", outcome(r.PolicyDecision))
	if h := r.PolicyDecision.Hold; h != nil && h.Reason != "" {
		row("Held", h.Reason)
	}
	if r.RequiredApprovals > 1 {
		var voters []string
		approvals := 0
		for _, v := range r.Votes {
			voters = append(voters, v.Voter+" "+v.Decision)
			if v.Decision == agentgate.DecisionApproved {
				approvals++
			}
		}
		row("Approvals", fmt.Sprintf("%d of %d %s", approvals, r.RequiredApprovals, strings.Join(voters, ", ")))
	}
	row("Params", compactJSON(r.Params))
	row("Context", compactJSON(r.Context))
	return tw.Flush()
}

// outcome says what the policy engine decided, and by which rule.
func outcome(o agentgate.Outcome) string {
	if o.RuleIndex == nil {
		return o.Decision + " (no rule matched)"
	}
	return fmt.Sprintf("%s by policy %q, rule %d", o.Decision, o.PolicyName, *o.RuleIndex)
}

func compactJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "{}"
	}
	return string(raw)
}

// printRequestList writes a page of requests as a table, with a line saying which part of
// the list it is.
func printRequestList(w io.Writer, p *client.RequestPage) error {
	if len(p.Requests) == 0 {
		_, err := fmt.Fprintln(w, "No requests found.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tURGENCY\tACTION\tCREATED\tDECIDED BY")
	for _, r := range p.Requests {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Status, r.Urgency, r.Action, stamp(r.CreatedAt), orDefault(r.DecidedBy, "-"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	pg := p.Pagination
	first, last := pg.Offset+1, pg.Offset+len(p.Requests)
	msg := fmt.Sprintf("\nShowing %d-%d of %d.", first, last, pg.Total)
	if pg.HasMore {
		msg += fmt.Sprintf(" Next page: --offset %d", last)
	}
	_, err := fmt.Fprintln(w, msg)
	return err
}
