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
			toMicros(ses.CreatedAt), toMicros(ses.ExpiresAt), toNullMicros(ses.EndedAt))
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
	row, err := s.queryRow(ctx, getSessionByHashSQL, tokenHash)
	if err != nil {
		return nil, err
	}
	var (
		ses                  agentgate.Session
		createdAt, expiresAt int64
		endedAt              sql.NullInt64
	)
	err = row.Scan(&ses.ID, &ses.TokenHash, &ses.KeyID, &createdAt, &expiresAt, &endedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("session: %w", agentgate.ErrNotFound) // never echo a hash
	}
	if err != nil {
		return nil, fmt.Errorf("get session: %w", err)
	}
	ses.CreatedAt, ses.ExpiresAt = fromMicros(createdAt), fromMicros(expiresAt)
	ses.EndedAt = fromNullMicros(endedAt)
	return &ses, nil
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
		err := tx.execOne(errNoRows, endSessionSQL, toMicros(at), id)
		if errors.Is(err, errNoRows) {
			return sessionExists(tx, id)
		}
		if err != nil {
			return err
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
		res, err := tx.exec(deleteSessionsBeforeSQL, toMicros(t), toMicros(t))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete old sessions: %w", err)
	}
	return int(n), nil
}

// sessionExists returns nil if the session exists, else agentgate.ErrNotFound.
func sessionExists(tx *writeTx, id string) error {
	row, err := tx.queryRow(countSessionSQL, id)
	if err != nil {
		return err
	}
	var n int
	if err := row.Scan(&n); err != nil {
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

// recentDecisionsSQL repeats the condition of the partial index requests_decided_later.
const recentDecisionsSQL = `SELECT ` + requestColumns + ` FROM requests
	WHERE decided_at > created_at ORDER BY decided_at DESC, id DESC LIMIT ?`

// RecentDecisions returns up to limit requests decided after they arrived (by people,
// expiry or cancellation), the latest decision first. Requests a policy decided on
// arrival are left out: at gate-check rates they would crowd out every other decision.
func (s *Store) RecentDecisions(ctx context.Context, limit int) ([]agentgate.Request, error) {
	limit, _ = pageBounds(agentgate.Page{Limit: limit})
	rows, err := s.query(ctx, recentDecisionsSQL, limit)
	if err != nil {
		return nil, fmt.Errorf("recent decisions: %w", err)
	}
	list, err := scanRequests(rows, limit)
	if err != nil {
		return nil, fmt.Errorf("recent decisions: %w", err)
	}
	return list, nil
}
