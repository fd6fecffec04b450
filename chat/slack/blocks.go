package slack

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/agentgate/agentgate"
)

// objectBlocks show the request's params and context as indented JSON in code blocks, cut
// to MaxParamsChars and MaxContextChars with a link to the whole request.
func objectBlocks(t *text, r *agentgate.Request, link string) []slack.Block {
	var out []slack.Block
	for _, o := range []struct {
		label string
		raw   json.RawMessage
		limit int
	}{{"Params", r.Params, MaxParamsChars}, {"Context", r.Context, MaxContextChars}} {
		if emptyObject(o.raw) {
			continue
		}
		code, cut := t.mrkdwn(prettyJSON(o.raw), o.limit)
		s := "*" + o.label + "*\n```" + code + "```"
		if cut {
			s += "\n_Cut short: <" + link + "|see the whole request>_"
		}
		out = append(out, slack.NewSectionBlock(mrkdwnText(s), nil, nil))
	}
	return out
}

// votes lists the votes cast, once a request takes more than one approval or has ended
// with votes in it (a single decider's vote is the decision itself).
func votes(t *text, r *agentgate.Request) slack.Block {
	if len(r.Votes) == 0 || r.ApprovalsNeeded() == 1 {
		return nil
	}
	s := "*Votes*"
	for i, v := range r.Votes {
		if i == maxVotesShown {
			s += fmt.Sprintf("\n…and %d more", len(r.Votes)-i)
			break
		}
		mark := "✅"
		if v.Decision != agentgate.DecisionApproved {
			mark = "❌"
		}
		who, _ := t.mrkdwn(v.Voter, maxFieldChars)
		s += "\n" + mark + " " + who + " " + v.Decision + " " + date(v.CreatedAt)
		if v.Reason != "" {
			reason, _ := t.mrkdwn(v.Reason, maxFieldChars)
			s += ": " + reason
		}
	}
	return slack.NewSectionBlock(mrkdwnText(s), nil, nil)
}

// buttons are Approve, Deny (each carrying the request id) and a link to the request. When
// the rule asks for a reason, the decision buttons say a dialog follows.
func buttons(r *agentgate.Request, link string) slack.Block {
	approve, deny := "Approve", "Deny"
	if r.PolicyDecision.RequireReason {
		approve, deny = "Approve…", "Deny…"
	}
	open := slack.NewButtonBlockElement(ActionOpen, "", plainText("Open in AgentGate"))
	open.URL = link
	return slack.NewActionBlock("",
		slack.NewButtonBlockElement(ActionApprove, r.ID, plainText(approve)).WithStyle(slack.StylePrimary),
		slack.NewButtonBlockElement(ActionDeny, r.ID, plainText(deny)).WithStyle(slack.StyleDanger),
		open)
}

// footer names the request and the rule that routed it, links to it once it has ended,
// and says when the message shows hidden characters.
func footer(t *text, r *agentgate.Request, link string) slack.Block {
	s := "Request `" + escape(r.ID) + "`"
	if r.Status != agentgate.StatusPending {
		s = "<" + link + "|Request `" + escape(r.ID) + "`>"
	}
	if p := r.PolicyDecision; p.PolicyName != "" {
		name, _ := t.mrkdwn(p.PolicyName, maxFieldChars)
		s += " · policy " + name
		if p.RuleIndex != nil {
			s += ", rule " + strconv.Itoa(*p.RuleIndex)
		}
	}
	elems := []slack.MixedElement{mrkdwnText(s)}
	if t.hidden {
		elems = append(elems, mrkdwnText("⚠️ Hidden characters in this request are shown as ⟨U+…⟩ marks: read them before deciding."))
	}
	return slack.NewContextBlock("", elems...)
}
