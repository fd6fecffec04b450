package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"github.com/agentgate/agentgate"
)

// keyColumns are the columns every key query reads, in scanKey's order.
const keyColumns = `id, name, prefix, hash, scopes, rate_limit, created_at, updated_at,
	last_used_at, request_count, revoked_at, person_id`

const insertKeySQL = `INSERT INTO api_keys (` + keyColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// CreateKey inserts k and, when event is not nil, its audit event. A key whose hash is
// already stored is a KindConflict error; a name a live key has is agentgate.ErrNameTaken.
func (s *Store) CreateKey(ctx context.Context, k *agentgate.APIKey, event *agentgate.AuditEvent) error {
	scopes, err := marshalList("scopes", k.Scopes)
	if err != nil {
		return err
	}
	var ev [][]any
	if event != nil {
		if ev, err = auditArgs([]agentgate.AuditEvent{*event}); err != nil {
			return err
		}
	}
	err = s.w.do(ctx, func(tx *writeTx) error {
		if err := checkLivePerson(tx, k.PersonID); err != nil {
			return err
		}
		_, err := tx.exec(insertKeySQL, k.ID, k.Name, k.Prefix, k.Hash, scopes, intOrNil(k.RateLimit),
			toMicros(k.CreatedAt), toMicros(k.UpdatedAt), microsOrNil(k.LastUsedAt),
			k.RequestCount, microsOrNil(k.RevokedAt), nullIfEmpty(k.PersonID))
		if isNameTaken(err) {
			return fmt.Errorf("API key %s: %w", k.ID, agentgate.ErrNameTaken)
		}
		if err != nil {
			return alreadyExists(err, "an API key with that id or value")
		}
		return tx.changed(TopicKeys, ev)
	})
	if err != nil {
		return fmt.Errorf("create key: %w", err)
	}
	return nil
}

const getKeySQL = `SELECT ` + keyColumns + ` FROM api_keys WHERE id = ?`

// GetKey returns the key with that id, or an error wrapping agentgate.ErrNotFound.
func (s *Store) GetKey(ctx context.Context, id string) (*agentgate.APIKey, error) {
	return s.getKey(ctx, getKeySQL, id)
}

const getKeyByHashSQL = `SELECT ` + keyColumns + ` FROM api_keys WHERE hash = ?`

// GetKeyByHash returns the key with that hash, revoked or not, or an error wrapping
// agentgate.ErrNotFound.
func (s *Store) GetKeyByHash(ctx context.Context, hash string) (*agentgate.APIKey, error) {
	return s.getKey(ctx, getKeyByHashSQL, hash)
}

func (s *Store) getKey(ctx context.Context, query, arg string) (*agentgate.APIKey, error) {
	return getOne(ctx, s, "get key", missingKey, scanKey, query, arg)
}

// missingKey is the error for a key that is not stored; it never echoes a hash.
func missingKey() error { return fmt.Errorf("API key: %w", agentgate.ErrNotFound) }

const (
	listKeysSQL     = `SELECT ` + keyColumns + ` FROM api_keys ORDER BY created_at DESC, id DESC` + pageSuffix
	countAllKeysSQL = `SELECT COUNT(*) FROM api_keys`
)

// ListKeys returns one page of keys, newest first, and the number of keys.
func (s *Store) ListKeys(ctx context.Context, p agentgate.Page) ([]agentgate.APIKey, int, error) {
	limit, offset := pageBounds(p)
	out, err := queryAll(ctx, s, 0, scanKey, listKeysSQL, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list keys: %w", err)
	}
	total, err := s.count(ctx, countAllKeysSQL, nil, len(out), offset, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("count keys: %w", err)
	}
	return out, total, nil
}

const updateKeySQL = `UPDATE api_keys SET name = ?, scopes = ?, rate_limit = ?, updated_at = ?,
	revoked_at = ?, person_id = ? WHERE id = ?`

// UpdateKey writes k's Name, Scopes, RateLimit, UpdatedAt, RevokedAt and PersonID, and its
// audit event; agentgate.ErrNotFound if there is no such key (or PersonID names no person
// who is not deleted), agentgate.ErrNameTaken if another live key has the name.
func (s *Store) UpdateKey(ctx context.Context, k *agentgate.APIKey, event agentgate.AuditEvent) error {
	scopes, err := marshalList("scopes", k.Scopes)
	if err != nil {
		return err
	}
	ev, err := auditArgs([]agentgate.AuditEvent{event})
	if err != nil {
		return err
	}
	err = s.w.do(ctx, func(tx *writeTx) error {
		if err := checkLivePerson(tx, k.PersonID); err != nil {
			return err
		}
		err := tx.execOne(notFound("API key", k.ID), updateKeySQL, k.Name, scopes, intOrNil(k.RateLimit),
			toMicros(k.UpdatedAt), microsOrNil(k.RevokedAt), nullIfEmpty(k.PersonID), k.ID)
		if isNameTaken(err) {
			return fmt.Errorf("API key %s: %w", k.ID, agentgate.ErrNameTaken)
		}
		if err != nil {
			return err
		}
		return tx.changed(TopicKeys, ev)
	})
	if err != nil {
		return fmt.Errorf("update key: %w", err)
	}
	return nil
}

const countKeysSQL = `SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL`

// CountKeys counts the keys that are not revoked.
func (s *Store) CountKeys(ctx context.Context) (int, error) {
	n, err := scanCount(s.queryRow(ctx, countKeysSQL))
	if err != nil {
		return 0, fmt.Errorf("count keys: %w", err)
	}
	return n, nil
}

const (
	recordKeyUsageSQL = `UPDATE api_keys SET request_count = request_count + ?,
		last_used_at = CASE WHEN last_used_at IS NULL OR last_used_at < ? THEN ?
		ELSE last_used_at END
		WHERE id = ?`
	recordKeyCountSQL = `UPDATE api_keys SET request_count = request_count + ? WHERE id = ?`
)

// RecordKeyUsage adds each usage's count to its key and moves the key's last use forward
// (never back), all in one write. Unknown keys are skipped: a key may have been deleted
// since it was used.
func (s *Store) RecordKeyUsage(ctx context.Context, usage []agentgate.KeyUsage) error {
	if len(usage) == 0 {
		return nil
	}
	err := s.w.do(ctx, func(tx *writeTx) error {
		for _, u := range usage {
			var err error
			if u.LastUsed.IsZero() {
				_, err = tx.exec(recordKeyCountSQL, u.Count, u.KeyID)
			} else {
				at := toMicros(u.LastUsed)
				_, err = tx.exec(recordKeyUsageSQL, u.Count, at, at, u.KeyID)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record key usage: %w", err)
	}
	return nil
}

// liveNameIndex is migration 00004's unique index on the names of keys not revoked.
const liveNameIndex = "api_keys_live_name"

// isNameTaken reports whether err is a violation of liveNameIndex: the unique constraint,
// not a read beforehand, decides between two concurrent writers of one name.
func isNameTaken(err error) bool {
	if err == nil || !isUniqueViolation(err) {
		return false
	}
	if pqErr := pq.As(err); pqErr != nil {
		return pqErr.Constraint == liveNameIndex
	}
	// SQLite names the columns: "UNIQUE constraint failed: api_keys.name".
	return strings.HasSuffix(err.Error(), "api_keys.name")
}

// intOrNil returns *n as an int64, or nil (NULL) for no number, as microsOrNil does times.
func intOrNil(n *int) any {
	if n == nil {
		return nil
	}
	return int64(*n)
}

// scanKey reads one row of keyColumns.
func scanKey(sc scanner) (agentgate.APIKey, error) {
	var (
		k                    agentgate.APIKey
		scopes               []byte
		rateLimit            sql.NullInt64
		createdAt, updatedAt int64
		lastUsed, revoked    sql.NullInt64
		person               sql.NullString
	)
	err := sc.Scan(&k.ID, &k.Name, &k.Prefix, &k.Hash, &scopes, &rateLimit, &createdAt,
		&updatedAt, &lastUsed, &k.RequestCount, &revoked, &person)
	if err != nil {
		return k, err
	}
	if rateLimit.Valid {
		n := int(rateLimit.Int64)
		k.RateLimit = &n
	}
	k.CreatedAt, k.UpdatedAt = fromMicros(createdAt), fromMicros(updatedAt)
	k.LastUsedAt, k.RevokedAt = fromNullMicros(lastUsed), fromNullMicros(revoked)
	k.PersonID = person.String
	if err := json.Unmarshal(scopes, &k.Scopes); err != nil {
		return k, fmt.Errorf("decode scopes of key %s: %w", k.ID, err)
	}
	return k, nil
}
