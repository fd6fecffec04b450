package discord

import (
	"fmt"
	"strings"
	"time"

	"github.com/agentgate/agentgate"
)

// Links are the absolute URLs a message points to.
type Links struct {
	// Request is the request in the dashboard; "" leaves the link out (see LinksFor).
	Request string
}

// Custom ids: the Approve and Deny buttons carry "approve:<request id>" and
// "deny:<request id>" (as the original AgentGate's did); the reason form carries
// "reason:" before that, and its text input is "reason".
const (
	actionApprove = "approve"
	actionDeny    = "deny"
	reasonPrefix  = "reason:"
	reasonInput   = "reason"
)

// Colours (Discord takes RGB as one number): the urgency while a request waits, the
// outcome once it is closed. They match the approval emails'.
var (
	urgencyColours = map[agentgate.Urgency]int{
		agentgate.UrgencyLow: 0x4B5563, agentgate.UrgencyNormal: 0x1D4ED8,
		agentgate.UrgencyHigh: 0xC2410C, agentgate.UrgencyCritical: 0xB91C1C,
	}
	urgencyMarks = map[agentgate.Urgency]string{
		agentgate.UrgencyLow: "⚪ Low", agentgate.UrgencyNormal: "🔵 Normal",
		agentgate.UrgencyHigh: "🟠 High", agentgate.UrgencyCritical: "🔴 Critical",
	}
	outcomes = map[agentgate.Status]struct {
		colour int
		title  string
	}{
		agentgate.StatusApproved:  {0x15803D, "✅ Approved"},
		agentgate.StatusDenied:    {0xB91C1C, "⛔ Denied"},
		agentgate.StatusExpired:   {0x4B5563, "⌛ Expired without a decision"},
		agentgate.StatusCancelled: {0x4B5563, "🚫 Cancelled by the agent"},
	}
)

// Build makes the message that shows r as it now is: while it waits, what the agent asks
// with Approve and Deny buttons; once closed, the outcome, who and when, without buttons.
// Votes cast so far show in both. It is a pure function of its arguments, so the same
// request always gives the same message.
func Build(r agentgate.Request, links Links) Message {
	v := &shower{}
	e := Embed{
		Title:     cut(v.line(r.Action), maxTitle),
		URL:       links.Request,
		Footer:    &Footer{Text: "AgentGate · " + r.ID},
		Timestamp: r.CreatedAt.UTC().Format(time.RFC3339),
	}
	var content string
	out, closed := outcomes[r.Status]
	if closed {
		e.Color = out.colour
		e.Description = v.outcome(r, out.title)
		content = "**" + out.title + "**: " + e.Title
	} else {
		e.Color = urgencyColours[urgencyOf(r)]
		e.Description = "An agent asks for approval."
		content = "**Approval needed**: " + e.Title
	}
	e.Fields = v.facts(r, closed)
	e.Fields = append(e.Fields, v.data(r, links)...)
	if v.hidden {
		e.Fields = append(e.Fields, Field{Name: "⚠️ Hidden characters",
			Value: "Characters that do not show on screen are marked ⟨U+…⟩ where they are."})
	}
	return Message{Content: content, Embeds: []Embed{e}, Components: buttons(r, links, closed), AllowedMentions: noMentions}
}

// urgencyOf is r's urgency, normal when it is none of the four.
func urgencyOf(r agentgate.Request) agentgate.Urgency {
	if _, ok := urgencyColours[r.Urgency]; ok {
		return r.Urgency
	}
	return agentgate.UrgencyNormal
}

// outcome describes how a closed request ended.
func (v *shower) outcome(r agentgate.Request, title string) string {
	at := r.UpdatedAt
	if r.DecidedAt != nil {
		at = *r.DecidedAt
	}
	s := "**" + title + "**"
	switch r.Status {
	case agentgate.StatusApproved, agentgate.StatusDenied, agentgate.StatusCancelled:
		s += " by " + v.line(r.DecidedBy)
	}
	s += " · " + stamp(at)
	if r.DecisionReason != "" && r.Status != agentgate.StatusExpired {
		s += "\n> " + cut(v.line(r.DecisionReason), 1000)
	}
	return s
}

// facts are the short fields: urgency, who asked, expiry, approvals and votes, the reason
// rule and the policy.
func (v *shower) facts(r agentgate.Request, closed bool) []Field {
	fs := []Field{
		{Name: "Urgency", Value: urgencyMarks[urgencyOf(r)], Inline: true},
		{Name: "Requested by", Value: cut(v.line(r.CreatedBy), 200), Inline: true},
	}
	if !closed {
		fs = append(fs, Field{Name: "Expires", Value: stamp(r.ExpiresAt) + " (" + relative(r.ExpiresAt) + ")", Inline: true})
	}
	if need := r.ApprovalsNeeded(); need > 1 {
		fs = append(fs, Field{Name: "Approvals", Value: fmt.Sprintf("%d of %d: %d different people must approve; one denial decides", r.Approvals(), need, need)})
	}
	if len(r.Votes) > 0 {
		fs = append(fs, Field{Name: "Votes", Value: v.votes(r.Votes)})
	}
	if r.PolicyDecision.RequireReason && !closed {
		fs = append(fs, Field{Name: "Reason", Value: "Required: you will be asked for one."})
	}
	if name := r.PolicyDecision.PolicyName; name != "" {
		fs = append(fs, Field{Name: "Policy", Value: cut(v.line(name), 200), Inline: true})
	}
	return fs
}

// votes lists the votes cast, one a line, as many as fit in a field.
func (v *shower) votes(vs []agentgate.Vote) string {
	var b strings.Builder
	for i, vote := range vs {
		mark := "✅"
		if vote.Decision == agentgate.DecisionDenied {
			mark = "⛔"
		}
		line := mark + " " + cut(v.line(vote.Voter), 100) + " · " + stamp(vote.CreatedAt)
		if vote.Channel != "" {
			line += " · " + vote.Channel
		}
		if vote.Reason != "" {
			line += ": " + cut(v.line(vote.Reason), 150)
		}
		more := fmt.Sprintf("\n… and %d more", len(vs)-i)
		if b.Len() > 0 && len([]rune(b.String()+"\n"+line+more)) > maxFieldValue {
			b.WriteString(more)
			break
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(line)
	}
	return b.String()
}

// data are the params and context, each a code block cut to fit a field.
func (v *shower) data(r agentgate.Request, links Links) []Field {
	more := "The whole request is in AgentGate."
	if links.Request != "" {
		more = "[See the whole request](" + links.Request + ")"
	}
	var fs []Field
	for _, d := range []struct {
		name string
		raw  []byte
	}{{"Parameters", r.Params}, {"Context", r.Context}} {
		if len(d.raw) == 0 || string(d.raw) == "{}" || string(d.raw) == "null" {
			continue
		}
		fs = append(fs, Field{Name: d.name, Value: v.codeBlock(d.raw, maxFieldValue, more)})
	}
	return fs
}

// buttons are Approve and Deny while r waits, and the link to the dashboard.
func buttons(r agentgate.Request, links Links, closed bool) []Component {
	var row []Component
	if !closed {
		row = append(row,
			Component{Type: ComponentButton, Style: ButtonSuccess, Label: "Approve", CustomID: actionApprove + ":" + r.ID},
			Component{Type: ComponentButton, Style: ButtonDanger, Label: "Deny", CustomID: actionDeny + ":" + r.ID})
	}
	if links.Request != "" {
		row = append(row, Component{Type: ComponentButton, Style: ButtonLink, Label: "Open in AgentGate", URL: links.Request})
	}
	if len(row) == 0 {
		return []Component{}
	}
	return []Component{{Type: ComponentActionRow, Components: row}}
}
