-- request_counts also keeps, per status and urgency, the number of audit events about
-- those requests, as the requests have them now (and in the row of status and urgency ''
-- the events about no request). The store adds to it in the writes that insert events and
-- that change a request's status, in the rows those writes update anyway, so that the
-- audit log's total, unfiltered or by the request's status, is a read of a few rows
-- instead of a count of every event (events are never deleted). Keep in step with
-- ../postgres/00010_audit_event_counts.sql.

-- +goose Up
ALTER TABLE request_counts ADD COLUMN events INTEGER NOT NULL DEFAULT 0;
INSERT INTO request_counts (status, urgency, lane, n, events)
    SELECT COALESCE(r.status, ''), COALESCE(r.urgency, ''), 0, 0, COUNT(*)
    FROM audit_events a LEFT JOIN requests r ON r.id = a.request_id
    WHERE true GROUP BY COALESCE(r.status, ''), COALESCE(r.urgency, '')
    ON CONFLICT (status, urgency, lane) DO UPDATE SET events = request_counts.events + excluded.events;
