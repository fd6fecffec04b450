package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/agentgate/agentgate"
)

// decisionLinkColumns are the columns every decision link query reads, in
// scanDecisionLink's order.
const decisionLinkColumns = `id, request_id, delivery_id, recipient, person_id, decision, token_hash,
	created_at, expires_at, used_at`

const (
	// A retried email re-sends its links: the row stays, its expiry follows the new send
	// unless the link was used.
	saveDecisionLinkSQL = `INSERT INTO decision_links (` + decisionLinkColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
		ON CONFLICT (token_hash) DO UPDATE SET expires_at = excluded.expires_at
		WHERE decision_links.used_at IS NULL`
	getDecisionLinkSQL    = `SELECT ` + decisionLinkColumns + ` FROM decision_links WHERE token_hash = ?`
	spendDecisionLinksSQL = `UPDATE decision_links SET used_at = ?
		WHERE request_id = ? AND recipient = ? AND used_at IS NULL`
	deleteDecisionLinksSQL = `DELETE FROM decision_links WHERE id IN
		(SELECT id FROM decision_links WHERE expires_at < ? LIMIT ?)`
)

// SaveDecisionLinks stores links; one already stored (the same token) keeps its row and
// takes the new expiry while unused.
func (s *Store) SaveDecisionLinks(ctx context.Context, links []agentgate.DecisionLink) error {
	err := s.w.do(ctx, func(tx *writeTx) error {
		for _, l := range links {
			_, err := tx.exec(saveDecisionLinkSQL, l.ID, l.RequestID, l.DeliveryID, strings.ToLower(l.Recipient),
				l.PersonID, l.Decision, l.TokenHash, toMicros(l.CreatedAt), toMicros(l.ExpiresAt))
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save decision links: %w", err)
	}
	return nil
}

// DecisionLinkByHash returns the link with that token hash, or an error wrapping
// agentgate.ErrNotFound that does not echo the hash.
func (s *Store) DecisionLinkByHash(ctx context.Context, tokenHash string) (*agentgate.DecisionLink, error) {
	return getOne(ctx, s, "get decision link", func() error { return fmt.Errorf("decision link: %w", agentgate.ErrNotFound) },
		scanDecisionLink, getDecisionLinkSQL, tokenHash)
}

// SpendDecisionLinks marks every unused link of the request for the recipient used at t
// and returns how many it marked.
func (s *Store) SpendDecisionLinks(ctx context.Context, requestID, recipient string, t time.Time) (int, error) {
	var n int64
	err := s.w.do(ctx, func(tx *writeTx) error {
		var err error
		n, err = tx.execRows(spendDecisionLinksSQL, toMicros(t), requestID, strings.ToLower(recipient))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("spend decision links: %w", err)
	}
	return int(n), nil
}

// DeleteDecisionLinksBefore deletes up to limit links that expired before t and returns
// how many it deleted.
func (s *Store) DeleteDecisionLinksBefore(ctx context.Context, t time.Time, limit int) (int, error) {
	var n int64
	err := s.w.do(ctx, func(tx *writeTx) error {
		var err error
		n, err = tx.execRows(deleteDecisionLinksSQL, toMicros(t), limit)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete old decision links: %w", err)
	}
	return int(n), nil
}

// scanDecisionLink reads one row of decisionLinkColumns.
func scanDecisionLink(sc scanner) (agentgate.DecisionLink, error) {
	var (
		l                    agentgate.DecisionLink
		createdAt, expiresAt int64
		usedAt               sql.NullInt64
	)
	err := sc.Scan(&l.ID, &l.RequestID, &l.DeliveryID, &l.Recipient, &l.PersonID, &l.Decision, &l.TokenHash,
		&createdAt, &expiresAt, &usedAt)
	if err != nil {
		return l, err
	}
	l.CreatedAt, l.ExpiresAt, l.UsedAt = fromMicros(createdAt), fromMicros(expiresAt), fromNullMicros(usedAt)
	return l, nil
}
