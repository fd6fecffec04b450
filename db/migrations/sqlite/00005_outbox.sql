-- Webhooks and the outbox. A change to a request writes, in its own transaction, one notice
-- (the request as the API then returned it, stored once however many hear of it) and one
-- small delivery row per recipient and event type; the dispatcher claims due deliveries
-- with a lease (lease_owner, lease_until) and records every attempt. No foreign keys: the
-- store writes a notice with its deliveries, and a foreign key would cost the gate check a
-- lookup per delivery.
-- Keep in step with ../postgres/00005_outbox.sql.

-- +goose Up
CREATE TABLE webhooks (
    id                  TEXT    NOT NULL PRIMARY KEY,
    url                 TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',
    events              TEXT    NOT NULL DEFAULT '[]',
    enabled             INTEGER NOT NULL,
    -- Secrets sign deliveries, so they are kept as they are (a hash cannot sign).
    secret              TEXT    NOT NULL,
    previous_secret     TEXT    NOT NULL DEFAULT '',
    previous_expires_at INTEGER,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
) STRICT;

CREATE TABLE outbox_notices (
    id         TEXT    NOT NULL PRIMARY KEY,
    request_id TEXT,
    data       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE outbox_deliveries (
    id               TEXT    NOT NULL PRIMARY KEY,
    notice_id        TEXT    NOT NULL,
    event            TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    target           TEXT    NOT NULL,
    request_id       TEXT,
    status           TEXT    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    schedule_from    INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    lease_owner      TEXT,
    lease_until      INTEGER,
    last_error       TEXT    NOT NULL DEFAULT '',
    last_status_code INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;

-- What the dispatcher claims: only pending deliveries, by when they are due. The store
-- writes status = 'pending' as a literal so that the index is used.
CREATE INDEX outbox_deliveries_due ON outbox_deliveries (next_attempt_at) WHERE status = 'pending';
-- What a delivery log lists: one webhook's (or channel's) deliveries, newest first.
CREATE INDEX outbox_deliveries_target_created ON outbox_deliveries (channel, target, created_at);

CREATE TABLE outbox_attempts (
    delivery_id TEXT    NOT NULL,
    number      INTEGER NOT NULL,
    channel     TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    latency_us  INTEGER NOT NULL,
    ok          INTEGER NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    error       TEXT    NOT NULL DEFAULT '',
    response    TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (delivery_id, number)
) STRICT;

-- A webhook's health: its latest attempt and its attempts of the last 24 hours.
CREATE INDEX outbox_attempts_target_started ON outbox_attempts (channel, target, started_at);
