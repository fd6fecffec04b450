-- Chat messages posted about requests (Slack, Discord), so that each can be edited when
-- its request is decided, expires or is cancelled, wherever that happened.
-- Keep in step with ../postgres/00007_chat_messages.sql.

-- +goose Up
CREATE TABLE chat_messages (
    request_id TEXT    NOT NULL,
    platform   TEXT    NOT NULL,
    channel    TEXT    NOT NULL,
    message_id TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (platform, channel, message_id)
) STRICT;

CREATE INDEX chat_messages_request ON chat_messages (request_id, platform, created_at);
