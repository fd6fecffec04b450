-- Identity by id, unique live key names, and idempotency keys (issue 8 §3, §5).
-- Keep in step with ../postgres/00004_identity.sql.
--
-- 1. requests.created_by_id records the creating key's id, which owns the request (cancel);
--    created_by stays the display name. Pending requests (the only ones ownership still
--    matters for) are attributed to the key that had their creator's name, when exactly
--    one key, live or revoked, had it; other requests keep '' and are matched by name.
--    Votes need no column: new votes carry "voterId" in the votes JSON, and votes stored
--    before this migration, which have none, are matched by name.
-- 2. Key names become unique among keys that are not revoked. A database may already hold
--    live keys with one name: the oldest (by created_at, then id) keeps it and every other
--    is renamed to its name (cut to 69 characters) + "-" + its id, so the new name is
--    unique, at most 100 characters, and the same whichever instance migrates. The
--    attribution in 1 runs first, while the names are still those requests were made by.
-- 3. idempotency_keys remembers which request an API key's Idempotency-Key created, for
--    24 hours (the gate deletes older rows).

-- +goose Up
ALTER TABLE requests ADD COLUMN created_by_id TEXT NOT NULL DEFAULT '';

UPDATE requests SET created_by_id = (SELECT k.id FROM api_keys k WHERE k.name = requests.created_by)
WHERE status = 'pending'
  AND (SELECT COUNT(*) FROM api_keys k WHERE k.name = requests.created_by) = 1;

UPDATE api_keys SET name = substr(name, 1, 69) || '-' || id
WHERE revoked_at IS NULL AND EXISTS (
    SELECT 1 FROM api_keys older
    WHERE older.revoked_at IS NULL AND older.name = api_keys.name
      AND (older.created_at < api_keys.created_at
           OR (older.created_at = api_keys.created_at AND older.id < api_keys.id)));

CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked_at IS NULL;

CREATE TABLE idempotency_keys (
    key_id      TEXT    NOT NULL,
    idem_key    TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    request_id  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (key_id, idem_key)
) STRICT;

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
