-- People and decision links (issue 11). Keep in step with ../postgres/00006_people.sql.
--
-- 1. people is the approver directory. A deleted person keeps its row (deleted_at set), so
--    votes and audit events that name it still read; names, addresses and chat ids are
--    unique among the people not deleted. name_key and email_key are the lowercase forms
--    (written by the gate), so that "Ana" and "ana" are one name and addresses match in
--    any case. group_names is a JSON array of lowercase slugs.
-- 2. api_keys.person_id names the person a key belongs to, who acts through it. No foreign
--    key: people rows are never deleted, and the store checks the person is live in the
--    transaction that sets it.
-- 3. decision_links are the signed links in approval emails: only a hash of each token is
--    stored; used_at makes a link single use (spending one spends every link of that
--    request for that recipient, found through decision_links_request).

-- +goose Up
CREATE TABLE people (
    id              TEXT    NOT NULL PRIMARY KEY,
    name            TEXT    NOT NULL,
    name_key        TEXT    NOT NULL,
    email           TEXT    NOT NULL DEFAULT '',
    email_key       TEXT    NOT NULL DEFAULT '',
    slack_user_id   TEXT    NOT NULL DEFAULT '',
    discord_user_id TEXT    NOT NULL DEFAULT '',
    group_names     TEXT    NOT NULL DEFAULT '[]',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    deleted_at      INTEGER
) STRICT;

CREATE UNIQUE INDEX people_live_name ON people (name_key) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX people_live_email ON people (email_key) WHERE deleted_at IS NULL AND email_key <> '';
CREATE UNIQUE INDEX people_live_slack ON people (slack_user_id) WHERE deleted_at IS NULL AND slack_user_id <> '';
CREATE UNIQUE INDEX people_live_discord ON people (discord_user_id) WHERE deleted_at IS NULL AND discord_user_id <> '';

ALTER TABLE api_keys ADD COLUMN person_id TEXT;

CREATE TABLE decision_links (
    id          TEXT    NOT NULL PRIMARY KEY,
    token_hash  TEXT    NOT NULL UNIQUE,
    request_id  TEXT    NOT NULL,
    delivery_id TEXT    NOT NULL,
    recipient   TEXT    NOT NULL,
    person_id   TEXT    NOT NULL DEFAULT '',
    decision    TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
) STRICT;

CREATE INDEX decision_links_request ON decision_links (request_id, recipient);
CREATE INDEX decision_links_expires ON decision_links (expires_at);
