package db

import (
	"context"
	"fmt"
	"time"

	"github.com/agentgate/agentgate"
)

// claimedColumns are what a claim returns, in scanClaimed's order: the delivery and its
// notice's data, from which the payload is built.
const claimedColumns = `id, event, channel, target, request_id, attempts, schedule_from, created_at,
	(SELECT n.data FROM outbox_notices n WHERE n.id = outbox_deliveries.notice_id)`

// claimDeliveriesSQL leases the due deliveries whose lease, if any, ran out. On
// PostgreSQL the rows are picked FOR UPDATE SKIP LOCKED, so instances claiming at the same
// time take different rows; on SQLite the one writer claims, and nothing runs beside it.
// The lock lasts only as long as the claim's transaction; the lease does the rest.
const claimDeliveriesSQL = `UPDATE outbox_deliveries SET lease_owner = ?, lease_until = ?
	WHERE id IN (SELECT id FROM outbox_deliveries
		WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
		ORDER BY next_attempt_at LIMIT ?%s)
	RETURNING ` + claimedColumns

var claimDeliveriesSQLs = map[string]string{
	DialectSQLite:   fmt.Sprintf(claimDeliveriesSQL, ""),
	DialectPostgres: fmt.Sprintf(claimDeliveriesSQL, " FOR UPDATE SKIP LOCKED"),
}

// ClaimDeliveries leases up to limit due deliveries to owner until leaseUntil and returns
// them with their payloads.
func (s *Store) ClaimDeliveries(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]agentgate.Delivery, error) {
	var out []agentgate.Delivery
	query := claimDeliveriesSQLs[s.dialect]
	err := s.w.do(ctx, func(tx *writeTx) error {
		out = out[:0] // a batch may run an operation twice (see writer.runBatch)
		st, err := tx.stmt(query)
		if err != nil {
			return err
		}
		rows, err := st.QueryContext(tx.ctx, owner, toMicros(leaseUntil), toMicros(now), toMicros(now), int64(limit))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanClaimed(rows)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	return out, nil
}

// scanClaimed reads one row of claimedColumns and builds the payload.
func scanClaimed(sc scanner) (agentgate.Delivery, error) {
	var (
		d         agentgate.Delivery
		channel   string
		requestID *string
		createdAt int64
		data      []byte
	)
	err := sc.Scan(&d.ID, &d.Event, &channel, &d.Target, &requestID, &d.Attempts, &d.ScheduleFrom, &createdAt, &data)
	if err != nil {
		return d, err
	}
	if requestID != nil {
		d.RequestID = *requestID
	}
	d.Channel, d.CreatedAt, d.Status = agentgate.ChannelKind(channel), fromMicros(createdAt), agentgate.DeliveryPending
	d.Payload = agentgate.EventPayload(d.Event, d.CreatedAt, data)
	return d, nil
}

const (
	// finishAttemptSQL moves a delivery on after an attempt, only while owner holds it.
	finishAttemptSQL = `UPDATE outbox_deliveries SET status = ?, attempts = ?, next_attempt_at = ?,
		lease_owner = NULL, lease_until = NULL, last_error = ?, last_status_code = ?, updated_at = ?
		WHERE id = ? AND lease_owner = ?`
	// An attempt whose number is already recorded (by an instance that took over an
	// expired lease) is kept once.
	insertAttemptSQL = `INSERT INTO outbox_attempts (` + attemptColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
)

// RecordAttempt stores the attempt and, if owner still holds the delivery, moves it to
// next. A lost lease keeps the attempt, leaves the delivery to its new holder, and returns
// an error wrapping agentgate.ErrStale.
func (s *Store) RecordAttempt(ctx context.Context, owner string, a agentgate.DeliveryAttempt, next agentgate.DeliveryState) error {
	nextAt := next.NextAttemptAt
	if next.Status != agentgate.DeliveryPending {
		nextAt = a.At
	}
	var lost bool
	err := s.w.do(ctx, func(tx *writeTx) error {
		n, err := tx.execRows(finishAttemptSQL, string(next.Status), int64(a.Number), toMicros(nextAt),
			a.Error, int64(a.StatusCode), toMicros(a.At), a.DeliveryID, owner)
		if err != nil {
			return err
		}
		lost = n == 0
		_, err = tx.exec(insertAttemptSQL, a.DeliveryID, int64(a.Number), string(a.Channel), a.Target, toMicros(a.At),
			int64(a.LatencyMillis*1000), a.OK, int64(a.StatusCode), a.Error, a.Response)
		return err
	})
	if err != nil {
		return fmt.Errorf("record attempt %d of delivery %s: %w", a.Number, a.DeliveryID, err)
	}
	if lost {
		return fmt.Errorf("delivery %s is no longer leased to %s: %w", a.DeliveryID, owner, agentgate.ErrStale)
	}
	return nil
}

const (
	releaseDeliverySQL = `UPDATE outbox_deliveries SET lease_owner = NULL, lease_until = NULL
		WHERE id = ? AND lease_owner = ? AND status = 'pending'`
	releaseAllLeasesSQL = `UPDATE outbox_deliveries SET lease_owner = NULL, lease_until = NULL
		WHERE status = 'pending' AND lease_owner IS NOT NULL`
)

// ReleaseDeliveries ends owner's leases on the deliveries, which are then due again as they
// were.
func (s *Store) ReleaseDeliveries(ctx context.Context, owner string, ids []string) error {
	err := s.w.do(ctx, func(tx *writeTx) error {
		for _, id := range ids {
			if _, err := tx.exec(releaseDeliverySQL, id, owner); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("release deliveries: %w", err)
	}
	return nil
}

// ReleaseAllLeases ends every lease and returns how many it ended.
func (s *Store) ReleaseAllLeases(ctx context.Context) (int, error) {
	var n int64
	err := s.w.do(ctx, func(tx *writeTx) (err error) {
		n, err = tx.execRows(releaseAllLeasesSQL)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("release leases: %w", err)
	}
	return int(n), nil
}
