-- Retention: see ../sqlite/00008_retention.sql, with which this stays in step.

-- +goose Up
CREATE INDEX outbox_deliveries_notice ON outbox_deliveries (notice_id);
