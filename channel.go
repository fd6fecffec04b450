package agentgate

import (
	"fmt"
	"strings"
	"unicode"
)

// Channel is one place a rule notifies: a kind, and a target there (an address, a Slack
// channel, a Discord channel id, a webhook id). Without a target, email, Slack and Discord
// reach the rule's approvers there. A webhook always names one: webhooks subscribed to
// request events receive them without a rule naming them.
type Channel struct {
	Kind   ChannelKind
	Target string
}

// String is the channel as a rule writes it, e.g. "slack:#ops" or "email".
func (c Channel) String() string {
	if c.Target == "" {
		return string(c.Kind)
	}
	return string(c.Kind) + ":" + c.Target
}

// parseChannel reads a rule's channel, strictly, as a policy is saved: "email", "slack",
// "discord", or one of those or "webhook" with a one-word target after a colon, such as
// "slack:#ops" or "webhook:wh_1". Its errors say how to write one.
func parseChannel(s string) (Channel, error) {
	kind, target, hasTarget := strings.Cut(s, ":")
	c := Channel{Kind: ChannelKind(kind), Target: target}
	switch c.Kind {
	case ChannelEmail, ChannelSlack, ChannelDiscord:
	case ChannelWebhook:
		if !hasTarget {
			return Channel{}, fmt.Errorf("%q needs a webhook id, as webhook:<id>; webhooks subscribed to request events receive them without being named", s)
		}
	default:
		return Channel{}, fmt.Errorf("%q is not a channel; write email, slack or discord (the approvers there), or email:<address>, slack:<channel>, discord:<channel id> or webhook:<id>", s)
	}
	if hasTarget && (target == "" || strings.IndexFunc(target, unicode.IsSpace) >= 0) {
		return Channel{}, fmt.Errorf("%q is not a channel: the target after %q must be one word, such as %s", s, kind+":", channelExample[c.Kind])
	}
	return c, nil
}

var channelExample = map[ChannelKind]string{
	ChannelEmail: "email:ops@example.com", ChannelSlack: "slack:#ops", ChannelDiscord: "discord:1234567890", ChannelWebhook: "webhook:wh_1",
}

// ChannelTargets returns the outcome's channels as typed values, in the rule's order. Rules
// are checked when a policy is saved, so every channel parses; one that does not (text
// stored by hand) is left out rather than guessed at.
func (o *Outcome) ChannelTargets() []Channel {
	out := make([]Channel, 0, len(o.Channels))
	for _, s := range o.Channels {
		if c, err := parseChannel(s); err == nil {
			out = append(out, c)
		}
	}
	return out
}
