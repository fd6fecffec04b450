package mail

import (
	"fmt"
	"strings"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/internal/reveal"
)

// view is what both bodies show, every text from the agent already revealed.
type view struct {
	Kind     Kind
	Subject  string
	Title    string // the first line: what happened, or what is asked
	Greeting string // the recipient's name, or ""
	Action   string
	Urgency  urgencyView
	Facts    []fact // the short facts under the title, in order
	Votes    []string
	Params   fields
	Context  fields
	Links    Links
	Hidden   bool // a revealed text held hidden characters
	Mixed    bool // a word mixes Latin with Cyrillic or Greek
	Address  string
}

type fact struct{ Label, Value string }

type urgencyView struct {
	Name       string // low, normal, high, critical
	Background string // the badge's colours; its text says the same without them
	Color      string
}

var urgencyColours = map[agentgate.Urgency][2]string{
	agentgate.UrgencyLow:      {"#4b5563", "#ffffff"},
	agentgate.UrgencyNormal:   {"#1d4ed8", "#ffffff"},
	agentgate.UrgencyHigh:     {"#c2410c", "#ffffff"},
	agentgate.UrgencyCritical: {"#b91c1c", "#ffffff"},
}

// newView prepares m for the templates.
func newView(m Message) *view {
	r := &m.Request
	v := &view{Kind: m.Kind, Links: m.Links, Address: m.To.Address}
	v.Action = v.show(r.Action)
	u := r.Urgency
	if _, ok := urgencyColours[u]; !ok {
		u = agentgate.UrgencyNormal
	}
	c := urgencyColours[u]
	v.Urgency = urgencyView{Name: string(u), Background: c[0], Color: c[1]}
	v.Subject = subject(v.Action, u)
	if m.Kind.FollowUp() {
		v.Subject = "Re: " + v.Subject
	}
	v.Greeting = v.show(m.To.Name)
	v.Params = v.showFields(objectFields(r.Params))
	v.Context = v.showFields(objectFields(r.Context))
	for _, vote := range r.Votes {
		line := v.show(vote.Voter) + " " + vote.Decision + " at " + when(vote.CreatedAt)
		if vote.Reason != "" {
			line += ": " + v.show(vote.Reason)
		}
		v.Votes = append(v.Votes, line)
	}
	if m.Kind == KindRequest {
		v.requestFacts(r)
	} else {
		v.followUpFacts(m.Kind, r)
	}
	return v
}

func (v *view) requestFacts(r *agentgate.Request) {
	v.Title = "An agent asks for approval"
	v.add("Requested by", v.show(r.CreatedBy))
	v.add("Requested at", when(r.CreatedAt))
	v.add("Expires at", when(r.ExpiresAt))
	if need := r.ApprovalsNeeded(); need > 1 {
		v.add("Approvals", fmt.Sprintf("%d of %d so far: %d different people must approve; one denial decides", r.Approvals(), need, need))
	} else {
		v.add("Approvals", fmt.Sprintf("%d of 1: one approval or one denial decides", r.Approvals()))
	}
	if r.PolicyDecision.RequireReason {
		v.add("Reason", "required: give one with your decision")
	}
	if name := r.PolicyDecision.PolicyName; name != "" {
		v.add("Policy", v.show(name))
	}
	v.add("Request", r.ID)
}

func (v *view) followUpFacts(k Kind, r *agentgate.Request) {
	decidedAt := r.UpdatedAt
	if r.DecidedAt != nil {
		decidedAt = *r.DecidedAt
	}
	switch k {
	case KindApproved, KindDenied:
		v.Title = map[Kind]string{KindApproved: "Approved", KindDenied: "Denied"}[k]
		v.add("Decided by", v.show(r.DecidedBy))
		v.add("Decided at", when(decidedAt))
	case KindExpired:
		v.Title = "Expired without a decision"
		v.add("Expired at", when(decidedAt))
	case KindCancelled:
		v.Title = "Cancelled by the agent"
		v.add("Cancelled by", v.show(r.DecidedBy))
		v.add("Cancelled at", when(decidedAt))
	}
	if r.DecisionReason != "" && k != KindExpired {
		v.add("Reason", v.show(r.DecisionReason))
	}
	v.add("Request", r.ID)
}

func (v *view) add(label, value string) { v.Facts = append(v.Facts, fact{label, value}) }

// show reveals the hidden characters of an agent's text and notes what it found.
func (v *view) show(s string) string {
	shown, hidden := reveal.String(s)
	v.Hidden = v.Hidden || hidden
	v.Mixed = v.Mixed || reveal.MixedScript(s)
	return shown
}

func (v *view) showFields(f fields) fields {
	for i := range f.List {
		f.List[i].Key = v.show(f.List[i].Key)
		f.List[i].Value = v.show(f.List[i].Value)
	}
	return f
}

// subject names the action and the urgency. It is the same for the request message and,
// after "Re: ", for its follow-up, which is what mail clients thread on besides References.
func subject(action string, u agentgate.Urgency) string {
	a, n := cut(oneLine.Replace(action), 80)
	if n > 0 {
		a += "…"
	}
	return fmt.Sprintf("Approval needed: %s (%s urgency)", a, u)
}

// oneLine marks the line breaks and tabs that reveal keeps, which a subject cannot hold.
var oneLine = strings.NewReplacer("\n", "⟨U+000A⟩", "\t", "⟨U+0009⟩")

// when shows a time to a reader whose time zone is unknown.
func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
