package views

import (
	"strings"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/internal/reveal"
)

// Decision link page states, each with its own heading and HTTP status.
const (
	LinkReady     = "ready"     // the form that decides
	LinkDone      = "done"      // decided just now by this link
	LinkUsed      = "used"      // 410
	LinkExpired   = "expired"   // 410
	LinkDecided   = "decided"   // 409: the request was settled another way
	LinkForbidden = "forbidden" // 403: the recipient may no longer decide
	LinkUnknown   = "unknown"   // 404
	LinkWait      = "wait"      // 429: too many unknown links from this address
)

// DecideLinkPage is the page a decision link in an approval email opens. It works without
// signing in, without JavaScript and under the dashboard's CSP.
type DecideLinkPage struct {
	Shell
	State    string
	Decision string // ag.DecisionApproved or ag.DecisionDenied
	Request  *ag.Request
	Who      string // the name or address the decision is made as
	Action   string // the form's URL
	Message  string // why the link cannot decide, or what a refused POST needs
	Reason   string // as typed, when the form comes back
}

// linkHeading is the page's first line for its state.
func linkHeading(p DecideLinkPage) string {
	switch p.State {
	case LinkReady:
		if p.Decision == ag.DecisionDenied {
			return "Deny this request?"
		}
		return "Approve this request?"
	case LinkDone:
		return doneHeading(p.Request)
	case LinkUsed:
		return "This link has been used"
	case LinkExpired:
		return "This link has expired"
	case LinkDecided:
		return "This request is already " + string(p.Request.Status)
	case LinkForbidden:
		return "This link cannot decide"
	case LinkWait:
		return "Too many invalid links"
	}
	return "This link is not valid"
}

func doneHeading(r *ag.Request) string {
	if r.Status == ag.StatusPending {
		return "Your approval is recorded"
	}
	return "Request " + string(r.Status)
}

// linkButton is the label of the form's one button.
func linkButton(decision string) string {
	if decision == ag.DecisionDenied {
		return "Deny"
	}
	return "Approve"
}

// Revealed shows an agent's text with its hidden characters as visible marks, as the
// approval email shows it.
func Revealed(s string) string {
	shown, _ := reveal.String(s)
	return shown
}

// hasFields reports whether raw is a JSON object with at least one member.
func hasFields(raw []byte) bool {
	t := strings.TrimSpace(string(raw))
	return t != "" && t != "{}" && t != "null"
}
