package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/slack-go/slack"

	"github.com/agentgate/agentgate"
)

// InteractionKind says what an interaction asks of AgentGate.
type InteractionKind int

// Interaction kinds.
const (
	// Ignored is anything AgentGate has nothing to do for, such as a click on the link to
	// the dashboard or a dialog being closed: it is acknowledged and dropped.
	Ignored InteractionKind = iota
	// Click is a click on Approve or Deny in a request's message.
	Click
	// Submission is the reason dialog, submitted.
	Submission
)

// Interaction is a parsed interaction payload: what was asked, by whom, and where.
type Interaction struct {
	Kind      InteractionKind
	RequestID string // Click and Submission
	Decision  string // agentgate.DecisionApproved or DecisionDenied
	Reason    string // Submission only
	UserID    string // the Slack user who clicked
	UserName  string
	ChannelID string // Click: the channel of the message clicked
	TriggerID string // Click: opens the reason dialog, for 3 seconds
}

// buttonDecisions maps the decision buttons' action ids to their decisions.
var buttonDecisions = map[string]string{ActionApprove: agentgate.DecisionApproved, ActionDeny: agentgate.DecisionDenied}

// maxRequestIDLen bounds the request id a payload may name; ours are about 30 characters.
const maxRequestIDLen = 100

// FormPayload returns the JSON payload of an interaction request's body, which Slack sends
// form-encoded as payload=<json>.
func FormPayload(body []byte) ([]byte, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("slack: the interaction body is not form-encoded: %w", err)
	}
	p := form.Get("payload")
	if p == "" {
		return nil, errors.New("slack: the interaction body has no payload")
	}
	return []byte(p), nil
}

// ParseInteraction reads an interaction payload (the JSON Slack posts, or sends over
// Socket Mode). An error means the payload is malformed or names no usable request; a
// payload for something else parses as Ignored.
func ParseInteraction(payload []byte) (Interaction, error) {
	var ic slack.InteractionCallback
	if err := json.Unmarshal(payload, &ic); err != nil {
		return Interaction{}, fmt.Errorf("slack: the interaction payload is not valid JSON: %w", err)
	}
	in := Interaction{UserID: ic.User.ID, UserName: ic.User.Name}
	switch ic.Type {
	case slack.InteractionTypeBlockActions:
		for _, a := range ic.ActionCallback.BlockActions {
			if in.Decision = buttonDecisions[a.ActionID]; in.Decision == "" {
				continue
			}
			in.Kind, in.RequestID, in.TriggerID = Click, a.Value, ic.TriggerID
			in.ChannelID = ic.Channel.ID
			if in.ChannelID == "" {
				in.ChannelID = ic.Container.ChannelID
			}
			break
		}
	case slack.InteractionTypeViewSubmission:
		if ic.View.CallbackID != ReasonCallbackID {
			return in, nil
		}
		var ref dialogRef
		if err := json.Unmarshal([]byte(ic.View.PrivateMetadata), &ref); err != nil {
			return Interaction{}, fmt.Errorf("slack: the reason dialog's metadata is not ours: %w", err)
		}
		in.Kind, in.RequestID, in.Decision = Submission, ref.RequestID, ref.Decision
		if ic.View.State != nil {
			in.Reason = ic.View.State.Values[reasonBlockID][reasonActionID].Value
		}
	}
	if in.Kind == Ignored {
		return in, nil
	}
	switch {
	case in.UserID == "":
		return Interaction{}, errors.New("slack: the interaction names no user")
	case in.RequestID == "" || len(in.RequestID) > maxRequestIDLen:
		return Interaction{}, errors.New("slack: the interaction names no request")
	case in.Decision != agentgate.DecisionApproved && in.Decision != agentgate.DecisionDenied:
		return Interaction{}, fmt.Errorf("slack: the interaction's decision %q is neither approved nor denied", in.Decision)
	}
	return in, nil
}
