-- Initial schema. Times are Unix microseconds (UTC) in INTEGER columns; JSON is TEXT.
-- Keep in step with ../postgres/00001_init.sql: the same tables, columns and indexes.

-- +goose Up
CREATE TABLE requests (
    id                 TEXT    NOT NULL PRIMARY KEY,
    action             TEXT    NOT NULL,
    params             TEXT    NOT NULL DEFAULT '{}',
    context            TEXT    NOT NULL DEFAULT '{}',
    urgency            TEXT    NOT NULL,
    urgency_rank       INTEGER NOT NULL,
    status             TEXT    NOT NULL,
    created_by         TEXT    NOT NULL DEFAULT '',
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    decided_at         INTEGER,
    decided_by         TEXT    NOT NULL DEFAULT '',
    decision_reason    TEXT    NOT NULL DEFAULT '',
    expires_at         INTEGER NOT NULL,
    policy_decision    TEXT    NOT NULL DEFAULT '{}',
    required_approvals INTEGER NOT NULL DEFAULT 1,
    votes              TEXT    NOT NULL DEFAULT '[]',
    version            INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE INDEX requests_status_created ON requests (status, created_at);
CREATE INDEX requests_action_created ON requests (action, created_at);
CREATE INDEX requests_action_rank_created ON requests (action, urgency_rank, created_at);
CREATE INDEX requests_created ON requests (created_at);
-- Only pending requests expire, so only they are indexed by expiry: a request decided
-- when created (an auto-approved gate check) skips this index, one B-tree fewer to write.
-- status stays the leading column so that SQLite, without statistics, prefers this index
-- to the other status indexes for the overdue query.
CREATE INDEX requests_pending_expires ON requests (status, expires_at) WHERE status = 'pending';
CREATE INDEX requests_status_rank_created ON requests (status, urgency_rank DESC, created_at);

-- The number of requests per status and urgency, kept by the store in the transaction that
-- changes them, so that list totals and the overview's counts need not count rows.
CREATE TABLE request_counts (
    status  TEXT NOT NULL,
    urgency TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (status, urgency)
) STRICT;

CREATE TABLE policies (
    id          TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    priority    INTEGER NOT NULL,
    enabled     INTEGER NOT NULL,
    rules       TEXT    NOT NULL DEFAULT '[]',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
    id            TEXT    NOT NULL PRIMARY KEY,
    name          TEXT    NOT NULL,
    prefix        TEXT    NOT NULL,
    hash          TEXT    NOT NULL UNIQUE,
    scopes        TEXT    NOT NULL DEFAULT '[]',
    rate_limit    INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    request_count INTEGER NOT NULL DEFAULT 0,
    revoked_at    INTEGER
) STRICT;

CREATE TABLE audit_events (
    id         TEXT    NOT NULL PRIMARY KEY,
    request_id TEXT,
    action     TEXT    NOT NULL DEFAULT '',
    event_type TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    actor_type TEXT    NOT NULL,
    owasp      TEXT    NOT NULL DEFAULT '',
    details    TEXT    NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX audit_events_created ON audit_events (created_at);
CREATE INDEX audit_events_request_created ON audit_events (request_id, created_at);
CREATE INDEX audit_events_type_created ON audit_events (event_type, created_at);
CREATE INDEX audit_events_actor_created ON audit_events (actor, created_at);
CREATE INDEX audit_events_action_created ON audit_events (action, created_at);
