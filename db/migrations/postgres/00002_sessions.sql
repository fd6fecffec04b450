-- Dashboard: sign-in sessions, server settings (the generated session secret) and the index
-- behind the overview's recent decisions. The combined request filters are served by the
-- indexes of 00001 (status or action with urgency_rank).
-- Keep in step with ../sqlite/00002_sessions.sql.

-- +goose Up
CREATE TABLE sessions (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    token_hash TEXT COLLATE "C" NOT NULL UNIQUE,
    key_id     TEXT COLLATE "C" NOT NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    ended_at   BIGINT
);

CREATE INDEX sessions_key ON sessions (key_id);

CREATE TABLE settings (
    name       TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    value      TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);

CREATE INDEX requests_decided ON requests (decided_at);
