-- Fewer B-trees for the gate check to write. Every index is written by every insert it
-- covers, and the common insert is a request a policy decided when it arrived. Its request
-- row now writes five B-trees where it wrote eight (the table, id, status, action, time)
-- and its audit row six where it wrote seven. The lists keep an index each:
--   * urgency_rank trails the status and action indexes, so an urgency filter is read from
--     the index instead of from every row;
--   * only pending requests are triaged by urgency, so only they are in the urgency index
--     (the store writes status = 'pending' as a literal so that it is used);
--   * recent decisions are those made after a request arrived (people, expiry, cancel);
--     a request decided on arrival has decided_at = created_at and stays out of that index;
--   * nothing looks an audit event up by its id, a ULID unique by construction, so the
--     id's unique index goes (SQLite rebuilds the table for that).
-- Keep in step with ../postgres/00003_lean_indexes.sql.

-- +goose Up
DROP INDEX requests_status_created;
DROP INDEX requests_action_created;
DROP INDEX requests_action_rank_created;
DROP INDEX requests_status_rank_created;
DROP INDEX requests_decided;
CREATE INDEX requests_status_created ON requests (status, created_at, urgency_rank);
CREATE INDEX requests_action_created ON requests (action, created_at, urgency_rank);
-- status leads, as in requests_pending_expires, so that SQLite without statistics
-- prefers it to the status index for the pending queue by urgency.
CREATE INDEX requests_pending_rank_created ON requests (status, urgency_rank DESC, created_at) WHERE status = 'pending';
CREATE INDEX requests_decided_later ON requests (decided_at) WHERE decided_at > created_at;

CREATE TABLE audit_events_new (
    id         TEXT    NOT NULL,
    request_id TEXT,
    action     TEXT    NOT NULL DEFAULT '',
    event_type TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    actor_type TEXT    NOT NULL,
    owasp      TEXT    NOT NULL DEFAULT '',
    details    TEXT    NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
) STRICT;
INSERT INTO audit_events_new (id, request_id, action, event_type, actor, actor_type, owasp, details, created_at)
    SELECT id, request_id, action, event_type, actor, actor_type, owasp, details, created_at
    FROM audit_events ORDER BY rowid;
DROP TABLE audit_events;
ALTER TABLE audit_events_new RENAME TO audit_events;
CREATE INDEX audit_events_created ON audit_events (created_at);
CREATE INDEX audit_events_request_created ON audit_events (request_id, created_at);
CREATE INDEX audit_events_type_created ON audit_events (event_type, created_at);
CREATE INDEX audit_events_actor_created ON audit_events (actor, created_at);
CREATE INDEX audit_events_action_created ON audit_events (action, created_at);
