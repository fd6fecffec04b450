package agentgate

import (
	"context"
	"time"
)

// Page asks for one page of a list.
type Page struct {
	Limit  int
	Offset int
}

// Request list orderings.
const (
	SortNewest  = "newest"
	SortOldest  = "oldest"
	SortUrgency = "urgency" // most urgent first, then oldest first
)

// SearchWindow is how many requests a search (RequestFilter.Query) reads: the newest of the
// status it filters on. Searching text in params is a scan; the window bounds its cost.
const SearchWindow = 10_000

// SortExpiring orders requests by expiry, soonest first: the queue of those about to lapse.
const SortExpiring = "expiring"

// RequestFilter narrows a request list. Zero values do not filter.
type RequestFilter struct {
	Status  Status
	Action  string
	Urgency Urgency
	From    time.Time // createdAt >= From
	To      time.Time // createdAt < To
	Query   string    // substring of action, requester, params or context, case-insensitive
	Sort    string    // SortNewest (default), SortOldest, SortUrgency
	Page
}

// AuditFilter narrows the audit log. Zero values do not filter.
type AuditFilter struct {
	EventType string
	Action    string
	Actor     string
	RequestID string
	Status    Status // events about requests that now have this status
	From      time.Time
	To        time.Time
	Page
}

// KeyUsage is the usage of one key since the last flush.
type KeyUsage struct {
	KeyID    string
	Count    int64
	LastUsed time.Time
}

// Effects are the rows a change to a request writes beside itself, in the same transaction:
// its audit events and, as the channels arrive, the notifications it causes. A change and
// its effects are stored together or not at all.
type Effects struct {
	Events []AuditEvent
	// Idempotency, on a create, records the caller's Idempotency-Key for the new request.
	Idempotency *Idempotency
	// Outbox holds the notices the change causes; empty unless someone is subscribed, so
	// that a change nobody listens to writes no more rows.
	Outbox []Notice
}

// Store is the persistence the Gate needs. Every method that takes events or effects writes
// them in the same transaction as the change; a failed call writes nothing.
type Store interface {
	// CreateRequest inserts r (Version 1) and its effects. When fx.Idempotency's key is
	// already recorded less than IdempotencyWindow before fx.Idempotency.CreatedAt, it
	// writes nothing and returns ErrIdempotencyConflict; an older record is replaced.
	CreateRequest(ctx context.Context, r *Request, fx Effects) error
	// GetRequest returns the request, or ErrNotFound.
	GetRequest(ctx context.Context, id string) (*Request, error)
	// UpdateRequest writes r's status, decision fields, votes and UpdatedAt with
	// Version = prevVersion+1, only if the stored version is still prevVersion; otherwise
	// it returns ErrStale and writes nothing. ErrNotFound if the row is gone.
	UpdateRequest(ctx context.Context, r *Request, prevVersion int, fx Effects) error
	// ListRequests returns one page of matching requests and the total number that match.
	ListRequests(ctx context.Context, f RequestFilter) ([]Request, int, error)
	// EachRequest calls fn with each matching request, oldest first, up to f.Limit (all
	// when 0), holding one at a time; it returns fn's first error. fn must not use the store.
	EachRequest(ctx context.Context, f RequestFilter, fn func(*Request) error) error
	// CountRequests returns how many requests match f.
	CountRequests(ctx context.Context, f RequestFilter) (int, error)
	// ListOverdue returns up to limit pending requests whose ExpiresAt <= now, oldest first.
	ListOverdue(ctx context.Context, now time.Time, limit int) ([]Request, error)
	// CountPendingByUrgency counts pending requests per urgency.
	CountPendingByUrgency(ctx context.Context) (map[Urgency]int, error)

	// ListPolicies returns every policy, by ascending priority then ID.
	ListPolicies(ctx context.Context) ([]Policy, error)
	GetPolicy(ctx context.Context, id string) (*Policy, error)
	CreatePolicy(ctx context.Context, p *Policy, event AuditEvent) error
	// UpdatePolicy replaces every field but ID and CreatedAt; ErrNotFound if missing.
	UpdatePolicy(ctx context.Context, p *Policy, event AuditEvent) error
	DeletePolicy(ctx context.Context, id string, event AuditEvent) error

	CreateKey(ctx context.Context, k *APIKey, event *AuditEvent) error
	GetKey(ctx context.Context, id string) (*APIKey, error)
	// GetKeyByHash returns the key with that hash, revoked or not, or ErrNotFound.
	GetKeyByHash(ctx context.Context, hash string) (*APIKey, error)
	// ListKeys returns one page of keys, newest first, and the total.
	ListKeys(ctx context.Context, p Page) ([]APIKey, int, error)
	// UpdateKey writes Name, Scopes, RateLimit, UpdatedAt and RevokedAt.
	UpdateKey(ctx context.Context, k *APIKey, event AuditEvent) error
	// CountKeys counts keys that are not revoked.
	CountKeys(ctx context.Context) (int, error)
	// RecordKeyUsage adds counts and moves last-used forward, for many keys in one write.
	RecordKeyUsage(ctx context.Context, usage []KeyUsage) error

	// GetIdempotency returns what an API key's Idempotency-Key created, or ErrNotFound.
	GetIdempotency(ctx context.Context, keyID, key string) (*Idempotency, error)
	// DeleteIdempotencyBefore deletes up to limit records created before t and returns how
	// many it deleted.
	DeleteIdempotencyBefore(ctx context.Context, t time.Time, limit int) (int, error)

	// AppendAudit writes standalone events (logins and the like).
	AppendAudit(ctx context.Context, events []AuditEvent) error
	// ListAudit returns one page of events, newest first, and the total.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEvent, int, error)
	// RequestAudit returns a request's events, oldest first.
	RequestAudit(ctx context.Context, requestID string) ([]AuditEvent, error)
	// AuditActors and AuditActions list the distinct actors and request actions in the log.
	AuditActors(ctx context.Context) ([]string, error)
	AuditActions(ctx context.Context) ([]string, error)

	// Ping checks the database answers.
	Ping(ctx context.Context) error

	// The dashboard's sessions, settings and aggregates (issue 3).
	DashboardStore
	// The approver directory and decision links (issue 11).
	PeopleStore
	// Webhooks and the delivery log, and the outbox the dispatcher works through.
	WebhookStore
	OutboxStore
	// Counts for metrics, and deletes for retention.
	OperationsStore
}

// DashboardStore is the persistence the dashboard adds to Store: sign-in sessions, server
// settings and the overview's aggregates. db/sessions.go implements it.
type DashboardStore interface {
	// CreateSession inserts s and its audit event.
	CreateSession(ctx context.Context, s *Session, event AuditEvent) error
	// GetSessionByHash returns the session with that token hash, ended or not, or
	// ErrNotFound.
	GetSessionByHash(ctx context.Context, tokenHash string) (*Session, error)
	// EndSession sets the session's EndedAt (if not already set) and writes the event;
	// ErrNotFound if there is no such session.
	EndSession(ctx context.Context, id string, at time.Time, event AuditEvent) error
	// EnsureSetting stores value under name unless a value is already there, and returns
	// the value stored: the first writer wins, on every instance.
	EnsureSetting(ctx context.Context, name, value string) (string, error)
	// RecentDecisions returns up to limit requests decided after they arrived (not by a
	// policy on arrival), the latest decision first.
	RecentDecisions(ctx context.Context, limit int) ([]Request, error)
	// DeleteSessionsBefore deletes sessions that expired or ended before t and returns how
	// many it deleted. Their sign-in and sign-out stay in the audit log.
	DeleteSessionsBefore(ctx context.Context, t time.Time) (int, error)
	// SimilarRequests returns up to limit requests for r's action by r's creator (its
	// CreatedByID when set, else CreatedBy) created before r, newest first, found among the
	// newest window requests for the action, so that the cost stays bounded.
	SimilarRequests(ctx context.Context, r *Request, limit, window int) ([]Request, error)
}
