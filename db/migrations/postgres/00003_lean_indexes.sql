-- Fewer B-trees for the gate check to write: see ../sqlite/00003_lean_indexes.sql, with
-- which this stays in step.

-- +goose Up
DROP INDEX requests_status_created;
DROP INDEX requests_action_created;
DROP INDEX requests_action_rank_created;
DROP INDEX requests_status_rank_created;
DROP INDEX requests_decided;
CREATE INDEX requests_status_created ON requests (status, created_at, urgency_rank);
CREATE INDEX requests_action_created ON requests (action, created_at, urgency_rank);
CREATE INDEX requests_pending_rank_created ON requests (status, urgency_rank DESC, created_at) WHERE status = 'pending';
CREATE INDEX requests_decided_later ON requests (decided_at) WHERE decided_at > created_at;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey;
