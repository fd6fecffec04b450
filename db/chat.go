package db

import (
	"context"
	"fmt"

	"github.com/agentgate/agentgate"
)

var _ agentgate.ChatMessageStore = (*Store)(nil)

// chatMessageColumns are the columns every chat message query reads, in scanChatMessage's order.
const chatMessageColumns = `request_id, platform, channel, message_id, created_at`

// insertChatMessageSQL keeps the first record of a message: saving it again changes nothing.
const insertChatMessageSQL = `INSERT INTO chat_messages (` + chatMessageColumns + `)
	VALUES (?, ?, ?, ?, ?) ON CONFLICT (platform, channel, message_id) DO NOTHING`

// SaveChatMessage records a message posted about a request.
func (s *Store) SaveChatMessage(ctx context.Context, m agentgate.ChatMessage) error {
	err := s.w.do(ctx, func(tx *writeTx) error {
		_, err := tx.exec(insertChatMessageSQL, m.RequestID, string(m.Platform), m.Channel, m.MessageID, toMicros(m.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("save chat message: %w", err)
	}
	return nil
}

const listChatMessagesSQL = `SELECT ` + chatMessageColumns + ` FROM chat_messages
	WHERE request_id = ? AND platform = ? ORDER BY created_at, channel, message_id`

// ChatMessages lists the messages posted about a request on one platform, oldest first.
func (s *Store) ChatMessages(ctx context.Context, requestID string, platform agentgate.ChannelKind) ([]agentgate.ChatMessage, error) {
	ms, err := queryAll(ctx, s, 2, scanChatMessage, listChatMessagesSQL, requestID, string(platform))
	if err != nil {
		return nil, fmt.Errorf("list chat messages: %w", err)
	}
	return ms, nil
}

func scanChatMessage(sc scanner) (agentgate.ChatMessage, error) {
	var (
		m         agentgate.ChatMessage
		platform  string
		createdAt int64
	)
	if err := sc.Scan(&m.RequestID, &platform, &m.Channel, &m.MessageID, &createdAt); err != nil {
		return m, err
	}
	m.Platform, m.CreatedAt = agentgate.ChannelKind(platform), fromMicros(createdAt)
	return m, nil
}
