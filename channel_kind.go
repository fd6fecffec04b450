package agentgate

// The declarations below are the ones main's outbox.go makes, word for word: this branch
// started before the outbox and needs them. When both are merged, delete this file.

// ChannelKind names a way of telling someone: each kind has one Sender.
type ChannelKind string

// Channel kinds.
const (
	ChannelWebhook ChannelKind = "webhook"
	ChannelEmail   ChannelKind = "email"
	ChannelSlack   ChannelKind = "slack"
	ChannelDiscord ChannelKind = "discord"
)
