package views

import (
	"fmt"
	"net/url"
	"slices"
	"time"

	ag "github.com/agentgate/agentgate"
)

// Helpers of the approver's desk: the request page, its dialog and the queue.

// waitingOn lists the approvers a quorum still waits for: those the rule names (as the
// directory describes them) who have not voted; a group waits until the request is decided.
// Empty when the rule names nobody (anyone allowed may vote).
func waitingOn(r *ag.Request, approvers []ag.Approver) []string {
	var out []string
	for _, a := range approvers {
		if a.Kind == ag.ApproverGroup {
			out = append(out, "the "+a.Name+" group")
			continue
		}
		if !slices.ContainsFunc(r.Votes, func(v ag.Vote) bool { return v.Voter == a.Name }) {
			out = append(out, a.Name)
		}
	}
	return out
}

// quorumLine is where a quorum stands: "1 of 2 — waiting on cfo".
func quorumLine(r *ag.Request, approvers []ag.Approver) string {
	s := fmt.Sprintf("%d of %d", r.Approvals(), r.ApprovalsNeeded())
	if w := waitingOn(r, approvers); len(w) > 0 && r.Status == ag.StatusPending {
		s += " — waiting on " + joinList(w)
	}
	return s
}

// approverList says who may decide, groups with their people: "cfo, finance (ana, bo)".
func approverList(approvers []ag.Approver) string {
	names := make([]string, len(approvers))
	for i, a := range approvers {
		names[i] = a.Name
		if a.Kind == ag.ApproverGroup {
			names[i] = "group " + a.Name
			if len(a.Members) > 0 {
				names[i] += " (" + joinList(a.Members) + ")"
			}
		}
	}
	return joinList(names)
}

// quorumSentence says, in the dialog, what this decision does to the request.
func quorumSentence(r *ag.Request, decision string) string {
	if decision == ag.DecisionDenied {
		return "A denial decides the request at once."
	}
	n, need := r.Approvals()+1, r.ApprovalsNeeded()
	if n >= need {
		if need == 1 {
			return "Your approval decides the request."
		}
		return fmt.Sprintf("Your approval is %d of %d: it decides the request.", n, need)
	}
	return fmt.Sprintf("Your approval is %d of %d: %d more needed after yours.", n, need, need-n)
}

// votesLine says who voted already: "alice approved: “Matches the PO” · bob approved".
func votesLine(r *ag.Request) string {
	s := ""
	for i, v := range r.Votes {
		if i > 0 {
			s += " · "
		}
		s += v.Voter + " " + v.Decision
		if v.Reason != "" {
			s += ": “" + Short(v.Reason, 80) + "”"
		}
	}
	if s != "" {
		s = "Voted already: " + s
	}
	return s
}

// paramField is one top-level param as a summary or the dialog shows it.
type paramField struct{ Key, Value string }

// firstParams returns the first n top-level params of raw, each value cut to one
// readable line.
func firstParams(raw []byte, n int) []paramField {
	fs := topLevel(raw, n)
	for i := range fs {
		fs[i].Value = Short(fs[i].Value, 120)
	}
	return fs
}

// reasonFor is the reason the dialog starts with: the one typed before, when the decision
// was refused and the dialog opens again.
func reasonFor(p RequestPage, decision string) string {
	if p.Reopen == decision {
		return p.Reason
	}
	return ""
}

// busyLabel is what the confirm button says while the decision is on its way.
func busyLabel(decision string) string {
	if decision == ag.DecisionApproved {
		return "Approving…"
	}
	return "Denying…"
}

// Urgent expiry: under UrgentExpiry left the time turns red, under SoonExpiry amber.
const (
	UrgentExpiry = 15 * time.Minute
	SoonExpiry   = time.Hour
)

// expiryTone is the colour class of a pending request's time left.
func expiryTone(now time.Time, r *ag.Request) string {
	if r.Status != ag.StatusPending {
		return "exp-quiet"
	}
	switch left := r.ExpiresAt.Sub(now); {
	case left < UrgentExpiry:
		return "exp-urgent"
	case left < SoonExpiry:
		return "exp-soon"
	}
	return "exp-ok"
}

// similarHref lists the requests like r: the same action, by the same requester.
func similarHref(r *ag.Request) string {
	return "/requests?" + url.Values{"status": {"all"}, "action": {r.Action}, "q": {r.CreatedBy}}.Encode()
}

// precedentCount says how many earlier requests were found: "12 similar requests", or
// "The last 50 similar requests" when only the newest were counted.
func precedentCount(p *ag.Precedent) string {
	if p.More {
		return "The last " + Comma(p.Similar) + " similar requests"
	}
	return Count(p.Similar, "similar request")
}

func firstChanges(cs []Change, n int) []Change { return cs[:min(n, len(cs))] }

// movedOnVerb says what became of the request decided before the page moved on.
func movedOnVerb(r *ag.Request) string {
	switch r.Status {
	case ag.StatusApproved:
		return "Approved"
	case ag.StatusDenied:
		return "Denied"
	}
	return fmt.Sprintf("Your approval is recorded (%d of %d) for", r.Approvals(), r.ApprovalsNeeded())
}

// teachOutcome is the simulator's verdict on a rule drafted from a request: how many
// other requests of the last 30 days it would have auto-approved.
func teachOutcome(others int) string {
	switch others {
	case 0:
		return "It would have auto-approved no other request in the last 30 days."
	case 1:
		return "It would have auto-approved 1 other request in the last 30 days."
	}
	return "It would have auto-approved " + Comma(others) + " other requests in the last 30 days."
}

// timeLeft is the time until r expires, bare: "40 min", or "expired".
func timeLeft(now time.Time, r *ag.Request) string {
	if !r.ExpiresAt.After(now) {
		return "expired"
	}
	return Span(r.ExpiresAt.Sub(now))
}
