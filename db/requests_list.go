package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/agentgate/agentgate"
)

const (
	listRequestsSQL  = `SELECT ` + requestColumns + ` FROM requests`
	countRequestsSQL = `SELECT COUNT(*) FROM requests`

	// Filter conditions, joined with AND; values are always bound.
	requestStatusCond  = `status = ?`
	requestPendingCond = `status = 'pending'` // a literal: the planners then use the partial indexes
	requestActionCond  = `action = ?`
	requestUrgencyCond = `urgency_rank = ?`
	requestFromCond    = `created_at >= ?`
	requestToCond      = `created_at < ?`
	// q searches what a person reads on the page: the action, who asked, the params and the
	// context (their JSON text, so keys match too), as one text. CAST reads JSONB as text on
	// PostgreSQL and changes nothing on SQLite.
	requestQueryCond = `LOWER(action || ' ' || created_by || ' ' || CAST(params AS TEXT) || ' ' || CAST(context AS TEXT)) LIKE ? ESCAPE '\'`
	// A search reads only the newest agentgate.SearchWindow requests of its status, so that
	// its cost stays bounded however many requests are stored: those created at or after
	// the window's oldest, whose time one of the window queries reads from an index first.
	// The time is bound as a value, not left a subquery: PostgreSQL then knows the window
	// is some thousands of rows, where for a subquery it guesses a third of the table and
	// plans the count with parallel workers, whose start-up cost more than the count.
	requestWindowCond      = `created_at >= ?`
	searchWindowSQL        = `SELECT created_at FROM requests ORDER BY created_at DESC LIMIT 1 OFFSET ?`
	searchPendingWindowSQL = `SELECT created_at FROM requests WHERE status = 'pending' ORDER BY created_at DESC LIMIT 1 OFFSET ?`
	searchStatusWindowSQL  = `SELECT created_at FROM requests WHERE status = ? ORDER BY created_at DESC LIMIT 1 OFFSET ?`

	// Orders; the id breaks ties so that pages never overlap.
	requestsNewestOrder  = ` ORDER BY created_at DESC, id DESC`
	requestsOldestOrder  = ` ORDER BY created_at ASC, id ASC`
	requestsUrgencyOrder = ` ORDER BY urgency_rank DESC, created_at ASC, id ASC`
	// Pending requests by time left, from the index requests_pending_expires.
	requestsExpiringOrder = ` ORDER BY expires_at ASC, id ASC`

	pageSuffix = ` LIMIT ? OFFSET ?`
)

// requestWhere returns the conditions of f's filters. For a search it first reads the time its
// window starts at.
func (s *Store) requestWhere(ctx context.Context, f agentgate.RequestFilter) (where, error) {
	var w where
	if f.Status == agentgate.StatusPending {
		w.add(true, requestPendingCond)
	} else {
		w.add(f.Status != "", requestStatusCond, string(f.Status))
	}
	w.add(f.Action != "", requestActionCond, f.Action)
	w.add(f.Urgency != "", requestUrgencyCond, f.Urgency.Rank())
	w.add(!f.From.IsZero(), requestFromCond, toMicros(f.From))
	w.add(!f.To.IsZero(), requestToCond, toMicros(f.To))
	if f.Query != "" {
		start, err := s.searchWindowStart(ctx, f.Status)
		if err != nil {
			return w, fmt.Errorf("search window: %w", err)
		}
		w.add(true, requestQueryCond, likeContains(f.Query))
		w.add(start > 0, requestWindowCond, start)
	}
	return w, nil
}

// searchWindowStart returns the creation time (in microseconds) of the oldest request in
// the search window of status (any status if empty), or 0 if fewer requests than the
// window holds have it.
func (s *Store) searchWindowStart(ctx context.Context, status agentgate.Status) (int64, error) {
	query, args := searchWindowSQL, []any{agentgate.SearchWindow - 1}
	switch status {
	case "":
	case agentgate.StatusPending:
		query = searchPendingWindowSQL
	default:
		query, args = searchStatusWindowSQL, []any{string(status), agentgate.SearchWindow - 1}
	}
	row, err := s.queryRow(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	var start int64
	if err := row.Scan(&start); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	return start, nil
}

// ListRequests returns one page of the requests that match f, in f.Sort order, and the
// number of requests that match.
func (s *Store) ListRequests(ctx context.Context, f agentgate.RequestFilter) ([]agentgate.Request, int, error) {
	w, err := s.requestWhere(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("list requests: %w", err)
	}
	order := requestsNewestOrder
	switch f.Sort {
	case agentgate.SortOldest:
		order = requestsOldestOrder
	case agentgate.SortUrgency:
		order = requestsUrgencyOrder
	case agentgate.SortExpiring:
		order = requestsExpiringOrder
	}
	limit, offset := pageBounds(f.Page)
	rest, args := w.sql()+order+pageSuffix, w.argsAnd(limit, offset)
	var list []agentgate.Request
	if s.dialect == DialectSQLite { // one value a row (requests_packed.go)
		list, err = queryAll(ctx, s, limit, new(packedRequestRow).scan, listRequestsPackedSQL+rest, args...)
	}
	if errors.Is(err, errUnpackable) {
		unpackedPages.Add(1)
	}
	if s.dialect != DialectSQLite || errors.Is(err, errUnpackable) {
		list, err = queryAll(ctx, s, limit, newRequestRow().scan, listRequestsSQL+rest, args...)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("list requests: %w", err)
	}
	total, ok := pageTotal(len(list), offset, limit)
	if !ok {
		total, err = s.countRequests(ctx, f, w)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("count requests: %w", err)
	}
	return list, total, nil
}

// CountRequests returns the number of requests that match f.
func (s *Store) CountRequests(ctx context.Context, f agentgate.RequestFilter) (int, error) {
	w, err := s.requestWhere(ctx, f)
	if err != nil {
		return 0, fmt.Errorf("count requests: %w", err)
	}
	n, err := s.countRequests(ctx, f, w)
	if err != nil {
		return 0, fmt.Errorf("count requests: %w", err)
	}
	return n, nil
}

// countRequests counts the requests that match f, whose conditions are w: from
// request_counts when f filters on status and urgency only.
func (s *Store) countRequests(ctx context.Context, f agentgate.RequestFilter, w where) (int, error) {
	if f.Action == "" && f.From.IsZero() && f.To.IsZero() && f.Query == "" {
		return s.countedTotal(ctx, f.Status, f.Urgency)
	}
	return scanCount(s.queryRow(ctx, countRequestsSQL+w.sql(), w.args...))
}

// pageTotal returns the total a page implies: a short page that is not past the end says
// how many rows match, which spares counting them.
func pageTotal(got, offset, limit int) (int, bool) {
	if got < limit && (got > 0 || offset == 0) {
		return offset + got, true
	}
	return 0, false
}

// count returns the number of rows a filtered list matches, from the page if it can.
func (s *Store) count(ctx context.Context, query string, args []any, got, offset, limit int) (int, error) {
	if total, ok := pageTotal(got, offset, limit); ok {
		return total, nil
	}
	return scanCount(s.queryRow(ctx, query, args...))
}

const listOverdueSQL = `SELECT ` + requestColumns + ` FROM requests
	WHERE status = 'pending' AND expires_at <= ?
	ORDER BY expires_at ASC, id ASC LIMIT ?`

// ListOverdue returns up to limit pending requests whose ExpiresAt is at or before now,
// the earliest expiry first.
func (s *Store) ListOverdue(ctx context.Context, now time.Time, limit int) ([]agentgate.Request, error) {
	limit, _ = pageBounds(agentgate.Page{Limit: limit})
	list, err := queryAll(ctx, s, 0, newRequestRow().scan, listOverdueSQL, toMicros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("list overdue requests: %w", err)
	}
	return list, nil
}

// recentDecisionsSQL repeats the condition of the partial index requests_decided_later.
const recentDecisionsSQL = `SELECT ` + requestColumns + ` FROM requests
	WHERE decided_at > created_at ORDER BY decided_at DESC, id DESC LIMIT ?`

// RecentDecisions returns up to limit requests decided after they arrived (by people,
// expiry or cancellation), the latest decision first. Requests a policy decided on
// arrival are left out: at gate-check rates they would crowd out every other decision.
func (s *Store) RecentDecisions(ctx context.Context, limit int) ([]agentgate.Request, error) {
	limit, _ = pageBounds(agentgate.Page{Limit: limit})
	list, err := queryAll(ctx, s, limit, newRequestRow().scan, recentDecisionsSQL, limit)
	if err != nil {
		return nil, fmt.Errorf("recent decisions: %w", err)
	}
	return list, nil
}

// where collects fixed filter conditions and their bound values.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(on bool, cond string, args ...any) {
	if on {
		w.conds = append(w.conds, cond)
		w.args = append(w.args, args...)
	}
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// argsAnd returns the filter values followed by more.
func (w *where) argsAnd(more ...any) []any {
	return append(append(make([]any, 0, len(w.args)+len(more)), w.args...), more...)
}

// likeContains returns a LIKE pattern (escape character \) matching any text that contains
// q, ignoring ASCII case. Only ASCII is folded, as SQLite's LOWER and PostgreSQL's LOWER
// under the "C" collation both do.
func likeContains(q string) string {
	var b strings.Builder
	b.WriteByte('%')
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '%' || c == '_' || c == '\\':
			b.WriteByte('\\')
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	b.WriteByte('%')
	return b.String()
}
