package discord

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/agentgate/agentgate"
)

// Interaction types.
const (
	InteractionPing        = 1
	InteractionComponent   = 3 // a button was clicked
	InteractionModalSubmit = 5 // a form was submitted
)

// Interaction is what Discord sends when someone clicks a button or submits a form, as
// far as AgentGate reads it.
type Interaction struct {
	ID            string `json:"id"`
	ApplicationID string `json:"application_id"`
	Type          int    `json:"type"`
	Token         string `json:"token"`
	ChannelID     string `json:"channel_id"`
	Data          struct {
		CustomID   string      `json:"custom_id"`
		Components []Component `json:"components"` // a form's fields, as submitted
	} `json:"data"`
	Member *struct { // in a server
		Nick string `json:"nick"`
		User user   `json:"user"`
	} `json:"member"`
	User *user `json:"user"` // in a direct message
}

type user struct {
	ID         string `json:"id"`
	Username   string `json:"username"`
	GlobalName string `json:"global_name"`
}

// ParseInteraction reads an interaction. Verify its signature first when it came over
// HTTP.
func ParseInteraction(body []byte) (Interaction, error) {
	var in Interaction
	if err := json.Unmarshal(body, &in); err != nil {
		return in, errors.New("discord: the interaction is not JSON")
	}
	if in.Type == 0 || (in.Type != InteractionPing && in.ID == "") {
		return in, errors.New("discord: the interaction has no type or id")
	}
	return in, nil
}

// Clicker is the user who made the interaction, by the id Discord gives and the name
// the server shows: their nickname there, else their display name, else their username.
func (in Interaction) Clicker() agentgate.ChatUser {
	u, nick := in.User, ""
	if in.Member != nil {
		u, nick = &in.Member.User, in.Member.Nick
	}
	if u == nil {
		return agentgate.ChatUser{Platform: agentgate.ChannelDiscord}
	}
	name := nick
	for _, n := range []string{u.GlobalName, u.Username} {
		if name == "" {
			name = n
		}
	}
	return agentgate.ChatUser{Platform: agentgate.ChannelDiscord, ID: u.ID, Name: name}
}

// Choice is what a click or a form asks for: a decision on a request, with the reason
// typed into the form.
type Choice struct {
	RequestID string
	Decision  string // agentgate.DecisionApproved or agentgate.DecisionDenied
	Reason    string
	Form      bool // it came from the reason form
}

// Choice reads the decision a button's or a form's custom id names; false when it names
// none of AgentGate's.
func (in Interaction) Choice() (Choice, bool) {
	id := in.Data.CustomID
	var c Choice
	if in.Type == InteractionModalSubmit {
		rest, ok := strings.CutPrefix(id, reasonPrefix)
		if !ok {
			return c, false
		}
		id, c.Form, c.Reason = rest, true, formValue(in.Data.Components, reasonInput)
	} else if in.Type != InteractionComponent {
		return c, false
	}
	action, requestID, _ := strings.Cut(id, ":")
	switch action {
	case actionApprove:
		c.Decision = agentgate.DecisionApproved
	case actionDeny:
		c.Decision = agentgate.DecisionDenied
	default:
		return c, false
	}
	c.RequestID = requestID
	return c, requestID != ""
}

// formValue finds the text typed into the input with the custom id, in a label or (as
// forms were built before labels) an action row.
func formValue(cs []Component, customID string) string {
	for _, c := range cs {
		if c.Type == ComponentTextInput && c.CustomID == customID {
			return c.Value
		}
		if c.Component != nil {
			if v := formValue([]Component{*c.Component}, customID); v != "" {
				return v
			}
		}
		if v := formValue(c.Components, customID); v != "" {
			return v
		}
	}
	return ""
}
