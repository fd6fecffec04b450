package slack

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/slack-go/slack"

	"github.com/agentgate/agentgate"
)

// Action ids of the message's buttons, which interactions name.
const (
	ActionApprove = "agentgate_approve"
	ActionDeny    = "agentgate_deny"
	ActionOpen    = "agentgate_open" // the link to the dashboard; Slack reports its clicks too
)

// Limits on what a message shows, within Slack's own (3,000 characters a section, 2,000 a
// field, 150 a header); the rest of a request is a link away.
const (
	MaxParamsChars  = 1800
	MaxContextChars = 600
	maxHeaderChars  = 150
	maxFieldChars   = 300
	maxReasonChars  = 1000
	maxVotesShown   = 10
)

// Message is everything one Slack message about a request is made of; Build looks nothing
// up, so the same message always gives the same bytes.
type Message struct {
	Request agentgate.Request // as it is now: pending, or how it ended
	BaseURL string            // the server's public URL, for the link to the request
}

// Built is a message ready for chat.postMessage or chat.update: its notification text, its
// header block, and one attachment, coloured by urgency or outcome, holding the rest.
type Built struct {
	Text        string             `json:"text"`
	Blocks      []slack.Block      `json:"blocks"`
	Attachments []slack.Attachment `json:"attachments"`
}

// Build makes the message that shows m's request as it is now: pending with Approve and
// Deny buttons, or, once it is decided, expired or cancelled, the outcome, who and when,
// without buttons. An error means m is incomplete and will not get better by retrying.
func Build(m Message) (*Built, error) {
	r := &m.Request
	if r.ID == "" {
		return nil, errors.New("slack: the message has no request")
	}
	link, err := requestLink(m.BaseURL, r.ID)
	if err != nil {
		return nil, err
	}
	var t text
	o := outcomeOf(r)
	action := t.plain(r.Action, maxHeaderChars-len(o.title)-4, true)
	b := &Built{Text: o.title + ": " + escape(action)}
	if r.Status == agentgate.StatusPending {
		b.Text += " (" + string(urgencyOf(r)) + " urgency)"
	}
	b.Blocks = []slack.Block{slack.NewHeaderBlock(plainText(o.icon + " " + o.title + ": " + action))}
	blocks := []slack.Block{slack.NewSectionBlock(nil, facts(&t, r, o), nil)}
	blocks = append(blocks, objectBlocks(&t, r, link)...)
	if v := votes(&t, r); v != nil {
		blocks = append(blocks, v)
	}
	if r.Status == agentgate.StatusPending {
		blocks = append(blocks, buttons(r, link))
	}
	blocks = append(blocks, footer(&t, r, link))
	colour := o.colour
	if colour == "" {
		colour = urgencyColours[urgencyOf(r)]
	}
	b.Attachments = []slack.Attachment{{Color: colour, Fallback: b.Text, Blocks: slack.Blocks{BlockSet: blocks}}}
	return b, nil
}

// outcome is how a message names and colours where its request stands.
type outcome struct {
	icon, title string
	colour      string // "" takes the urgency's colour
	by, at      string // the labels of the decider and the time, if any
}

var outcomes = map[agentgate.Status]outcome{
	agentgate.StatusPending:   {icon: "🔔", title: "Approval needed"},
	agentgate.StatusApproved:  {icon: "✅", title: "Approved", colour: "#15803d", by: "Approved by", at: "Approved"},
	agentgate.StatusDenied:    {icon: "❌", title: "Denied", colour: "#b91c1c", by: "Denied by", at: "Denied"},
	agentgate.StatusExpired:   {icon: "⌛", title: "Expired", colour: "#6b7280", at: "Expired"},
	agentgate.StatusCancelled: {icon: "🚫", title: "Cancelled", colour: "#6b7280", by: "Cancelled by", at: "Cancelled"},
}

func outcomeOf(r *agentgate.Request) outcome {
	if o, ok := outcomes[r.Status]; ok {
		return o
	}
	return outcome{icon: "❔", title: "Unknown state " + string(r.Status), colour: "#6b7280"}
}

// urgencyColours are the attachment bar's colours, as the email and the dashboard use them.
var urgencyColours = map[agentgate.Urgency]string{
	agentgate.UrgencyLow:      "#4b5563",
	agentgate.UrgencyNormal:   "#1d4ed8",
	agentgate.UrgencyHigh:     "#c2410c",
	agentgate.UrgencyCritical: "#b91c1c",
}

var urgencyMarks = map[agentgate.Urgency]string{
	agentgate.UrgencyLow:      "⚪",
	agentgate.UrgencyNormal:   "🔵",
	agentgate.UrgencyHigh:     "🟠",
	agentgate.UrgencyCritical: "🔴",
}

func urgencyOf(r *agentgate.Request) agentgate.Urgency {
	if _, ok := urgencyColours[r.Urgency]; ok {
		return r.Urgency
	}
	return agentgate.UrgencyNormal
}

// facts are the short fields under the header: urgency, who asked, and either what a
// decision needs (pending) or who ended the request and when.
func facts(t *text, r *agentgate.Request, o outcome) []*slack.TextBlockObject {
	u := urgencyOf(r)
	by, _ := t.mrkdwn(r.CreatedBy, maxFieldChars)
	fs := []*slack.TextBlockObject{field("Urgency", urgencyMarks[u]+" "+string(u)), field("Requested by", by)}
	if r.Status == agentgate.StatusPending {
		fs = append(fs, field("Expires", date(r.ExpiresAt)), field("Approvals", approvals(r)), field("Who may decide", deciders(t, r)))
		if r.PolicyDecision.RequireReason {
			fs = append(fs, field("Reason", "required with the decision"))
		}
		return fs
	}
	if o.by != "" {
		who, _ := t.mrkdwn(r.DecidedBy, maxFieldChars)
		fs = append(fs, field(o.by, who))
	}
	when := r.UpdatedAt
	if r.DecidedAt != nil {
		when = *r.DecidedAt
	}
	fs = append(fs, field(o.at, date(when)))
	if r.DecisionReason != "" && r.Status != agentgate.StatusExpired {
		reason, _ := t.mrkdwn(r.DecisionReason, maxReasonChars)
		fs = append(fs, field("Reason", reason))
	}
	return fs
}

func field(label, value string) *slack.TextBlockObject {
	return mrkdwnText("*" + label + "*\n" + value)
}

func approvals(r *agentgate.Request) string {
	need := r.ApprovalsNeeded()
	if need == 1 {
		return "one approval or one denial decides"
	}
	return fmt.Sprintf("%d of %d so far; one denial decides", r.Approvals(), need)
}

// deciders says who may decide, as the routing rule names them.
func deciders(t *text, r *agentgate.Request) string {
	names := r.PolicyDecision.Approvers
	if len(names) == 0 {
		return "anyone who can see this message"
	}
	out, _ := t.mrkdwn(strings.Join(names, ", "), maxFieldChars)
	return out
}

// requestLink is the request's page in the dashboard.
func requestLink(baseURL, id string) (string, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("slack: BASE_URL %q is not an absolute http(s) URL to link requests to", baseURL)
	}
	return strings.TrimRight(baseURL, "/") + "/requests/" + url.PathEscape(id), nil
}

func plainText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

func mrkdwnText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

// escape escapes our own text for mrkdwn (an agent's goes through text.mrkdwn).
func escape(s string) string {
	out, _ := clip(s, len(s)*5+1, true)
	return out
}
