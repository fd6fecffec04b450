package handlers

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	ag "github.com/agentgate/agentgate"
)

// Page sizes.
const (
	defaultLimit = 50
	maxLimit     = 200
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
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
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

func (q *query) page() ag.Page {
	return ag.Page{Limit: q.intIn("limit", defaultLimit, 1, maxLimit), Offset: q.intIn("offset", 0, 0, 1<<31-1)}
}

// time reads an RFC 3339 time or a YYYY-MM-DD date (midnight UTC; with endOfDay, the next
// midnight, so "to=2026-01-31" includes that day).
func (q *query) time(name string, endOfDay bool) time.Time {
	s := q.str(name)
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC()
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if endOfDay {
			t = t.AddDate(0, 0, 1)
		}
		return t
	}
	q.fail(name, "must be an RFC 3339 time (2026-01-31T15:04:05Z) or a date (2026-01-31)")
	return time.Time{}
}

func (q *query) oneOf(name string, allowed ...string) string {
	s := q.str(name)
	if s == "" {
		return ""
	}
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	q.fail(name, "must be one of %s", strings.Join(allowed, ", "))
	return ""
}

// requestFilter reads the request list filters shared by the API and the dashboard.
func requestFilter(v url.Values) (ag.RequestFilter, error) {
	q := &query{v: v}
	f := ag.RequestFilter{
		Status:  ag.Status(q.oneOf("status", "pending", "approved", "denied", "expired", "cancelled")),
		Urgency: ag.Urgency(q.oneOf("urgency", "low", "normal", "high", "critical")),
		Action:  q.str("action"),
		Query:   q.str("q"),
		From:    q.time("from", false),
		To:      q.time("to", true),
		Sort:    q.oneOf("sort", ag.SortNewest, ag.SortOldest, ag.SortUrgency),
		Page:    q.page(),
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		q.fail("from", "must be before to")
	}
	return f, q.err
}

// auditFilter reads the audit log filters shared by the API and the dashboard.
func auditFilter(v url.Values) (ag.AuditFilter, error) {
	q := &query{v: v}
	f := ag.AuditFilter{
		EventType: q.str("eventType"),
		Action:    q.str("action"),
		Actor:     q.str("actor"),
		RequestID: q.str("requestId"),
		From:      q.time("from", false),
		To:        q.time("to", true),
		Page:      q.page(),
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		q.fail("from", "must be before to")
	}
	return f, q.err
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
