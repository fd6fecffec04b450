package agentgate

import (
	"context"
	"fmt"
	"time"
)

// Overview is what an approver sees first: how much waits, for how long, what is most
// urgent and what was decided lately.
type Overview struct {
	Pending      map[Urgency]int // pending requests per urgency; every urgency present
	PendingTotal int
	Oldest       *Request  // the pending request waiting longest; nil when none waits
	Expiring     *Request  // the pending request that expires soonest; nil when none waits
	Urgent       []Request // the most urgent pending requests, oldest first within an urgency
	Recent       []Request // the latest decided requests, newest first
}

// Overview sizes.
const (
	overviewUrgent = 6
	overviewRecent = 8
)

// Overview gathers the dashboard's overview. Every part is one indexed query.
func (g *Gate) Overview(ctx context.Context) (*Overview, error) {
	counts, err := g.store.CountPendingByUrgency(ctx)
	if err != nil {
		return nil, fmt.Errorf("count pending: %w", err)
	}
	o := &Overview{Pending: map[Urgency]int{}}
	for _, u := range Urgencies {
		o.Pending[u] = counts[u]
		o.PendingTotal += counts[u]
	}
	if o.PendingTotal > 0 {
		oldest, _, err := g.store.ListRequests(ctx, RequestFilter{Status: StatusPending, Sort: SortOldest, Page: Page{Limit: 1}})
		if err != nil {
			return nil, fmt.Errorf("oldest pending: %w", err)
		}
		if len(oldest) > 0 {
			o.Oldest = &oldest[0]
		}
		expiring, _, err := g.store.ListRequests(ctx, RequestFilter{Status: StatusPending, Sort: SortExpiring, Page: Page{Limit: 1}})
		if err != nil {
			return nil, fmt.Errorf("expiring pending: %w", err)
		}
		if len(expiring) > 0 {
			o.Expiring = &expiring[0]
		}
		o.Urgent, _, err = g.store.ListRequests(ctx, RequestFilter{Status: StatusPending, Sort: SortUrgency, Page: Page{Limit: overviewUrgent}})
		if err != nil {
			return nil, fmt.Errorf("urgent pending: %w", err)
		}
	}
	o.Recent, err = g.store.RecentDecisions(ctx, overviewRecent)
	if err != nil {
		return nil, fmt.Errorf("recent decisions: %w", err)
	}
	return o, nil
}

// RequestDetail returns a request and its audit trail, oldest event first.
func (g *Gate) RequestDetail(ctx context.Context, id string) (*Request, []AuditEvent, error) {
	r, err := g.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	trail, err := g.store.RequestAudit(ctx, id)
	if err != nil {
		return nil, nil, fmt.Errorf("request audit: %w", err)
	}
	return r, trail, nil
}

// MaxAuditExport caps how many events one export writes.
const MaxAuditExport = 100_000

// ExportAudit calls fn for every event matching f (its Page ignored), newest first, up to
// MaxAuditExport, reading the log a page at a time. It stops at fn's first error.
func (g *Gate) ExportAudit(ctx context.Context, f AuditFilter, fn func(AuditEvent) error) error {
	const batch = 1000
	// Events logged while the export runs would shift the pages; leave them out.
	if now := g.clock.Now().Add(time.Microsecond); f.To.IsZero() || f.To.After(now) {
		f.To = now
	}
	for offset := 0; offset < MaxAuditExport; offset += batch {
		f.Page = Page{Limit: min(batch, MaxAuditExport-offset), Offset: offset}
		es, _, err := g.store.ListAudit(ctx, f)
		if err != nil {
			return fmt.Errorf("list audit: %w", err)
		}
		for _, e := range es {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(es) < f.Page.Limit {
			return nil
		}
	}
	return nil
}

// Queue returns one page of the requests that match f, how many match, and how many of
// those f's other filters match are pending (the queue's headline number, which follows
// the filters).
func (g *Gate) Queue(ctx context.Context, f RequestFilter) ([]Request, int, int, error) {
	rows, total, err := g.store.ListRequests(ctx, f)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("list requests: %w", err)
	}
	if f.Status == StatusPending {
		return rows, total, total, nil
	}
	pf := f
	pf.Status, pf.Page = StatusPending, Page{}
	pending, err := g.store.CountRequests(ctx, pf)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("count pending: %w", err)
	}
	return rows, total, pending, nil
}

// AuditView is one page of the audit log with what its filters offer.
type AuditView struct {
	Events  []AuditEvent
	Total   int
	Actors  []string // every actor in the log, for the filter
	Actions []string // every request action in the log, for the filter
}

// AuditPage returns one page of the audit log and, with facets, the actors and actions
// the filters offer.
func (g *Gate) AuditPage(ctx context.Context, f AuditFilter, facets bool) (*AuditView, error) {
	v := &AuditView{}
	var err error
	if v.Events, v.Total, err = g.store.ListAudit(ctx, f); err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	if !facets {
		return v, nil
	}
	if v.Actors, err = g.store.AuditActors(ctx); err != nil {
		return nil, fmt.Errorf("audit actors: %w", err)
	}
	if v.Actions, err = g.store.AuditActions(ctx); err != nil {
		return nil, fmt.Errorf("audit actions: %w", err)
	}
	return v, nil
}

// SetPolicyEnabled switches a policy on or off, leaving the rest of it as it is.
func (g *Gate) SetPolicyEnabled(ctx context.Context, actor Actor, id string, enabled bool) (*Policy, error) {
	p, err := g.Policy(ctx, id)
	if err != nil {
		return nil, err
	}
	p.Enabled = enabled
	return g.UpdatePolicy(ctx, actor, id, *p)
}
