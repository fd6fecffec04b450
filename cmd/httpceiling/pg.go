package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	_ "github.com/lib/pq" // registers the "postgres" driver

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
)

// txPerRequest writes each request in a transaction of its own, as a server without a
// batching writer would.
type txPerRequest struct {
	pool                 *sql.DB
	insRequest, insAudit *sql.Stmt
	addCount             *sql.Stmt // nil unless WRITE_COUNT
}

// The columns AgentGate writes for an auto-approved gate check.
const (
	ceilingRequestSQL = `INSERT INTO requests (id, action, params, context, urgency, urgency_rank,
		status, created_by, created_at, updated_at, decided_at, decided_by, decision_reason,
		expires_at, policy_decision, required_approvals, votes, version, created_by_id)
		VALUES ($1, $2, $3, $4, 'low', 0, 'approved', 'bench', $5, $5, $5, 'policy',
		'automatically approved', $6, '{}', 1, '[]', 1, '')`
	ceilingAuditSQL = `INSERT INTO audit_events (id, request_id, action, event_type, actor,
		actor_type, owasp, details, created_at)
		VALUES ($1, $2, $3, 'request.approved', 'policy', 'policy', '', '{}', $4)`
	// ceilingCountSQL keeps the status tabs' count, as the gate check does.
	ceilingCountSQL = `INSERT INTO request_counts (status, urgency, lane, n) VALUES ('approved', 'low', 0, 1)
		ON CONFLICT (status, urgency, lane) DO UPDATE SET n = request_counts.n + 1`
)

// openTxPerRequest migrates the database (so that it has AgentGate's tables and indexes)
// and prepares the two inserts on a pool with a connection for each of the load test's.
func openTxPerRequest(ctx context.Context, url string, count bool) (*txPerRequest, error) {
	s, err := db.Open(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	err = s.Migrate(ctx)
	s.Close()
	if err != nil {
		return nil, err
	}
	pool, err := sql.Open("postgres", url)
	if err != nil {
		return nil, err
	}
	pool.SetMaxOpenConns(32)
	pool.SetMaxIdleConns(32)
	p := &txPerRequest{pool: pool}
	if p.insRequest, err = pool.PrepareContext(ctx, ceilingRequestSQL); err == nil {
		p.insAudit, err = pool.PrepareContext(ctx, ceilingAuditSQL)
	}
	if err == nil && count {
		p.addCount, err = pool.PrepareContext(ctx, ceilingCountSQL)
	}
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return p, nil
}

func (p *txPerRequest) insert(ctx context.Context, in *agentgate.NewRequest, id string, now time.Time) error {
	tx, err := p.pool.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it does nothing
	at := now.UnixMicro()
	params, reqCtx := string(orEmpty(in.Params)), string(orEmpty(in.Context))
	if _, err := tx.StmtContext(ctx, p.insRequest).ExecContext(ctx, id, in.Action, params, reqCtx, at, at+3_600_000_000); err != nil {
		return err
	}
	if _, err := tx.StmtContext(ctx, p.insAudit).ExecContext(ctx, agentgate.NewID("evt", now), id, in.Action, at); err != nil {
		return err
	}
	if p.addCount != nil {
		if _, err := tx.StmtContext(ctx, p.addCount).ExecContext(ctx); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func orEmpty(raw []byte) []byte {
	if len(raw) == 0 {
		return []byte("{}")
	}
	return raw
}

func (p *txPerRequest) Close() error { return p.pool.Close() }
