package agentgate

import (
	"context"
	"time"
)

// ChatMessage is a message posted about a request in a chat app. It is kept so that the
// message can be edited whenever the request changes, wherever the change was made.
type ChatMessage struct {
	RequestID string
	Platform  ChannelKind // ChannelSlack or ChannelDiscord
	Channel   string      // the channel the message is in (Slack channel id, Discord channel id)
	MessageID string      // Slack's message ts, Discord's message id
	CreatedAt time.Time
}

// ChatMessageStore keeps the chat messages posted about requests. db.Store implements it.
type ChatMessageStore interface {
	// SaveChatMessage records a posted message; saving the same (platform, channel,
	// message) again changes nothing.
	SaveChatMessage(ctx context.Context, m ChatMessage) error
	// ChatMessages lists the messages posted about a request on one platform, oldest first.
	ChatMessages(ctx context.Context, requestID string, platform ChannelKind) ([]ChatMessage, error)
}
