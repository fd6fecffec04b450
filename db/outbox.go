package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/agentgate/agentgate"
)

const (
	insertNoticeSQL = `INSERT INTO outbox_notices (id, request_id, data, created_at) VALUES (?, ?, ?, ?)`
	// A new delivery is due when its notice is written.
	insertDeliverySQL = `INSERT INTO outbox_deliveries (id, notice_id, event, channel, target, request_id,
		status, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`
)

// outboxArgs are notices and their deliveries encoded for insertNoticeSQL and
// insertDeliverySQL, before the writer needs them.
type outboxArgs struct {
	notices, deliveries [][]any
}

// noticeArgs encodes notices; none (the gate check nobody listens to) costs nothing.
func noticeArgs(ns []agentgate.Notice) (outboxArgs, error) {
	var a outboxArgs
	if len(ns) == 0 {
		return a, nil
	}
	a.notices = make([][]any, 0, len(ns))
	for _, n := range ns {
		if n.ID == "" || len(n.Data) == 0 {
			return a, fmt.Errorf("notice %q has no id or no data", n.ID)
		}
		at := toMicros(n.CreatedAt)
		requestID := nullIfEmpty(n.RequestID)
		a.notices = append(a.notices, []any{n.ID, requestID, string(n.Data), at})
		for _, d := range n.Deliveries {
			if d.ID == "" || d.Channel == "" || d.Event == "" {
				return a, fmt.Errorf("a delivery of notice %s has no id, channel or event", n.ID)
			}
			a.deliveries = append(a.deliveries, []any{d.ID, n.ID, d.Event, string(d.Channel), d.Target, requestID, at, at, at})
		}
	}
	return a, nil
}

// insertNotices writes encoded notices and deliveries in the writer's transaction.
func insertNotices(tx *writeTx, a outboxArgs) error {
	for _, args := range a.notices {
		if _, err := tx.exec(insertNoticeSQL, args...); err != nil {
			return fmt.Errorf("insert notice %v: %w", args[0], err)
		}
	}
	for _, args := range a.deliveries {
		if _, err := tx.exec(insertDeliverySQL, args...); err != nil {
			return fmt.Errorf("insert delivery %v: %w", args[0], err)
		}
	}
	return nil
}

// EnqueueNotices writes notices and their deliveries, due at once, in one transaction.
func (s *Store) EnqueueNotices(ctx context.Context, ns []agentgate.Notice) error {
	args, err := noticeArgs(ns)
	if err != nil {
		return err
	}
	if err := s.w.do(ctx, func(tx *writeTx) error { return insertNotices(tx, args) }); err != nil {
		return fmt.Errorf("enqueue notices: %w", err)
	}
	return nil
}

// deliveryColumns are the columns a delivery log reads, in scanDelivery's order.
const deliveryColumns = `id, event, channel, target, request_id, status, attempts, schedule_from,
	next_attempt_at, last_error, last_status_code, created_at, updated_at`

// attemptColumns are the columns every attempt query reads, in scanAttempt's order.
const attemptColumns = `delivery_id, number, channel, target, started_at, latency_us, ok, status_code, error, response`

const (
	listDeliveriesSQL = `SELECT ` + deliveryColumns + ` FROM outbox_deliveries
		WHERE channel = ? AND target = ?%s ORDER BY created_at DESC, id DESC` + pageSuffix
	countDeliveriesSQL = `SELECT COUNT(*) FROM outbox_deliveries WHERE channel = ? AND target = ?%s`
	deliveryStatusCond = ` AND status = ?`
	// The attempts of one page: its deliveries' ids lie between the least and the greatest
	// (a range of the primary key); those of other targets in the range are left out.
	pageAttemptsSQL = `SELECT ` + attemptColumns + ` FROM outbox_attempts
		WHERE delivery_id >= ? AND delivery_id <= ? AND channel = ? AND target = ? ORDER BY delivery_id, number`
)

// Query texts with and without the status filter, built once.
var (
	listDeliveriesSQLs  = [2]string{fmt.Sprintf(listDeliveriesSQL, ""), fmt.Sprintf(listDeliveriesSQL, deliveryStatusCond)}
	countDeliveriesSQLs = [2]string{fmt.Sprintf(countDeliveriesSQL, ""), fmt.Sprintf(countDeliveriesSQL, deliveryStatusCond)}
)

// ListDeliveries returns one page of a channel target's deliveries, newest first, each with
// its attempts, and the number that match.
func (s *Store) ListDeliveries(ctx context.Context, f agentgate.DeliveryFilter) ([]agentgate.Delivery, int, error) {
	limit, offset := pageBounds(f.Page)
	args, variant := []any{string(f.Channel), f.Target}, 0
	if f.Status != "" {
		args, variant = append(args, string(f.Status)), 1
	}
	out, err := queryAll(ctx, s, limit, scanDelivery, listDeliveriesSQLs[variant], append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list deliveries: %w", err)
	}
	total, err := scanCount(s.queryRow(ctx, countDeliveriesSQLs[variant], args...))
	if err != nil {
		return nil, 0, fmt.Errorf("count deliveries: %w", err)
	}
	if len(out) == 0 {
		return out, total, nil
	}
	lo, hi := out[0].ID, out[0].ID
	byID := make(map[string]*agentgate.Delivery, len(out))
	for i := range out {
		lo, hi = min(lo, out[i].ID), max(hi, out[i].ID)
		byID[out[i].ID] = &out[i]
	}
	attempts, err := queryAll(ctx, s, 0, scanAttempt, pageAttemptsSQL, lo, hi, string(f.Channel), f.Target)
	if err != nil {
		return nil, 0, fmt.Errorf("list delivery attempts: %w", err)
	}
	for _, a := range attempts {
		if d := byID[a.DeliveryID]; d != nil {
			d.History = append(d.History, a)
		}
	}
	return out, total, nil
}

const (
	getDeliverySQL      = `SELECT ` + deliveryColumns + ` FROM outbox_deliveries WHERE id = ?`
	deliveryAttemptsSQL = `SELECT ` + attemptColumns + ` FROM outbox_attempts WHERE delivery_id = ? ORDER BY number`
)

// GetDelivery returns the delivery with its attempts, or an error wrapping
// agentgate.ErrNotFound.
func (s *Store) GetDelivery(ctx context.Context, id string) (*agentgate.Delivery, error) {
	d, err := getOne(ctx, s, "get delivery", func() error { return notFound("delivery", id) }, scanDelivery, getDeliverySQL, id)
	if err != nil {
		return nil, err
	}
	if d.History, err = queryAll(ctx, s, d.Attempts, scanAttempt, deliveryAttemptsSQL, id); err != nil {
		return nil, fmt.Errorf("list delivery attempts: %w", err)
	}
	return d, nil
}

const replayDeliverySQL = `UPDATE outbox_deliveries SET status = 'pending', schedule_from = attempts,
	next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
	WHERE id = ? AND status <> 'pending'`

// ReplayDelivery makes a delivered or failed delivery due at now, with its schedule
// started afresh, and writes its audit event; agentgate.ErrStale if it is pending (or
// gone).
func (s *Store) ReplayDelivery(ctx context.Context, id string, now time.Time, event agentgate.AuditEvent) error {
	ev, err := auditArgs([]agentgate.AuditEvent{event})
	if err != nil {
		return err
	}
	err = s.w.do(ctx, func(tx *writeTx) error {
		if err := tx.execOne(agentgate.ErrStale, replayDeliverySQL, toMicros(now), toMicros(now), id); err != nil {
			return err
		}
		return insertAudit(tx, ev)
	})
	if err != nil {
		return fmt.Errorf("replay delivery %s: %w", id, err)
	}
	return nil
}

// scanDelivery reads one row of deliveryColumns.
func scanDelivery(sc scanner) (agentgate.Delivery, error) {
	var (
		d                          agentgate.Delivery
		channel, status            string
		requestID                  sql.NullString
		next, createdAt, updatedAt int64
	)
	err := sc.Scan(&d.ID, &d.Event, &channel, &d.Target, &requestID, &status, &d.Attempts, &d.ScheduleFrom,
		&next, &d.LastError, &d.LastStatusCode, &createdAt, &updatedAt)
	if err != nil {
		return d, err
	}
	d.Channel, d.Status, d.RequestID = agentgate.ChannelKind(channel), agentgate.DeliveryStatus(status), requestID.String
	d.CreatedAt, d.UpdatedAt = fromMicros(createdAt), fromMicros(updatedAt)
	if d.Status == agentgate.DeliveryPending {
		t := fromMicros(next)
		d.NextAttemptAt = &t
	}
	return d, nil
}

// scanAttempt reads one row of attemptColumns.
func scanAttempt(sc scanner) (agentgate.DeliveryAttempt, error) {
	var (
		a                  agentgate.DeliveryAttempt
		channel            string
		startedAt, latency int64
	)
	err := sc.Scan(&a.DeliveryID, &a.Number, &channel, &a.Target, &startedAt, &latency, &a.OK, &a.StatusCode, &a.Error, &a.Response)
	a.Channel, a.At, a.LatencyMillis = agentgate.ChannelKind(channel), fromMicros(startedAt), float64(latency)/1000
	return a, err
}

// nullIfEmpty returns s, or nil (NULL) for "".
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
