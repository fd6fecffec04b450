-- Identity by id, unique live key names, and idempotency keys: see
-- ../sqlite/00004_identity.sql, with which this stays in step (what each step does, and
-- how live keys that share a name are renamed).

-- +goose Up
ALTER TABLE requests ADD COLUMN created_by_id TEXT COLLATE "C" NOT NULL DEFAULT '';

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
    key_id      TEXT COLLATE "C" NOT NULL,
    idem_key    TEXT COLLATE "C" NOT NULL,
    fingerprint TEXT    NOT NULL,
    request_id  TEXT COLLATE "C" NOT NULL,
    created_at  BIGINT  NOT NULL,
    PRIMARY KEY (key_id, idem_key)
);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
