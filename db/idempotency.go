package db

import (
	"context"
	"fmt"
	"time"

	"github.com/agentgate/agentgate"
)

// upsertIdempotencySQL records an idempotency key, replacing a record older than the
// window (its last ? is the cutoff). A record within the window is left alone and the
// statement changes no row: the unique key, not a read beforehand, decides between
// concurrent callers, and on PostgreSQL the second waits for the first to commit.
const upsertIdempotencySQL = `INSERT INTO idempotency_keys (key_id, idem_key, fingerprint,
	request_id, created_at) VALUES (?, ?, ?, ?, ?)
	ON CONFLICT (key_id, idem_key) DO UPDATE SET fingerprint = excluded.fingerprint,
	request_id = excluded.request_id, created_at = excluded.created_at
	WHERE idempotency_keys.created_at <= ?`

// recordIdempotency writes rec (nothing when nil) in a request's transaction. A key
// recorded within the window is agentgate.ErrIdempotencyConflict, marked clean: the
// statement wrote nothing.
func recordIdempotency(tx *writeTx, rec *agentgate.Idempotency) error {
	if rec == nil {
		return nil
	}
	n, err := tx.execRows(upsertIdempotencySQL, rec.KeyID, rec.Key, rec.Fingerprint, rec.RequestID,
		toMicros(rec.CreatedAt), toMicros(rec.CreatedAt.Add(-agentgate.IdempotencyWindow)))
	if err != nil {
		return err
	}
	if n == 0 {
		return clean(agentgate.ErrIdempotencyConflict)
	}
	return nil
}

const getIdempotencySQL = `SELECT key_id, idem_key, fingerprint, request_id, created_at
	FROM idempotency_keys WHERE key_id = ? AND idem_key = ?`

// GetIdempotency returns the record of an API key's Idempotency-Key, or an error wrapping
// agentgate.ErrNotFound.
func (s *Store) GetIdempotency(ctx context.Context, keyID, key string) (*agentgate.Idempotency, error) {
	return getOne(ctx, s, "get idempotency key", func() error { return notFound("idempotency key", key) },
		scanIdempotency, getIdempotencySQL, keyID, key)
}

func scanIdempotency(sc scanner) (agentgate.Idempotency, error) {
	var rec agentgate.Idempotency
	var at int64
	err := sc.Scan(&rec.KeyID, &rec.Key, &rec.Fingerprint, &rec.RequestID, &at)
	rec.CreatedAt = fromMicros(at)
	return rec, err
}

// deleteIdempotencySQL deletes one batch of old records, oldest first, through the
// created_at index.
const deleteIdempotencySQL = `DELETE FROM idempotency_keys WHERE (key_id, idem_key) IN (
	SELECT key_id, idem_key FROM idempotency_keys WHERE created_at < ?
	ORDER BY created_at LIMIT ?)`

// DeleteIdempotencyBefore deletes up to limit records created before t and returns how
// many it deleted.
func (s *Store) DeleteIdempotencyBefore(ctx context.Context, t time.Time, limit int) (int, error) {
	var n int64
	err := s.w.do(ctx, func(tx *writeTx) error {
		var err error
		n, err = tx.execRows(deleteIdempotencySQL, toMicros(t), int64(limit))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete idempotency keys: %w", err)
	}
	return int(n), nil
}
