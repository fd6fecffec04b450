-- People and decision links: see ../sqlite/00006_people.sql, with which this stays in
-- step (what each table is for, and why name_key and email_key exist).

-- +goose Up
CREATE TABLE people (
    id              TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name            TEXT    NOT NULL,
    name_key        TEXT    NOT NULL,
    email           TEXT    NOT NULL DEFAULT '',
    email_key       TEXT COLLATE "C" NOT NULL DEFAULT '',
    slack_user_id   TEXT COLLATE "C" NOT NULL DEFAULT '',
    discord_user_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    group_names     JSONB   NOT NULL DEFAULT '[]',
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    deleted_at      BIGINT
);

CREATE UNIQUE INDEX people_live_name ON people (name_key) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX people_live_email ON people (email_key) WHERE deleted_at IS NULL AND email_key <> '';
CREATE UNIQUE INDEX people_live_slack ON people (slack_user_id) WHERE deleted_at IS NULL AND slack_user_id <> '';
CREATE UNIQUE INDEX people_live_discord ON people (discord_user_id) WHERE deleted_at IS NULL AND discord_user_id <> '';

ALTER TABLE api_keys ADD COLUMN person_id TEXT COLLATE "C";

CREATE TABLE decision_links (
    id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    token_hash  TEXT COLLATE "C" NOT NULL UNIQUE,
    request_id  TEXT COLLATE "C" NOT NULL,
    delivery_id TEXT COLLATE "C" NOT NULL,
    recipient   TEXT COLLATE "C" NOT NULL,
    person_id   TEXT COLLATE "C" NOT NULL DEFAULT '',
    decision    TEXT COLLATE "C" NOT NULL,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    used_at     BIGINT
);

CREATE INDEX decision_links_request ON decision_links (request_id, recipient);
CREATE INDEX decision_links_expires ON decision_links (expires_at);
