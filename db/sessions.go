package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/agentgate/agentgate"
)

// sessionColumns are the columns every session query reads, in scanSession's order.
const sessionColumns = `id, token_hash, key_id, created_at, expires_at, ended_at`

const insertSessionSQL = `INSERT INTO sessions (` + sessionColumns + `) VALUES (?, ?, ?, ?, ?, ?)`

// CreateSession inserts a dashboard session and its audit event.
func (s *Store) CreateSession(ctx context.Context, ses *agentgate.Session, event agentgate.AuditEvent) error {
	ev, err := auditArgs([]agentgate.AuditEvent{event})
	if err != nil {
		return err
	}
	err = s.w.do(ctx, func(tx *writeTx) error {
		_, err := tx.exec(insertSessionSQL, ses.ID, ses.TokenHash, ses.KeyID,
			toMicros(ses.CreatedAt), toMicros(ses.ExpiresAt), microsOrNil(ses.EndedAt))
		if err != nil {
			return alreadyExists(err, "session "+ses.ID)
		}
		return insertAudit(tx, ev)
	})
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

const getSessionByHashSQL = `SELECT ` + sessionColumns + ` FROM sessions WHERE token_hash = ?`

// GetSessionByHash returns the session with that token hash, ended or not, or an error
// wrapping agentgate.ErrNotFound.
func (s *Store) GetSessionByHash(ctx context.Context, tokenHash string) (*agentgate.Session, error) {
	return getOne(ctx, s, "get session", missingSession, scanSession, getSessionByHashSQL, tokenHash)
}

// missingSession is the error for a session that is not stored; it never echoes a hash.
func missingSession() error { return fmt.Errorf("session: %w", agentgate.ErrNotFound) }

// scanSession reads one row of sessionColumns.
func scanSession(sc scanner) (agentgate.Session, error) {
	var (
		ses                  agentgate.Session
		createdAt, expiresAt int64
		endedAt              sql.NullInt64
	)
	err := sc.Scan(&ses.ID, &ses.TokenHash, &ses.KeyID, &createdAt, &expiresAt, &endedAt)
	if err != nil {
		return ses, err
	}
	ses.CreatedAt, ses.ExpiresAt = fromMicros(createdAt), fromMicros(expiresAt)
	ses.EndedAt = fromNullMicros(endedAt)
	return ses, nil
}

const (
	endSessionSQL   = `UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL`
	countSessionSQL = `SELECT COUNT(*) FROM sessions WHERE id = ?`
)

// EndSession sets the session's end time and writes the event; agentgate.ErrNotFound if
// there is no such session. Ending an ended session changes nothing and logs nothing.
func (s *Store) EndSession(ctx context.Context, id string, at time.Time, event agentgate.AuditEvent) error {
	ev, err := auditArgs([]agentgate.AuditEvent{event})
	if err != nil {
		return err
	}
	err = s.w.do(ctx, func(tx *writeTx) error {
		n, err := tx.execRows(endSessionSQL, toMicros(at), id)
		if err != nil {
			return err
		}
		if n == 0 { // already ended, or no such session
			return sessionExists(tx, id)
		}
		return insertAudit(tx, ev)
	})
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

const deleteSessionsBeforeSQL = `DELETE FROM sessions WHERE expires_at < ? OR ended_at < ?`

// DeleteSessionsBefore deletes sessions that expired or ended before t.
func (s *Store) DeleteSessionsBefore(ctx context.Context, t time.Time) (int, error) {
	var n int64
	err := s.w.do(ctx, func(tx *writeTx) error {
		var err error
		n, err = tx.execRows(deleteSessionsBeforeSQL, toMicros(t), toMicros(t))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete old sessions: %w", err)
	}
	return int(n), nil
}

// sessionExists returns nil if the session exists, else agentgate.ErrNotFound. It reads in
// the transaction, which sees a session created earlier in the same batch.
func sessionExists(tx *writeTx, id string) error {
	n, err := scanCount(tx.queryRow(countSessionSQL, id))
	if err != nil {
		return err
	}
	if n == 0 {
		return clean(notFound("session", id))
	}
	return nil
}

const (
	getSettingSQL    = `SELECT value FROM settings WHERE name = ?`
	insertSettingSQL = `INSERT INTO settings (name, value, created_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO NOTHING`
)

// EnsureSetting stores value under name unless a value is stored already, and returns the
// stored value: the first writer wins, across instances.
func (s *Store) EnsureSetting(ctx context.Context, name, value string) (string, error) {
	row, err := s.queryRow(ctx, getSettingSQL, name)
	if err != nil {
		return "", err
	}
	var stored string
	err = row.Scan(&stored)
	if err == nil {
		return stored, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("get setting %s: %w", name, err)
	}
	now := toMicros(time.Now())
	err = s.w.do(ctx, func(tx *writeTx) error {
		if _, err := tx.exec(insertSettingSQL, name, value, now); err != nil {
			return err
		}
		row, err := tx.queryRow(getSettingSQL, name)
		if err != nil {
			return err
		}
		return row.Scan(&stored)
	})
	if err != nil {
		return "", fmt.Errorf("ensure setting %s: %w", name, err)
	}
	return stored, nil
}
