-- The number of audit events, kept by the store in the write that inserts them, so that
-- the unfiltered audit log's total is a read of a few rows instead of a count of every
-- event (events are never deleted). Lanes as in request_counts (00009): each writer lane
-- adds to its own row, and the total is the sum. Keep in step with
-- ../postgres/00010_audit_counts.sql.

-- +goose Up
CREATE TABLE audit_counts (
    lane INTEGER NOT NULL PRIMARY KEY,
    n    INTEGER NOT NULL
) STRICT;
INSERT INTO audit_counts (lane, n) SELECT 0, COUNT(*) FROM audit_events;
