package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/agentgate/agentgate"
)

const (
	noticeValues    = `INSERT INTO outbox_notices (id, request_id, data, created_at) VALUES (?, ?, ?, ?)`
	insertNoticeSQL = noticeValues
	// A new delivery is due when its notice is written.
	insertDeliveriesSQL = `INSERT INTO outbox_deliveries (id, notice_id, event, channel, target, request_id,
		status, next_attempt_at, created_at, updated_at) VALUES `
	deliveryValues = `(?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`
	deliveryArgs   = 9 // the ? of deliveryValues
)

// deliveryChunks are the numbers of deliveries one insert statement writes: a notice's
// deliveries go in as few statements as these sizes add up to (5 = 4 + 1), so that the
// statement texts stay few and a notice to many costs few statements (on PostgreSQL, few
// round trips of a writer lane).
var deliveryChunks = []int{16, 8, 4, 2, 1}

// insertDeliveriesSQLs holds, per chunk size, the insert of that many deliveries, and, as
// the second of the pair, the same led by its notice's insert (PostgreSQL only: a
// data-modifying WITH writes both in one statement).
var insertDeliveriesSQLs = func() map[int][2]string {
	m := map[int][2]string{}
	for _, k := range deliveryChunks {
		rows := insertDeliveriesSQL + strings.TrimSuffix(strings.Repeat(deliveryValues+", ", k), ", ")
		m[k] = [2]string{rows, `WITH notice AS (` + noticeValues + `) ` + rows}
	}
	return m
}()

// outboxArgs are notices and their deliveries encoded for the inserts, before the writer
// needs them.
type outboxArgs []noticeRows

// noticeRows is one notice's insert arguments and its deliveries', deliveryArgs per row.
type noticeRows struct {
	notice     []any
	deliveries []any
}

// noticeArgs encodes notices; none (the gate check nobody listens to) costs nothing.
func noticeArgs(ns []agentgate.Notice) (outboxArgs, error) {
	if len(ns) == 0 {
		return nil, nil
	}
	out := make(outboxArgs, 0, len(ns))
	for _, n := range ns {
		if n.ID == "" || len(n.Data) == 0 {
			return nil, fmt.Errorf("notice %q has no id or no data", n.ID)
		}
		at := toMicros(n.CreatedAt)
		requestID := nullIfEmpty(n.RequestID)
		rows := noticeRows{notice: []any{n.ID, requestID, string(n.Data), at}, deliveries: make([]any, 0, deliveryArgs*len(n.Deliveries))}
		for _, d := range n.Deliveries {
			if d.ID == "" || d.Channel == "" || d.Event == "" {
				return nil, fmt.Errorf("a delivery of notice %s has no id, channel or event", n.ID)
			}
			rows.deliveries = append(rows.deliveries, d.ID, n.ID, d.Event, string(d.Channel), d.Target, requestID, at, at, at)
		}
		out = append(out, rows)
	}
	return out, nil
}

// insertNotices writes encoded notices and deliveries in the writer's transaction.
func insertNotices(tx *writeTx, a outboxArgs) error {
	for _, n := range a {
		rest, withNotice := n.deliveries, tx.postgres
		if !withNotice || len(rest) == 0 {
			if _, err := tx.exec(insertNoticeSQL, n.notice...); err != nil {
				return fmt.Errorf("insert notice %v: %w", n.notice[0], err)
			}
			withNotice = false
		}
		for len(rest) > 0 {
			k := chunkFor(len(rest) / deliveryArgs)
			args := rest[:k*deliveryArgs]
			if withNotice {
				args = append(append(make([]any, 0, len(n.notice)+len(args)), n.notice...), args...)
			}
			if _, err := tx.exec(insertDeliveriesSQLs[k][boolIndex(withNotice)], args...); err != nil {
				return fmt.Errorf("insert deliveries of notice %v: %w", n.notice[0], err)
			}
			rest, withNotice = rest[k*deliveryArgs:], false
		}
	}
	return nil
}

// chunkFor returns the largest chunk size not above n (n > 0).
func chunkFor(n int) int {
	for _, k := range deliveryChunks {
		if k <= n {
			return k
		}
	}
	return 1
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
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
