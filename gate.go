package agentgate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Gate. Zero values take the defaults shown.
type Options struct {
	Clock      Clock         // SystemClock
	Logger     *slog.Logger  // slog.Default()
	Broker     *Broker       // a new broker
	DefaultTTL time.Duration // 1h: expiry of requests that give none
	MaxWait    time.Duration // 60s: the longest a wait is held
	KeyTTL     time.Duration // 60s: how long a looked-up key is trusted without a change notice
	// ApproverEmails (APPROVER_EMAILS) are emailed about requests whose rule names no
	// approvers; DecisionLinkTTL (24h) is how long the links in those emails work.
	ApproverEmails  []string
	DecisionLinkTTL time.Duration
	// CheckWebhookURL refuses webhook URLs that must not be reached (private addresses and
	// the like), with an error that says why; nil checks only the URL's form.
	CheckWebhookURL func(ctx context.Context, rawURL string) error
	// Observer is told what the gate does, for metrics; nil tells no one.
	Observer Observer
	// Retention is how long finished deliveries are kept (see Prune), and the most that
	// expired decision links are; 0 keeps deliveries for good.
	Retention time.Duration
	// RateWindows, when set, holds the rate limits' counts for every instance sharing the
	// database; nil keeps them in this instance's memory.
	RateWindows RateWindows
}

// Gate is the approval service: every surface (JSON API, dashboard, chat, links) goes through
// it, so every rule is enforced once.
type Gate struct {
	store    Store
	clock    Clock
	log      *slog.Logger
	broker   *Broker
	ttl      time.Duration
	maxWait  time.Duration
	waiting  atomic.Int64 // Waits holding a pending request
	policies atomic.Pointer[PolicySet]
	keys     *keyCache
	usage    *usageTracker
	limiter  *RateLimiter
	shared   *sharedLimiter // nil: limits are counted by limiter
	stopOnce sync.Once
	stopped  chan struct{} // closed by StopWaiting
	people   *peopleState  // the approver directory and decision links

	// Policy reloads: tickets handed out in the order reloads list, and the ticket of the
	// reload whose set is live, guarded by reloadMu with the store of the set.
	reloads    atomic.Uint64
	reloadMu   sync.Mutex
	liveTicket uint64
	subs       atomic.Pointer[subscriptions] // who hears of request changes
	webhooksMu sync.Mutex                    // serialises ReloadWebhooks
	checkURL   func(ctx context.Context, rawURL string) error
	outboxWake chan struct{} // a change wrote deliveries
	attempts   *Broker       // announces delivery attempts, by delivery id
	delivering atomic.Int32  // dispatchers of this gate that are running
	observer   Observer
	retention  time.Duration
}

// NewGate returns a Gate over store. Call ReloadPolicies before serving.
func NewGate(store Store, o Options) *Gate {
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Broker == nil {
		o.Broker = NewBroker()
	}
	if o.DefaultTTL <= 0 {
		o.DefaultTTL = time.Hour
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 60 * time.Second
	}
	if o.KeyTTL <= 0 {
		o.KeyTTL = 60 * time.Second
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	return &Gate{
		store: store, clock: o.Clock, log: o.Logger, broker: o.Broker,
		ttl: o.DefaultTTL, maxWait: o.MaxWait,
		keys: newKeyCache(o.KeyTTL), usage: newUsageTracker(), limiter: NewRateLimiter(), shared: newSharedLimiter(o.RateWindows),
		stopped:  make(chan struct{}),
		checkURL: o.CheckWebhookURL, outboxWake: make(chan struct{}, 1), attempts: NewBroker(),
		people: newPeopleState(o), observer: o.Observer, retention: max(o.Retention, 0),
	}
}

// Broker returns the broker that announces request changes.
func (g *Gate) Broker() *Broker { return g.broker }

// Now returns the gate's clock time.
func (g *Gate) Now() time.Time { return g.clock.Now() }

// MaxWait is the longest Wait holds a caller.
func (g *Gate) MaxWait() time.Duration { return g.maxWait }

// PolicyActor decides requests when a rule does.
var PolicyActor = Actor{Name: "policy", Type: ActorPolicy}

// Submit evaluates a new request against the policies and stores it, already decided when a
// rule decided. The actor is the authenticated caller, who owns the request.
func (g *Gate) Submit(ctx context.Context, actor Actor, in NewRequest) (*Request, error) {
	return g.submit(ctx, actor, in, nil)
}

// submit is Submit, storing idem (when not nil) in the request's transaction.
func (g *Gate) submit(ctx context.Context, actor Actor, in NewRequest, idem *Idempotency) (*Request, error) {
	began := time.Now() // the monotonic clock, for the gate check's latency
	now := g.clock.Now()
	in, err := in.Validate(now)
	if err != nil {
		return nil, err
	}
	urgency := Urgency(in.Urgency)
	set := g.policies.Load()
	out := set.Evaluate(policyInput(set, in.Action, urgency, in.Params, in.Context))
	r, err := g.create(ctx, actor, in, out, now, idem)
	if err == nil {
		g.observer.RequestCreated(set.ActionLabel(r.Action), out.Decision, time.Since(began))
	}
	return r, err
}

// create stores a validated submission with its policy outcome, already decided when a rule
// decided, and announces it. Submit and Authorize share it, so a request is stored, audited
// and notified the same way whichever route it came by. idem, when not nil, is stored in the
// request's transaction.
func (g *Gate) create(ctx context.Context, actor Actor, in NewRequest, out Outcome, now time.Time, idem *Idempotency) (*Request, error) {
	urgency := Urgency(in.Urgency)
	r := &Request{
		ID: NewID("req", now), Action: in.Action, Params: in.Params, Context: in.Context,
		Urgency: urgency, Status: StatusPending, CreatedBy: actor.Name, CreatedByID: actor.ID, CreatedAt: now, UpdatedAt: now,
		ExpiresAt: now.Add(g.ttl), PolicyDecision: out, RequiredApprovals: max(out.RequiredApprovals, 1),
		Votes: []Vote{}, Version: 1,
	}
	if in.ExpiresAt != nil { // to the microsecond, as the clock's times and the stores
		r.ExpiresAt = in.ExpiresAt.UTC().Truncate(time.Microsecond)
	}
	// One audit row per request keeps the gate check at two writes: a routed request is
	// "created" by the agent; a request a rule decided is "approved"/"denied" by the policy,
	// naming the agent that asked.
	var ev AuditEvent
	switch out.Decision {
	case AutoApprove, AutoDeny:
		status := StatusApproved
		if out.Decision == AutoDeny {
			status = StatusDenied
		}
		r.finish(status, PolicyActor.Name, ruleReason(status, out), now)
		ev = requestEvent(now, r, statusEvent(status), PolicyActor, policyDecided{
			PolicyID: out.PolicyID, PolicyName: out.PolicyName, RequestedBy: actor.Name, RuleIndex: out.RuleIndex,
		})
	default:
		ev = requestEvent(now, r, EventRequestCreated, actor, requestCreated{ExpiresAt: r.ExpiresAt, Urgency: urgency})
	}
	if idem != nil {
		idem.RequestID, idem.CreatedAt = r.ID, now
	}
	fx := Effects{Events: []AuditEvent{ev}, Idempotency: idem, Outbox: g.outbox(r, ev)}
	if err := g.store.CreateRequest(ctx, r, fx); err != nil {
		return nil, fmt.Errorf("store request: %w", err)
	}
	g.wakeOutbox(fx)
	g.broker.Publish(r.ID)
	return r, nil
}

// The audit details the gate check writes for every request are structs, not maps: no map
// to build and no keys to sort. Fields are in key order, as a map's would be.
type (
	requestCreated struct { // a request routed to people
		ExpiresAt time.Time `json:"expiresAt"`
		Urgency   Urgency   `json:"urgency"`
	}
	policyDecided struct { // a request a rule decided
		PolicyID    string `json:"policyId"`
		PolicyName  string `json:"policyName"`
		RequestedBy string `json:"requestedBy"`
		RuleIndex   *int   `json:"ruleIndex"`
	}
)

// ruleReason is the decision reason of a request a rule gave status.
func ruleReason(status Status, o Outcome) string {
	verb := string(status)
	if o.RuleIndex == nil {
		return "automatically " + verb
	}
	return "automatically " + verb + " by policy " + strconv.Quote(o.PolicyName) + ", rule " + strconv.Itoa(*o.RuleIndex)
}

// lookup reads one stored thing by id, answering "not found" for a missing one. An id that
// is not storable is answered "not found" at once, as PostgreSQL would refuse to compare it.
func lookup[T any](ctx context.Context, what, id string, get func(context.Context, string) (*T, error)) (*T, error) {
	if !Storable(id) {
		return nil, NotFound(what, id)
	}
	v, err := get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, NotFound(what, id)
	}
	return v, err
}

// Get returns a request.
func (g *Gate) Get(ctx context.Context, id string) (*Request, error) {
	return lookup(ctx, "request", id, g.store.GetRequest)
}

// List returns one page of requests and the total that match.
func (g *Gate) List(ctx context.Context, f RequestFilter) ([]Request, int, error) {
	return g.store.ListRequests(ctx, f)
}

// maxAttempts bounds retries of a conditional update that lost to a concurrent vote.
const maxAttempts = 16

// Decide records a decision (or, for a quorum, a vote) by d.Actor. Of concurrent deciders
// exactly one wins; the others get already_decided. A decision after expiry expires the
// request and is refused.
func (g *Gate) Decide(ctx context.Context, id string, d Decide) (*Request, error) {
	d.people = g.Directory()
	r, err := g.change(ctx, id, func(r *Request, now time.Time) (AuditEvent, error) {
		typ, err := r.ApplyDecision(d, now)
		if err != nil {
			return AuditEvent{}, err
		}
		details := map[string]any{"decision": d.Decision}
		if d.Reason != "" {
			details["reason"] = d.Reason
		}
		if d.ClaimedBy != "" && d.ClaimedBy != d.Actor.Name {
			details["claimedBy"] = d.ClaimedBy
		}
		if d.Channel != "" {
			details["channel"] = d.Channel
		}
		if typ == EventRequestVoted {
			details["approvals"] = r.Approvals()
			details["requiredApprovals"] = r.RequiredApprovals
		}
		return requestEvent(now, r, typ, d.Actor, details), nil
	})
	if err == nil && r.Status != StatusPending && r.DecidedAt != nil { // a vote short of the quorum decides nothing yet
		g.observer.RequestDecided(r.Status, r.DecidedAt.Sub(r.CreatedAt))
	}
	return r, err
}

// Cancel withdraws a pending request. Only the key that created it may, unless asAdmin is set
// (an admin).
func (g *Gate) Cancel(ctx context.Context, id string, actor Actor, reason string, asAdmin bool) (*Request, error) {
	if err := checkReason(reason); err != nil {
		return nil, err
	}
	return g.change(ctx, id, func(r *Request, now time.Time) (AuditEvent, error) {
		if !asAdmin && !r.OwnedBy(actor) {
			return AuditEvent{}, Errorf(KindForbidden, "not_request_owner", "only the key that created request %s may cancel it", r.ID)
		}
		if err := r.Cancel(actor, reason, now); err != nil {
			return AuditEvent{}, err
		}
		return requestEvent(now, r, EventRequestCancelled, actor, map[string]any{"reason": reason}), nil
	})
}

// change loads a request, applies fn and writes it conditionally, retrying when a concurrent
// change got there first. A request found overdue is expired on the way.
func (g *Gate) change(ctx context.Context, id string, fn func(*Request, time.Time) (AuditEvent, error)) (*Request, error) {
	for range maxAttempts {
		r, err := g.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		now := g.clock.Now()
		prev := r.Version
		ev, err := fn(r, now)
		if ErrorCode(err) == CodeRequestExpired {
			g.expire(ctx, id)
		}
		if err != nil {
			return nil, err
		}
		r.Version = prev + 1
		fx := Effects{Events: []AuditEvent{ev}, Outbox: g.outbox(r, ev)}
		err = g.store.UpdateRequest(ctx, r, prev, fx)
		if errors.Is(err, ErrStale) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("update request: %w", err)
		}
		g.wakeOutbox(fx)
		g.broker.Publish(r.ID)
		return r, nil
	}
	return nil, Errorf(KindConflict, "contended", "request %s is changing too often; try again", id)
}

// expire moves one overdue request to expired; losing to a concurrent change is fine.
func (g *Gate) expire(ctx context.Context, id string) {
	r, err := g.store.GetRequest(ctx, id)
	if err != nil {
		return
	}
	g.expireRequest(ctx, r)
}

func (g *Gate) expireRequest(ctx context.Context, r *Request) bool {
	now := g.clock.Now()
	prev := r.Version
	if r.Expire(now) != nil {
		return false
	}
	r.Version = prev + 1
	ev := requestEvent(now, r, EventRequestExpired, SystemActor, map[string]any{"expiresAt": r.ExpiresAt})
	fx := Effects{Events: []AuditEvent{ev}, Outbox: g.outbox(r, ev)}
	if err := g.store.UpdateRequest(ctx, r, prev, fx); err != nil {
		if !errors.Is(err, ErrStale) {
			g.log.Error("Could not expire request.", "request_id", r.ID, "err", err)
		}
		return false
	}
	g.wakeOutbox(fx)
	g.broker.Publish(r.ID)
	return true
}

// Wait returns the request as soon as it leaves pending, or when d (clamped to MaxWait)
// passes, or when ctx ends, with the request as it then is.
func (g *Gate) Wait(ctx context.Context, id string, d time.Duration) (*Request, error) {
	d = min(d, g.maxWait)
	woke, stop := g.broker.Wait(id)
	defer func() { stop() }()
	r, err := g.Get(ctx, id)
	if err != nil || r.Status != StatusPending || d <= 0 {
		return r, err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	g.waiting.Add(1)
	defer g.waiting.Add(-1)
	for {
		select {
		case <-woke:
			// A wake-up says only "look again": another instance's notice that the request
			// was created may arrive after the wait began. Still pending, it waits on.
			stop()
			woke, stop = g.broker.Wait(id)
			if r, err = g.Get(context.WithoutCancel(ctx), id); err != nil || r.Status != StatusPending {
				return r, err
			}
		case <-t.C:
			return g.Get(context.WithoutCancel(ctx), id)
		case <-g.stopped:
			return g.Get(context.WithoutCancel(ctx), id)
		case <-ctx.Done():
			return r, nil
		}
	}
}

// Waiting counts the Waits holding their caller now: the request was pending when they
// looked, and they wait for it to change.
func (g *Gate) Waiting() int { return int(g.waiting.Load()) }

// StopWaiting ends every current and future Wait at once, with the request as it is, so a
// shutting-down server does not hold long-polls open; clients simply ask again.
func (g *Gate) StopWaiting() { g.stopOnce.Do(func() { close(g.stopped) }) }

// RequestAudit returns a request's audit trail, oldest first.
func (g *Gate) RequestAudit(ctx context.Context, id string) ([]AuditEvent, error) {
	_, trail, err := g.RequestDetail(ctx, id)
	return trail, err
}

// Audit returns one page of the audit log.
func (g *Gate) Audit(ctx context.Context, f AuditFilter) ([]AuditEvent, int, error) {
	return g.store.ListAudit(ctx, f)
}

// AuditActors lists every actor in the audit log.
func (g *Gate) AuditActors(ctx context.Context) ([]string, error) { return g.store.AuditActors(ctx) }

// AuditActions lists every request action in the audit log.
func (g *Gate) AuditActions(ctx context.Context) ([]string, error) { return g.store.AuditActions(ctx) }

// Ready checks the database answers.
func (g *Gate) Ready(ctx context.Context) error { return g.store.Ping(ctx) }

// Run does the gate's background work until ctx ends: expiring overdue requests every
// interval and flushing key usage; hourly, deleting old sessions, idempotency keys and
// decision links, and what the retention period has outlived (Prune). It flushes once more
// on the way out.
func (g *Gate) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var swept time.Time
	for {
		select {
		case <-ctx.Done():
			g.FlushUsage(context.WithoutCancel(ctx))
			return
		case <-t.C:
			if _, err := g.ExpireOverdue(ctx); err != nil && ctx.Err() == nil && ErrorKind(err) != KindUnavailable {
				g.log.Error("Could not expire overdue requests.", "err", err)
			}
			g.FlushUsage(ctx)
			now := g.clock.Now()
			g.forgetRates(ctx, now)
			if now.Sub(swept) >= sessionSweepInterval {
				swept = now
				g.DeleteOldSessions(ctx)
				g.ForgetIdempotencyKeys(ctx)
				g.ForgetDecisionLinks(ctx)
				g.prune(ctx)
			}
		}
	}
}
