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

// deliveryLogColumns are deliveryColumns and attemptColumns of a delivery log's join, in
// scanLogRow's order; the attempt's are NULL for a delivery not yet attempted.
const deliveryLogColumns = `d.id, d.event, d.channel, d.target, d.request_id, d.status, d.attempts,
	d.schedule_from, d.next_attempt_at, d.last_error, d.last_status_code, d.created_at, d.updated_at,
	a.number, a.started_at, a.latency_us, a.ok, a.status_code, a.error, a.response`

const (
	// listDeliveriesSQL reads one page of deliveries with their attempts in one statement,
	// so that the page and its attempts are one snapshot.
	listDeliveriesSQL = `SELECT ` + deliveryLogColumns + ` FROM (SELECT ` + deliveryColumns + ` FROM outbox_deliveries
		WHERE channel = ? AND target = ?%s ORDER BY created_at DESC, id DESC` + pageSuffix + `) d
		LEFT JOIN outbox_attempts a ON a.delivery_id = d.id
		ORDER BY d.created_at DESC, d.id DESC, a.number`
	countDeliveriesSQL = `SELECT COUNT(*) FROM outbox_deliveries WHERE channel = ? AND target = ?%s`
	deliveryStatusCond = ` AND status = ?`
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
	rows, err := queryAll(ctx, s, limit, scanLogRow, listDeliveriesSQLs[variant], append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list deliveries: %w", err)
	}
	out := make([]agentgate.Delivery, 0, limit)
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].ID != r.d.ID {
			out = append(out, r.d)
		}
		if r.a != nil {
			last := &out[len(out)-1]
			last.History = append(last.History, *r.a)
		}
	}
	total, err := scanCount(s.queryRow(ctx, countDeliveriesSQLs[variant], args...))
	if err != nil {
		return nil, 0, fmt.Errorf("count deliveries: %w", err)
	}
	return out, total, nil
}

// logRow is one row of a delivery log's join: a delivery and one of its attempts, if any.
type logRow struct {
	d agentgate.Delivery
	a *agentgate.DeliveryAttempt
}

// scanLogRow reads one row of deliveryLogColumns.
func scanLogRow(sc scanner) (logRow, error) {
	var (
		r                 logRow
		number, started   sql.NullInt64
		latency, code     sql.NullInt64
		ok                sql.NullBool
		errText, response sql.NullString
	)
	d, err := scanDeliveryAnd(sc, &number, &started, &latency, &ok, &code, &errText, &response)
	if err != nil || !number.Valid {
		r.d = d
		return r, err
	}
	r.d = d
	r.a = &agentgate.DeliveryAttempt{DeliveryID: d.ID, Channel: d.Channel, Target: d.Target, Number: int(number.Int64),
		At: fromMicros(started.Int64), LatencyMillis: float64(latency.Int64) / 1000, OK: ok.Bool,
		StatusCode: int(code.Int64), Error: errText.String, Response: response.String}
	return r, nil
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
func scanDelivery(sc scanner) (agentgate.Delivery, error) { return scanDeliveryAnd(sc) }

// scanDeliveryAnd reads deliveryColumns and then more.
func scanDeliveryAnd(sc scanner, more ...any) (agentgate.Delivery, error) {
	var (
		d                          agentgate.Delivery
		channel, status            string
		requestID                  sql.NullString
		next, createdAt, updatedAt int64
	)
	err := sc.Scan(append([]any{&d.ID, &d.Event, &channel, &d.Target, &requestID, &status, &d.Attempts, &d.ScheduleFrom,
		&next, &d.LastError, &d.LastStatusCode, &createdAt, &updatedAt}, more...)...)
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
