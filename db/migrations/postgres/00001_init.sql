-- Initial schema. Times are Unix microseconds (UTC) in BIGINT columns; JSON is JSONB.
-- Keep in step with ../sqlite/00001_init.sql: the same tables, columns and indexes.
-- Text that is sorted or compared uses the "C" collation, so that both dialects order it
-- byte by byte and give the same pages.

-- +goose Up
CREATE TABLE requests (
    id                 TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    action             TEXT COLLATE "C" NOT NULL,
    params             JSONB   NOT NULL DEFAULT '{}',
    context            JSONB   NOT NULL DEFAULT '{}',
    urgency            TEXT COLLATE "C" NOT NULL,
    urgency_rank       INTEGER NOT NULL,
    status             TEXT COLLATE "C" NOT NULL,
    created_by         TEXT    NOT NULL DEFAULT '',
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL,
    decided_at         BIGINT,
    decided_by         TEXT    NOT NULL DEFAULT '',
    decision_reason    TEXT    NOT NULL DEFAULT '',
    expires_at         BIGINT  NOT NULL,
    policy_decision    JSONB   NOT NULL DEFAULT '{}',
    required_approvals INTEGER NOT NULL DEFAULT 1,
    votes              JSONB   NOT NULL DEFAULT '[]',
    version            INTEGER NOT NULL DEFAULT 1
);

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
    status  TEXT COLLATE "C" NOT NULL,
    urgency TEXT COLLATE "C" NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (status, urgency)
);

CREATE TABLE policies (
    id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    priority    INTEGER NOT NULL,
    enabled     BOOLEAN NOT NULL,
    rules       JSONB   NOT NULL DEFAULT '[]',
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);

CREATE TABLE api_keys (
    id            TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name          TEXT    NOT NULL,
    prefix        TEXT    NOT NULL,
    hash          TEXT COLLATE "C" NOT NULL UNIQUE,
    scopes        JSONB   NOT NULL DEFAULT '[]',
    rate_limit    INTEGER,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    last_used_at  BIGINT,
    request_count BIGINT  NOT NULL DEFAULT 0,
    revoked_at    BIGINT
);

CREATE TABLE audit_events (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    request_id TEXT COLLATE "C",
    action     TEXT COLLATE "C" NOT NULL DEFAULT '',
    event_type TEXT COLLATE "C" NOT NULL,
    actor      TEXT COLLATE "C" NOT NULL,
    actor_type TEXT    NOT NULL,
    owasp      TEXT    NOT NULL DEFAULT '',
    details    JSONB   NOT NULL DEFAULT '{}',
    created_at BIGINT  NOT NULL
);

CREATE INDEX audit_events_created ON audit_events (created_at);
CREATE INDEX audit_events_request_created ON audit_events (request_id, created_at);
CREATE INDEX audit_events_type_created ON audit_events (event_type, created_at);
CREATE INDEX audit_events_actor_created ON audit_events (actor, created_at);
CREATE INDEX audit_events_action_created ON audit_events (action, created_at);
