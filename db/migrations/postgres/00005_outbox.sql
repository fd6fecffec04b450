-- Webhooks and the outbox: see ../sqlite/00005_outbox.sql, with which this stays in step.
-- Notice data is TEXT, not JSONB, so that every attempt sends the bytes the API returned.

-- +goose Up
CREATE TABLE webhooks (
    id                  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    url                 TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',
    events              JSONB   NOT NULL DEFAULT '[]',
    enabled             BOOLEAN NOT NULL,
    secret              TEXT    NOT NULL,
    previous_secret     TEXT    NOT NULL DEFAULT '',
    previous_expires_at BIGINT,
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL
);

CREATE TABLE outbox_notices (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    request_id TEXT COLLATE "C",
    data       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);

CREATE TABLE outbox_deliveries (
    id               TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    notice_id        TEXT COLLATE "C" NOT NULL,
    event            TEXT COLLATE "C" NOT NULL,
    channel          TEXT COLLATE "C" NOT NULL,
    target           TEXT COLLATE "C" NOT NULL,
    request_id       TEXT COLLATE "C",
    status           TEXT COLLATE "C" NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    schedule_from    INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT  NOT NULL,
    lease_owner      TEXT COLLATE "C",
    lease_until      BIGINT,
    last_error       TEXT    NOT NULL DEFAULT '',
    last_status_code INTEGER NOT NULL DEFAULT 0,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);

CREATE INDEX outbox_deliveries_due ON outbox_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_deliveries_target_created ON outbox_deliveries (channel, target, created_at);

CREATE TABLE outbox_attempts (
    delivery_id TEXT COLLATE "C" NOT NULL,
    number      INTEGER NOT NULL,
    channel     TEXT COLLATE "C" NOT NULL,
    target      TEXT COLLATE "C" NOT NULL,
    started_at  BIGINT  NOT NULL,
    latency_us  BIGINT  NOT NULL,
    ok          BOOLEAN NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    error       TEXT    NOT NULL DEFAULT '',
    response    TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (delivery_id, number)
);

CREATE INDEX outbox_attempts_target_started ON outbox_attempts (channel, target, started_at);
