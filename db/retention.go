package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/agentgate/agentgate"
)

// Retention deletes, in short batches through the writer, what RETENTION_DAYS has
// outlived. Requests and audit events are never deleted.

// maxPruneBatch is the most deliveries one DeleteFinishedDeliveries deletes: its attempts
// and notices are deleted by lists of this many ids, padded with "" (no id), so that each
// delete is one statement with one text, prepared once.
const maxPruneBatch = 256

// deleteFinishedSQL deletes a batch of finished deliveries created before a bound id
// (through the primary key, in creation order) and finished before a time. On PostgreSQL
// the rows are locked as they are picked, so that a replay at the same moment waits and
// then finds the delivery gone, rather than being undone.
const deleteFinishedSQL = `DELETE FROM outbox_deliveries WHERE id IN (SELECT id FROM outbox_deliveries
	WHERE id < ? AND status <> 'pending' AND updated_at < ? ORDER BY id LIMIT ?%s)
	RETURNING id, notice_id`

var (
	deleteFinishedSQLs = map[string]string{
		DialectSQLite:   fmt.Sprintf(deleteFinishedSQL, ""),
		DialectPostgres: fmt.Sprintf(deleteFinishedSQL, " FOR UPDATE SKIP LOCKED"),
	}
	idList                = "(?" + strings.Repeat(", ?", maxPruneBatch-1) + ")"
	deleteAttemptsOfSQL   = `DELETE FROM outbox_attempts WHERE delivery_id IN ` + idList
	deleteSpentNoticesSQL = `DELETE FROM outbox_notices WHERE id IN ` + idList + `
		AND NOT EXISTS (SELECT 1 FROM outbox_deliveries d WHERE d.notice_id = outbox_notices.id)`
)

// DeleteFinishedDeliveries deletes up to limit (at most maxPruneBatch) deliveries created
// and finished before t, with their attempts and the notices none of whose deliveries is
// left, in one transaction, and returns how many deliveries it deleted.
func (s *Store) DeleteFinishedDeliveries(ctx context.Context, t time.Time, limit int) (int, error) {
	limit = min(max(limit, 1), maxPruneBatch)
	var n int
	err := s.w.do(ctx, func(tx *writeTx) error {
		deliveries, notices, err := deleteFinished(tx, s.dialect, t, limit)
		if err != nil || len(deliveries) == 0 {
			n = 0
			return err
		}
		if _, err := tx.exec(deleteAttemptsOfSQL, padded(deliveries)...); err != nil {
			return fmt.Errorf("delete attempts: %w", err)
		}
		if _, err := tx.exec(deleteSpentNoticesSQL, padded(notices)...); err != nil {
			return fmt.Errorf("delete notices: %w", err)
		}
		n = len(deliveries)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("delete finished deliveries: %w", err)
	}
	return n, nil
}

// deleteFinished deletes one batch of deliveries and returns their ids and their
// notices' (each once).
func deleteFinished(tx *writeTx, dialect string, t time.Time, limit int) (deliveries, notices []string, err error) {
	st, err := tx.stmt(deleteFinishedSQLs[dialect])
	if err != nil {
		return nil, nil, err
	}
	rows, err := st.QueryContext(tx.ctx, agentgate.FirstID("dlv", t), toMicros(t), int64(limit))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var id, notice string
		if err := rows.Scan(&id, &notice); err != nil {
			return nil, nil, err
		}
		deliveries = append(deliveries, id)
		if !seen[notice] {
			seen[notice] = true
			notices = append(notices, notice)
		}
	}
	return deliveries, notices, rows.Err()
}

// padded returns ids as the arguments of an idList: "" (no id) fills the rest.
func padded(ids []string) []any {
	args := make([]any, maxPruneBatch)
	for i := range args {
		args[i] = ""
		if i < len(ids) {
			args[i] = ids[i]
		}
	}
	return args
}

const countPendingDeliveriesSQL = `SELECT channel, COUNT(*) FROM outbox_deliveries WHERE status = 'pending' GROUP BY channel`

// CountPendingDeliveries counts the pending deliveries of each channel kind, through the
// index of pending deliveries (status = 'pending' is written as a literal so that it is
// used).
func (s *Store) CountPendingDeliveries(ctx context.Context) (map[agentgate.ChannelKind]int, error) {
	type count struct {
		channel string
		n       int
	}
	rows, err := queryAll(ctx, s, 4, func(sc scanner) (count, error) {
		var c count
		err := sc.Scan(&c.channel, &c.n)
		return c, err
	}, countPendingDeliveriesSQL)
	if err != nil {
		return nil, fmt.Errorf("count pending deliveries: %w", err)
	}
	out := make(map[agentgate.ChannelKind]int, len(rows))
	for _, c := range rows {
		out[agentgate.ChannelKind(c.channel)] = c.n
	}
	return out, nil
}
