package handlers

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	ag "github.com/agentgate/agentgate"
)

// Page sizes. A limit over maxLimit is served as maxLimit, as the original server did, so
// that scripts asking for more keep working; pagination.limit says what was served.
const (
	defaultLimit = 50
	maxLimit     = 100
)

// query reads and checks query parameters, keeping the first error.
type query struct {
	v   url.Values
	err error
}

func (q *query) fail(name, format string, args ...any) {
	if q.err == nil {
		q.err = ag.Errorf(ag.KindInvalid, "invalid_query", "query parameter %s: "+format, append([]any{name}, args...)...).
			WithDetails(map[string]any{"param": name})
	}
}

func (q *query) str(name string) string {
	s := strings.TrimSpace(q.v.Get(name))
	// The stores compare filters as text, and PostgreSQL refuses text that is not UTF-8 or
	// holds NUL; such a filter is a mistake to report, not an internal error.
	if !ag.Storable(s) {
		q.fail(name, "must be UTF-8 text without NUL characters")
		return ""
	}
	return s
}

func (q *query) intIn(name string, def, lo, hi int) int {
	s := q.str(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		q.fail(name, "must be a whole number from %d to %d", lo, hi)
		return def
	}
	return n
}

// page reads limit and offset; limit defaults to def, the list's page size, and is held
// to maxLimit.
func (q *query) page(def int) ag.Page {
	return ag.Page{Limit: q.limit(def), Offset: q.intIn("offset", 0, 0, 1<<31-1)}
}

// limit reads a page size: a whole number, at least 1; more than maxLimit gives maxLimit.
func (q *query) limit(def int) int {
	s := q.str("limit")
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if errors.Is(err, strconv.ErrRange) && s[0] != '-' {
		return maxLimit
	}
	if err != nil || n < 1 {
		q.fail("limit", "must be a whole number from 1 (more than %d gives %d)", maxLimit, maxLimit)
		return def
	}
	return min(n, maxLimit)
}

// time reads an RFC 3339 time or a YYYY-MM-DD date (midnight UTC; with endOfDay, the next
// midnight, so "to=2026-01-31" includes that day).
func (q *query) time(name string, endOfDay bool) time.Time {
	s := q.str(name)
	if s == "" {
		return time.Time{}
	}
	if t, ok := ag.ParseTimeOrDate(s, endOfDay); ok {
		return t
	}
	q.fail(name, "must be an RFC 3339 time (2026-01-31T15:04:05Z) or a date (2026-01-31)")
	return time.Time{}
}

// oneOf reads a parameter that must be one of allowed, which the error lists in order.
func oneOf[T ~string](q *query, name string, allowed []T) T {
	s := T(q.str(name))
	if s == "" || slices.Contains(allowed, s) {
		return s
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	q.fail(name, "must be one of %s", strings.Join(names, ", "))
	return ""
}

// urgenciesByRank are the urgencies least urgent first, the order errors list them in.
var urgenciesByRank = slices.SortedFunc(slices.Values(ag.Urgencies), func(a, b ag.Urgency) int { return a.Rank() - b.Rank() })

// requestFilter reads the request list filters shared by the API and the dashboard; limit
// is the page size when the query sets none.
func requestFilter(v url.Values, limit int) (ag.RequestFilter, error) {
	q := &query{v: v}
	f := ag.RequestFilter{
		Status:  oneOf(q, "status", ag.Statuses),
		Urgency: oneOf(q, "urgency", urgenciesByRank),
		Action:  q.str("action"),
		Query:   q.str("q"),
		From:    q.time("from", false),
		To:      q.time("to", true),
		Sort:    requestSort(q),
		Page:    q.page(limit),
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		q.fail("from", "must be before to")
	}
	return f, q.err
}

// requestSort reads a request list's order. The original AgentGate's sort=created_at listed
// requests oldest first (its dashboard called it "Oldest First"), so it means that here.
func requestSort(q *query) string {
	if q.str("sort") == "created_at" {
		return ag.SortOldest
	}
	return oneOf(q, "sort", []string{ag.SortNewest, ag.SortOldest, ag.SortUrgency, ag.SortExpiring})
}

// auditFilter reads the audit log filters shared by the API and the dashboard; limit is the
// page size when the query sets none.
func auditFilter(v url.Values, limit int) (ag.AuditFilter, error) {
	q := &query{v: v}
	f := ag.AuditFilter{
		EventType: auditEventType(q.str("eventType")),
		Action:    q.str("action"),
		Actor:     q.str("actor"),
		RequestID: q.str("requestId"),
		Status:    oneOf(q, "status", ag.Statuses),
		From:      q.time("from", false),
		To:        q.time("to", true),
		Page:      q.page(limit),
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		q.fail("from", "must be before to")
	}
	return f, q.err
}

// auditEventType reads an event type filter. The original AgentGate named request events
// without their "request." prefix; its names mean the same events here.
func auditEventType(s string) string {
	switch s {
	case "created", "approved", "denied", "expired", "cancelled":
		return "request." + s
	}
	return s
}

// pagination is the list envelope's paging block.
type pagination struct {
	Total   int  `json:"total"`
	Limit   int  `json:"limit"`
	Offset  int  `json:"offset"`
	HasMore bool `json:"hasMore"`
}

func paginate(p ag.Page, total int) pagination {
	return pagination{Total: total, Limit: p.Limit, Offset: p.Offset, HasMore: p.Offset+p.Limit < total}
}
