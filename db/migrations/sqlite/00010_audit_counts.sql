-- The number of audit events per status that their request has now ('' for an event about
-- no request), kept by the store in the writes that insert the events and that change a
-- request's status, so that the audit log's total, unfiltered or by the request's status,
-- is a read of a few rows instead of a count of every event (events are never deleted).
-- Lanes as in request_counts (00009): each writer lane adds to its own rows, and a total
-- is the sum. Keep in step with ../postgres/00010_audit_counts.sql.

-- +goose Up
CREATE TABLE audit_counts (
    status TEXT    NOT NULL,
    lane   INTEGER NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (status, lane)
) STRICT;
INSERT INTO audit_counts (status, lane, n)
    SELECT COALESCE(r.status, ''), 0, COUNT(*) FROM audit_events a LEFT JOIN requests r ON r.id = a.request_id
    GROUP BY COALESCE(r.status, '');
