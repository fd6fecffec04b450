package discord

import (
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/agentgate/agentgate"
)

// LinksFor returns the links of a request on the server at baseURL (BASE_URL). A server
// known only as localhost or a loopback address gets none: no one else can open them,
// and Discord refuses a message whose link is not a well-formed public URL, which would
// fail the delivery for good.
func LinksFor(baseURL, requestID string) Links {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !reachable(u.Hostname()) {
		return Links{}
	}
	return Links{Request: strings.TrimRight(baseURL, "/") + "/requests/" + url.PathEscape(requestID)}
}

// reachable reports whether host could name this server to someone else.
func reachable(host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		return !ip.IsLoopback() && !ip.IsUnspecified()
	}
	return strings.Contains(host, ".") && !strings.HasSuffix(strings.ToLower(host), ".localhost")
}

// Ephemeral is an answer only the user who clicked sees, changing nothing else.
func Ephemeral(text string) Response {
	return Response{Type: ResponseMessage, Data: &Message{Content: text, Embeds: []Embed{},
		Components: []Component{}, AllowedMentions: noMentions, Flags: FlagEphemeral}}
}

// Update answers a click by showing r as it now is in the message the button is on.
func Update(r agentgate.Request, links Links) Response {
	m := Build(r, links)
	return Response{Type: ResponseUpdateMessage, Data: &m}
}

// ReasonForm asks the user who clicked for the reason the rule requires; its submission
// carries the decision and the request in its custom id.
func ReasonForm(requestID, decision string) Response {
	title, action := "Reason to approve", actionApprove
	if decision == agentgate.DecisionDenied {
		title, action = "Reason to deny", actionDeny
	}
	input := Component{Type: ComponentTextInput, CustomID: reasonInput, Style: TextParagraph, MinLength: 1,
		MaxLength: agentgate.MaxReasonLen, Required: true, Placeholder: "Why?"}
	return Response{Type: ResponseModal, Data: &Modal{
		CustomID: reasonPrefix + action + ":" + requestID,
		Title:    title,
		Components: []Component{{Type: ComponentLabel, Label: "Reason",
			Description: "The policy asks for a reason with every decision on this request.", Component: &input}},
	}}
}

// TestMessage is the sample a channel test posts.
func TestMessage(now time.Time) Message {
	return Message{
		Content: "**AgentGate can post here.**",
		Embeds: []Embed{{
			Title:       "Test message",
			Description: "Requests that a policy routes to this channel will appear here with Approve and Deny buttons. This message is only a test; it needs no answer.",
			Color:       urgencyColours[agentgate.UrgencyNormal],
			Footer:      &Footer{Text: "AgentGate"},
			Timestamp:   now.UTC().Format(time.RFC3339),
		}},
		Components:      []Component{},
		AllowedMentions: noMentions,
	}
}
