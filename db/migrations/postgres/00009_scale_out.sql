-- Several instances on one database: see ../sqlite/00009_scale_out.sql, with which this
-- stays in step.
--
-- request_counts gets a lane: each writer lane of each instance adds its batches' counts
-- to rows of its own lane, so that batches in flight together do not wait for each
-- other's commit on the same counter rows. A count is the sum over the lanes.
--
-- rate_windows counts each rate-limited key's calls per minute for every instance, so
-- that a limit holds across them. Rows older than two minutes are deleted hourly.

-- +goose Up
ALTER TABLE request_counts ADD COLUMN lane SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE request_counts DROP CONSTRAINT request_counts_pkey;
ALTER TABLE request_counts ADD PRIMARY KEY (status, urgency, lane);

CREATE TABLE rate_windows (
    key_id TEXT COLLATE "C" NOT NULL,
    minute BIGINT  NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (key_id, minute)
);
