-- Several instances on one database (PostgreSQL): see ../postgres/00009_scale_out.sql,
-- with which this stays in step so that every query runs on both. A SQLite store has one
-- writer lane (lane 0) and limits rates in memory, so rate_windows stays empty here.

-- +goose Up
CREATE TABLE request_counts_lanes (
    status  TEXT    NOT NULL,
    urgency TEXT    NOT NULL,
    lane    INTEGER NOT NULL DEFAULT 0,
    n       INTEGER NOT NULL,
    PRIMARY KEY (status, urgency, lane)
) STRICT;
INSERT INTO request_counts_lanes (status, urgency, lane, n) SELECT status, urgency, 0, n FROM request_counts;
DROP TABLE request_counts;
ALTER TABLE request_counts_lanes RENAME TO request_counts;

CREATE TABLE rate_windows (
    key_id TEXT    NOT NULL,
    minute INTEGER NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (key_id, minute)
) STRICT;
