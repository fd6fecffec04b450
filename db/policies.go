package db

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/agentgate/agentgate"
)

// policyColumns are the columns every policy query reads, in scanPolicy's order.
const policyColumns = `id, name, description, priority, enabled, rules, created_at, updated_at`

const listPoliciesSQL = `SELECT ` + policyColumns + ` FROM policies ORDER BY priority ASC, id ASC`

// ListPolicies returns every policy by ascending priority, then id.
func (s *Store) ListPolicies(ctx context.Context) ([]agentgate.Policy, error) {
	out, err := queryAll(ctx, s, 0, scanPolicy, listPoliciesSQL)
	if err != nil {
		return nil, fmt.Errorf("list policies: %w", err)
	}
	return out, nil
}

const getPolicySQL = `SELECT ` + policyColumns + ` FROM policies WHERE id = ?`

// GetPolicy returns the policy with that id, or an error wrapping agentgate.ErrNotFound.
func (s *Store) GetPolicy(ctx context.Context, id string) (*agentgate.Policy, error) {
	return getOne(ctx, s, "get policy", func() error { return notFound("policy", id) },
		scanPolicy, getPolicySQL, id)
}

const insertPolicySQL = `INSERT INTO policies (` + policyColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

// CreatePolicy inserts p and its audit event.
func (s *Store) CreatePolicy(ctx context.Context, p *agentgate.Policy, event agentgate.AuditEvent) error {
	rules, err := marshalList("rules", p.Rules)
	if err != nil {
		return err
	}
	ev, err := auditArgs([]agentgate.AuditEvent{event})
	if err != nil {
		return err
	}
	err = s.w.do(ctx, func(tx *writeTx) error {
		_, err := tx.exec(insertPolicySQL, p.ID, p.Name, p.Description, int64(p.Priority), p.Enabled,
			rules, toMicros(p.CreatedAt), toMicros(p.UpdatedAt))
		if err != nil {
			return alreadyExists(err, "policy "+p.ID)
		}
		return tx.changed(TopicPolicies, ev)
	})
	if err != nil {
		return fmt.Errorf("create policy: %w", err)
	}
	return nil
}

const updatePolicySQL = `UPDATE policies SET name = ?, description = ?, priority = ?,
	enabled = ?, rules = ?, updated_at = ? WHERE id = ?`

// UpdatePolicy replaces every field of the stored policy but ID and CreatedAt, and writes
// its audit event; agentgate.ErrNotFound if there is no such policy.
func (s *Store) UpdatePolicy(ctx context.Context, p *agentgate.Policy, event agentgate.AuditEvent) error {
	rules, err := marshalList("rules", p.Rules)
	if err != nil {
		return err
	}
	ev, err := auditArgs([]agentgate.AuditEvent{event})
	if err != nil {
		return err
	}
	err = s.w.do(ctx, func(tx *writeTx) error {
		err := tx.execOne(notFound("policy", p.ID), updatePolicySQL, p.Name, p.Description,
			int64(p.Priority), p.Enabled, rules, toMicros(p.UpdatedAt), p.ID)
		if err != nil {
			return err
		}
		return tx.changed(TopicPolicies, ev)
	})
	if err != nil {
		return fmt.Errorf("update policy: %w", err)
	}
	return nil
}

const deletePolicySQL = `DELETE FROM policies WHERE id = ?`

// DeletePolicy deletes the policy and writes its audit event; agentgate.ErrNotFound if
// there is no such policy.
func (s *Store) DeletePolicy(ctx context.Context, id string, event agentgate.AuditEvent) error {
	ev, err := auditArgs([]agentgate.AuditEvent{event})
	if err != nil {
		return err
	}
	err = s.w.do(ctx, func(tx *writeTx) error {
		if err := tx.execOne(notFound("policy", id), deletePolicySQL, id); err != nil {
			return err
		}
		return tx.changed(TopicPolicies, ev)
	})
	if err != nil {
		return fmt.Errorf("delete policy: %w", err)
	}
	return nil
}

// scanPolicy reads one row of policyColumns.
func scanPolicy(sc scanner) (agentgate.Policy, error) {
	var (
		p                    agentgate.Policy
		rules                []byte
		createdAt, updatedAt int64
	)
	err := sc.Scan(&p.ID, &p.Name, &p.Description, &p.Priority, &p.Enabled, &rules, &createdAt, &updatedAt)
	if err != nil {
		return p, err
	}
	p.CreatedAt, p.UpdatedAt = fromMicros(createdAt), fromMicros(updatedAt)
	if err := json.Unmarshal(rules, &p.Rules); err != nil {
		return p, fmt.Errorf("decode rules of policy %s: %w", p.ID, err)
	}
	return p, nil
}
