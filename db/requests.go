package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/agentgate/agentgate"
)

// requestColumns are the columns every request query reads, in scanRequest's order.
const requestColumns = `id, action, params, context, urgency, status, created_by, created_at,
	updated_at, decided_at, decided_by, decision_reason, expires_at, policy_decision,
	required_approvals, votes, version, created_by_id`

// insertRequestColumns are the columns insertRequestArgs encodes, in its order.
const insertRequestColumns = `id, action, params, context, urgency, urgency_rank, status,
	created_by, created_at, updated_at, decided_at, decided_by, decision_reason, expires_at,
	policy_decision, required_approvals, votes, version, created_by_id`

// requestInserts inserts requests, and writes a batch's together (see writebulk.go).
var requestInserts = newBulkInsert("requests", insertRequestColumns,
	"text", "text", "jsonb", "jsonb", "text", "integer", "text",
	"text", "bigint", "bigint", "bigint", "text", "text", "bigint",
	"jsonb", "integer", "jsonb", "integer", "text")

// insertRequestSQL inserts one request.
var insertRequestSQL = requestInserts.single

// CreateRequest inserts r with Version 1, and its effects, in one transaction. On success
// r.Version is 1. An idempotency key recorded within the window is
// agentgate.ErrIdempotencyConflict, and nothing is written.
func (s *Store) CreateRequest(ctx context.Context, r *agentgate.Request, fx agentgate.Effects) error {
	args, err := insertRequestArgs(r)
	if err != nil {
		return err
	}
	evArgs, err := auditArgs(fx.Events)
	if err != nil {
		return err
	}
	outbox, err := noticeArgs(fx.Outbox)
	if err != nil {
		return err
	}
	err = s.w.do(ctx, func(tx *writeTx) error {
		// The idempotency key first: when it is taken, nothing is written yet.
		if err := recordIdempotency(tx, fx.Idempotency); err != nil {
			return err
		}
		if err := tx.insertRow(requestInserts, args); err != nil {
			return alreadyExists(err, "request "+r.ID)
		}
		tx.countRequest(r.Status, r.Urgency, 1)
		if err := insertRequestAudit(tx, evArgs, requestKey{r.ID, r.Status, r.Urgency}); err != nil {
			return err
		}
		if err := insertNotices(tx, outbox); err != nil {
			return err
		}
		// Other instances' live queues show a request that waits for people. One a rule
		// decided on arrival is on no queue, and the gate check sends nothing more.
		if r.Status == agentgate.StatusPending {
			return tx.notify(TopicRequest + ":" + r.ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create request: %w", err)
	}
	r.Version = 1
	return nil
}

// insertRequestArgs encodes r in insertRequestSQL's order, before the writer needs it, as
// values the drivers take as they are (int64, not int, which database/sql would convert
// by reflection on the writer goroutine).
func insertRequestArgs(r *agentgate.Request) ([]any, error) {
	pd := string(r.PolicyDecision.AppendJSON(make([]byte, 0, 128)))
	votes, err := marshalList("votes", r.Votes)
	if err != nil {
		return nil, err
	}
	return []any{r.ID, r.Action, jsonText(r.Params, "{}"), jsonText(r.Context, "{}"),
		string(r.Urgency), int64(r.Urgency.Rank()), string(r.Status), r.CreatedBy,
		toMicros(r.CreatedAt), toMicros(r.UpdatedAt), microsOrNil(r.DecidedAt), r.DecidedBy,
		r.DecisionReason, toMicros(r.ExpiresAt), pd, int64(r.RequiredApprovals), votes, int64(1),
		r.CreatedByID}, nil
}

const getRequestSQL = `SELECT ` + requestColumns + ` FROM requests WHERE id = ?`

// GetRequest returns the request with that id, or an error wrapping agentgate.ErrNotFound.
func (s *Store) GetRequest(ctx context.Context, id string) (*agentgate.Request, error) {
	return getOne(ctx, s, "get request", func() error { return notFound("request", id) },
		scanRequest, getRequestSQL, id)
}

const (
	// requestStateSQL reads what a conditional update must know of the stored row.
	requestStateSQL  = `SELECT status, urgency, version FROM requests WHERE id = ?`
	updateRequestSQL = `UPDATE requests SET status = ?, updated_at = ?, decided_at = ?,
		decided_by = ?, decision_reason = ?, votes = ?, version = ?
		WHERE id = ? AND version = ?`
)

// UpdateRequest writes r's status, decision fields, votes and UpdatedAt with Version =
// prevVersion+1 if the stored version is still prevVersion, and then its effects. Otherwise
// it writes nothing and returns agentgate.ErrStale, or agentgate.ErrNotFound if the request
// does not exist. On success r.Version is prevVersion+1.
func (s *Store) UpdateRequest(ctx context.Context, r *agentgate.Request, prevVersion int, fx agentgate.Effects) error {
	votes, err := marshalList("votes", r.Votes)
	if err != nil {
		return err
	}
	evArgs, err := auditArgs(fx.Events)
	if err != nil {
		return err
	}
	outbox, err := noticeArgs(fx.Outbox)
	if err != nil {
		return err
	}
	err = s.w.do(ctx, func(tx *writeTx) error {
		old, err := storedState(tx, r.ID)
		if err != nil {
			return err
		}
		if old.version != prevVersion {
			return clean(agentgate.ErrStale)
		}
		// Still conditional: another PostgreSQL instance may commit in between.
		err = tx.execOne(agentgate.ErrStale, updateRequestSQL, string(r.Status), toMicros(r.UpdatedAt),
			microsOrNil(r.DecidedAt), r.DecidedBy, r.DecisionReason, votes, int64(prevVersion+1),
			r.ID, int64(prevVersion))
		if isContention(err) {
			return fmt.Errorf("%w: %v", agentgate.ErrStale, err)
		}
		if err != nil {
			return err
		}
		if old.status != r.Status {
			tx.countRequest(old.status, old.urgency, -1)
			tx.countRequest(r.Status, old.urgency, 1)
			// The request's events so far now count under its new status. The update
			// holds the row, so no other instance adds one meanwhile (auditRequest).
			n, err := tx.requestEvents(r.ID)
			if err != nil {
				return fmt.Errorf("count the request's events: %w", err)
			}
			tx.countAudit(old.status, old.urgency, -n)
			tx.countAudit(r.Status, old.urgency, n)
		}
		if err := insertRequestAudit(tx, evArgs, requestKey{r.ID, r.Status, old.urgency}); err != nil {
			return err
		}
		if err := insertNotices(tx, outbox); err != nil {
			return err
		}
		return tx.notify(TopicRequest + ":" + r.ID)
	})
	if err != nil {
		return fmt.Errorf("update request %s: %w", r.ID, err)
	}
	r.Version = prevVersion + 1
	return nil
}

type requestState struct {
	status  agentgate.Status
	urgency agentgate.Urgency
	version int
}

// storedState reads a request's stored status, urgency and version in the transaction.
func storedState(tx *writeTx, id string) (requestState, error) {
	var st requestState
	row, err := tx.queryRow(requestStateSQL, id)
	if err != nil {
		return st, err
	}
	err = row.Scan(&st.status, &st.urgency, &st.version)
	if errors.Is(err, sql.ErrNoRows) {
		return st, clean(notFound("request", id))
	}
	return st, err
}

// scanRequest reads one row of requestColumns.
func scanRequest(sc scanner) (agentgate.Request, error) { return newRequestRow().scan(sc) }

// requestRow is where rows of requestColumns are scanned: one allocation for every column's
// destination, reused from row to row of a query (a list scans fifty).
type requestRow struct {
	r                              agentgate.Request
	params, context, pd            []byte
	urgency, status, votes         string
	createdAt, updatedAt, expireAt int64
	decidedAt                      sql.NullInt64
	dest                           []any
}

func newRequestRow() *requestRow {
	w := &requestRow{}
	w.dest = []any{&w.r.ID, &w.r.Action, &w.params, &w.context, &w.urgency, &w.status, &w.r.CreatedBy,
		&w.createdAt, &w.updatedAt, &w.decidedAt, &w.r.DecidedBy, &w.r.DecisionReason, &w.expireAt, &w.pd,
		&w.r.RequiredApprovals, &w.votes, &w.r.Version, &w.r.CreatedByID}
	return w
}

// scan reads the row sc is on. Every field it returns is new: Scan gives each []byte
// column a copy of its own, and strings are immutable.
func (w *requestRow) scan(sc scanner) (agentgate.Request, error) {
	if err := sc.Scan(w.dest...); err != nil {
		return agentgate.Request{}, err
	}
	r := w.r
	r.Params, r.Context = w.params, w.context
	r.Urgency, r.Status = agentgate.Urgency(w.urgency), agentgate.Status(w.status)
	r.CreatedAt, r.UpdatedAt, r.ExpiresAt = fromMicros(w.createdAt), fromMicros(w.updatedAt), fromMicros(w.expireAt)
	r.DecidedAt = fromNullMicros(w.decidedAt)
	return r, decodeRequestJSON(&r, w.pd, w.votes)
}

// decodeRequestJSON sets r's policy decision and votes from their stored JSON.
func decodeRequestJSON(r *agentgate.Request, pd []byte, votes string) error {
	var err error
	if r.PolicyDecision, err = agentgate.DecodeOutcome(pd); err != nil {
		return fmt.Errorf("decode policy decision of request %s: %w", r.ID, err)
	}
	if votes == "[]" { // most requests: no votes, and no decoder to start
		r.Votes = []agentgate.Vote{}
	} else if err := json.Unmarshal([]byte(votes), &r.Votes); err != nil {
		return fmt.Errorf("decode votes of request %s: %w", r.ID, err)
	}
	return nil
}
