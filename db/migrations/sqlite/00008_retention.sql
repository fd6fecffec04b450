-- Retention (RETENTION_DAYS): a notice is deleted once none of its deliveries is left,
-- which this index finds without reading every delivery. It costs one more index entry per
-- delivery written, and nothing to a change that nobody listens to.
-- Keep in step with ../postgres/00008_retention.sql.

-- +goose Up
CREATE INDEX outbox_deliveries_notice ON outbox_deliveries (notice_id);
