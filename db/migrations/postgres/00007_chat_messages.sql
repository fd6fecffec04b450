-- Chat messages posted about requests (Slack, Discord), so that each can be edited when
-- its request is decided, expires or is cancelled, wherever that happened.
-- Keep in step with ../sqlite/00007_chat_messages.sql.

-- +goose Up
CREATE TABLE chat_messages (
    request_id TEXT COLLATE "C" NOT NULL,
    platform   TEXT COLLATE "C" NOT NULL,
    channel    TEXT COLLATE "C" NOT NULL,
    message_id TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (platform, channel, message_id)
);

CREATE INDEX chat_messages_request ON chat_messages (request_id, platform, created_at);
