package discord

import (
	"bytes"
	"encoding/json"
)

// The JSON Discord's API takes and sends, as far as AgentGate uses it. Field names and
// numbers are Discord's (API v10).

// Message is the body of a message create or edit, and the data of an interaction
// response that shows a message.
type Message struct {
	Content string  `json:"content"`
	Embeds  []Embed `json:"embeds"`
	// Components are always sent, as [] when there are none: an edit that left them out
	// would keep the old buttons.
	Components      []Component     `json:"components"`
	AllowedMentions AllowedMentions `json:"allowed_mentions"`
	Flags           int             `json:"flags,omitempty"`
	// Nonce with EnforceNonce makes Discord return the message it already created with
	// this nonce in the last few minutes instead of posting another (create only).
	Nonce        string `json:"nonce,omitempty"`
	EnforceNonce bool   `json:"enforce_nonce,omitempty"`
}

// FlagEphemeral makes an interaction's answer visible only to the user who clicked.
const FlagEphemeral = 1 << 6

// AllowedMentions says whom a message may notify. AgentGate's never notify anyone by a
// mention: an agent's text could otherwise ping @everyone.
type AllowedMentions struct {
	Parse []string `json:"parse"`
}

// noMentions notifies no one.
var noMentions = AllowedMentions{Parse: []string{}}

// Embed is a message's card.
type Embed struct {
	Title       string  `json:"title,omitempty"`
	URL         string  `json:"url,omitempty"`
	Description string  `json:"description,omitempty"`
	Color       int     `json:"color"`
	Fields      []Field `json:"fields,omitempty"`
	Footer      *Footer `json:"footer,omitempty"`
	Timestamp   string  `json:"timestamp,omitempty"` // RFC 3339; shown in the reader's time zone
}

// Field is one name and value of an embed.
type Field struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline,omitempty"`
}

// Footer is an embed's last line.
type Footer struct {
	Text string `json:"text"`
}

// Component types and styles.
const (
	ComponentActionRow = 1
	ComponentButton    = 2
	ComponentTextInput = 4
	ComponentLabel     = 18

	ButtonSuccess = 3
	ButtonDanger  = 4
	ButtonLink    = 5

	TextParagraph = 2
)

// Component is a message or modal component: an action row of buttons, a button, a label
// holding a text input, or a text input; and, in a modal's submission, the value typed.
type Component struct {
	Type        int         `json:"type"`
	Style       int         `json:"style,omitempty"`
	Label       string      `json:"label,omitempty"`
	Description string      `json:"description,omitempty"`
	CustomID    string      `json:"custom_id,omitempty"`
	URL         string      `json:"url,omitempty"`
	MinLength   int         `json:"min_length,omitempty"`
	MaxLength   int         `json:"max_length,omitempty"`
	Required    bool        `json:"required,omitempty"`
	Placeholder string      `json:"placeholder,omitempty"`
	Value       string      `json:"value,omitempty"`
	Component   *Component  `json:"component,omitempty"`  // a label's child
	Components  []Component `json:"components,omitempty"` // an action row's children
}

// Interaction response types.
const (
	ResponsePong          = 1
	ResponseMessage       = 4 // CHANNEL_MESSAGE_WITH_SOURCE
	ResponseDeferUpdate   = 6 // DEFERRED_UPDATE_MESSAGE: acknowledge, change nothing
	ResponseUpdateMessage = 7 // UPDATE_MESSAGE: edit the message the button is on
	ResponseModal         = 9
)

// Response answers an interaction: over HTTP as the endpoint's body, over the Gateway
// through the interaction's callback.
type Response struct {
	Type int `json:"type"`
	Data any `json:"data,omitempty"` // *Message or *Modal
}

// Modal is a form Discord shows the user who clicked.
type Modal struct {
	CustomID   string      `json:"custom_id"`
	Title      string      `json:"title"`
	Components []Component `json:"components"`
}

// Encode is the JSON text of v exactly as it is sent to Discord: without the HTML
// escaping of <, > and &, which Discord does not need and would make the goldens unreadable.
func Encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
