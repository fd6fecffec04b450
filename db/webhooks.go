package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/agentgate/agentgate"
)

// webhookColumns are the columns every webhook query reads, in scanWebhook's order.
const webhookColumns = `w.id, w.url, w.description, w.events, w.enabled, w.secret, w.previous_secret,
	w.previous_expires_at, w.created_at, w.updated_at`

// webhookHealthColumns follow webhookColumns where a query reports health: the latest
// attempt's time, outcome and status, and the attempts and failures since the two ? (the
// same time). Each reads outbox_attempts_target_started.
const webhookHealthColumns = `,
	(SELECT MAX(a.started_at) FROM outbox_attempts a WHERE a.channel = 'webhook' AND a.target = w.id),
	(SELECT a.ok FROM outbox_attempts a WHERE a.channel = 'webhook' AND a.target = w.id
		ORDER BY a.started_at DESC, a.delivery_id DESC, a.number DESC LIMIT 1),
	(SELECT a.status_code FROM outbox_attempts a WHERE a.channel = 'webhook' AND a.target = w.id
		ORDER BY a.started_at DESC, a.delivery_id DESC, a.number DESC LIMIT 1),
	(SELECT COUNT(*) FROM outbox_attempts a WHERE a.channel = 'webhook' AND a.target = w.id AND a.started_at >= ?),
	(SELECT COUNT(*) FROM outbox_attempts a WHERE a.channel = 'webhook' AND a.target = w.id AND a.started_at >= ?
		AND a.ok = FALSE)`

const (
	listWebhooksSQL = `SELECT ` + webhookColumns + webhookHealthColumns + ` FROM webhooks w
		ORDER BY w.created_at DESC, w.id DESC` + pageSuffix
	countWebhooksSQL    = `SELECT COUNT(*) FROM webhooks`
	allWebhooksSQL      = `SELECT ` + webhookColumns + ` FROM webhooks w ORDER BY w.id`
	getWebhookSQL       = `SELECT ` + webhookColumns + ` FROM webhooks w WHERE w.id = ?`
	getWebhookHealthSQL = `SELECT ` + webhookColumns + webhookHealthColumns + ` FROM webhooks w WHERE w.id = ?`
)

// ListWebhooks returns one page of webhooks, newest first, with their health since since,
// and the number of webhooks.
func (s *Store) ListWebhooks(ctx context.Context, p agentgate.Page, since time.Time) ([]agentgate.Webhook, int, error) {
	limit, offset := pageBounds(p)
	out, err := queryAll(ctx, s, 0, scanWebhookHealth, listWebhooksSQL, toMicros(since), toMicros(since), limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list webhooks: %w", err)
	}
	total, err := scanCount(s.queryRow(ctx, countWebhooksSQL))
	if err != nil {
		return nil, 0, fmt.Errorf("count webhooks: %w", err)
	}
	return out, total, nil
}

// AllWebhooks returns every webhook, without health.
func (s *Store) AllWebhooks(ctx context.Context) ([]agentgate.Webhook, error) {
	out, err := queryAll(ctx, s, 0, scanWebhook, allWebhooksSQL)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return out, nil
}

// GetWebhook returns the webhook with that id, with its health since since unless since is
// zero, or an error wrapping agentgate.ErrNotFound.
func (s *Store) GetWebhook(ctx context.Context, id string, since time.Time) (*agentgate.Webhook, error) {
	missing := func() error { return notFound("webhook", id) }
	if since.IsZero() {
		return getOne(ctx, s, "get webhook", missing, scanWebhook, getWebhookSQL, id)
	}
	return getOne(ctx, s, "get webhook", missing, scanWebhookHealth, getWebhookHealthSQL, toMicros(since), toMicros(since), id)
}

const insertWebhookSQL = `INSERT INTO webhooks (id, url, description, events, enabled, secret,
	previous_secret, previous_expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// CreateWebhook inserts w and its audit event.
func (s *Store) CreateWebhook(ctx context.Context, w *agentgate.Webhook, event agentgate.AuditEvent) error {
	return s.writeWebhook(ctx, "create", w, event, func(tx *writeTx, events string) error {
		_, err := tx.exec(insertWebhookSQL, w.ID, w.URL, w.Description, events, w.Enabled, w.Secret,
			w.PreviousSecret, microsOrNil(w.PreviousExpiresAt), toMicros(w.CreatedAt), toMicros(w.UpdatedAt))
		return alreadyExists(err, "webhook "+w.ID)
	})
}

const updateWebhookSQL = `UPDATE webhooks SET url = ?, description = ?, events = ?, enabled = ?,
	secret = ?, previous_secret = ?, previous_expires_at = ?, updated_at = ? WHERE id = ?`

// UpdateWebhook writes every field of w but ID and CreatedAt, and its audit event;
// agentgate.ErrNotFound if there is no such webhook.
func (s *Store) UpdateWebhook(ctx context.Context, w *agentgate.Webhook, event agentgate.AuditEvent) error {
	return s.writeWebhook(ctx, "update", w, event, func(tx *writeTx, events string) error {
		return tx.execOne(notFound("webhook", w.ID), updateWebhookSQL, w.URL, w.Description, events, w.Enabled,
			w.Secret, w.PreviousSecret, microsOrNil(w.PreviousExpiresAt), toMicros(w.UpdatedAt), w.ID)
	})
}

// writeWebhook runs write, given w's events encoded, and then the change's audit event
// and notice, in one transaction.
func (s *Store) writeWebhook(ctx context.Context, op string, w *agentgate.Webhook, event agentgate.AuditEvent,
	write func(tx *writeTx, events string) error) error {
	events, err := marshalList("events", w.Events)
	if err != nil {
		return err
	}
	ev, err := auditArgs([]agentgate.AuditEvent{event})
	if err != nil {
		return err
	}
	err = s.w.do(ctx, func(tx *writeTx) error {
		if err := write(tx, events); err != nil {
			return err
		}
		return tx.changed(TopicWebhooks, ev)
	})
	if err != nil {
		return fmt.Errorf("%s webhook: %w", op, err)
	}
	return nil
}

const (
	deleteWebhookSQL = `DELETE FROM webhooks WHERE id = ?`
	// failWebhookDeliveriesSQL ends the pending deliveries of a deleted webhook, so the
	// dispatcher does not attempt them only to be refused.
	failWebhookDeliveriesSQL = `UPDATE outbox_deliveries SET status = 'failed', last_error = ?,
		lease_owner = NULL, lease_until = NULL, updated_at = ?
		WHERE channel = 'webhook' AND target = ? AND status = 'pending'`
)

// DeleteWebhook deletes the webhook, fails its pending deliveries and writes its audit
// event; agentgate.ErrNotFound if there is no such webhook. Its delivery log stays.
func (s *Store) DeleteWebhook(ctx context.Context, id string, at time.Time, event agentgate.AuditEvent) error {
	ev, err := auditArgs([]agentgate.AuditEvent{event})
	if err != nil {
		return err
	}
	err = s.w.do(ctx, func(tx *writeTx) error {
		if err := tx.execOne(notFound("webhook", id), deleteWebhookSQL, id); err != nil {
			return err
		}
		if _, err := tx.exec(failWebhookDeliveriesSQL, "the webhook was deleted", toMicros(at), id); err != nil {
			return err
		}
		return tx.changed(TopicWebhooks, ev)
	})
	if err != nil {
		return fmt.Errorf("delete webhook: %w", err)
	}
	return nil
}

// scanWebhook reads one row of webhookColumns.
func scanWebhook(sc scanner) (agentgate.Webhook, error) {
	return scanWebhookAnd(sc)
}

// scanWebhookHealth reads one row of webhookColumns and webhookHealthColumns.
func scanWebhookHealth(sc scanner) (agentgate.Webhook, error) {
	var (
		h      agentgate.WebhookHealth
		last   sql.NullInt64
		lastOK sql.NullBool
		code   sql.NullInt64
	)
	w, err := scanWebhookAnd(sc, &last, &lastOK, &code, &h.Attempts24h, &h.Failures24h)
	if err != nil {
		return w, err
	}
	h.LastAttemptAt, h.LastAttemptOK, h.LastStatusCode = fromNullMicros(last), lastOK.Bool, int(code.Int64)
	w.Health = &h
	return w, nil
}

// scanWebhookAnd reads webhookColumns and then more.
func scanWebhookAnd(sc scanner, more ...any) (agentgate.Webhook, error) {
	var (
		w                    agentgate.Webhook
		events               []byte
		prevExpires          sql.NullInt64
		createdAt, updatedAt int64
	)
	dest := append([]any{&w.ID, &w.URL, &w.Description, &events, &w.Enabled, &w.Secret, &w.PreviousSecret,
		&prevExpires, &createdAt, &updatedAt}, more...)
	if err := sc.Scan(dest...); err != nil {
		return w, err
	}
	w.PreviousExpiresAt = fromNullMicros(prevExpires)
	w.CreatedAt, w.UpdatedAt = fromMicros(createdAt), fromMicros(updatedAt)
	if err := json.Unmarshal(events, &w.Events); err != nil {
		return w, fmt.Errorf("decode events of webhook %s: %w", w.ID, err)
	}
	return w, nil
}
