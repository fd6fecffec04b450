package agentgate

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ReloadPolicies compiles the stored policies and makes them the live set. Concurrent
// reloads (two policy writes close together, or a change notice beside a local write) end
// with the newest list live: each reload takes a ticket before it lists, and a set is
// stored only if no reload that listed later has stored its own.
func (g *Gate) ReloadPolicies(ctx context.Context) error {
	ticket := g.reloads.Add(1)
	ps, err := g.store.ListPolicies(ctx)
	if err != nil {
		return fmt.Errorf("list policies: %w", err)
	}
	set, err := CompilePolicies(ps)
	if err != nil {
		return fmt.Errorf("compile stored policies: %w", err)
	}
	g.reloadMu.Lock()
	defer g.reloadMu.Unlock()
	if ticket > g.liveTicket {
		g.liveTicket = ticket
		g.policies.Store(set)
	}
	return nil
}

// Policies returns every policy in evaluation order.
func (g *Gate) Policies(ctx context.Context) ([]Policy, error) { return g.store.ListPolicies(ctx) }

// Policy returns one policy.
func (g *Gate) Policy(ctx context.Context, id string) (*Policy, error) {
	return lookup(ctx, "policy", id, g.store.GetPolicy)
}

// CreatePolicy validates and stores a new policy and makes it live.
func (g *Gate) CreatePolicy(ctx context.Context, actor Actor, p Policy) (*Policy, error) {
	if err := ValidatePolicy(&p); err != nil {
		return nil, err
	}
	now := g.clock.Now()
	p.ID, p.CreatedAt, p.UpdatedAt = NewID("pol", now), now, now
	ev := newEvent(now, EventPolicyCreated, actor, map[string]any{"policyId": p.ID, "name": p.Name})
	if err := g.store.CreatePolicy(ctx, &p, ev); err != nil {
		return nil, fmt.Errorf("store policy: %w", err)
	}
	return &p, g.ReloadPolicies(ctx)
}

// UpdatePolicy replaces a policy's fields and makes it live.
func (g *Gate) UpdatePolicy(ctx context.Context, actor Actor, id string, p Policy) (*Policy, error) {
	old, err := g.Policy(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := ValidatePolicy(&p); err != nil {
		return nil, err
	}
	now := g.clock.Now()
	p.ID, p.CreatedAt, p.UpdatedAt = old.ID, old.CreatedAt, now
	ev := newEvent(now, EventPolicyUpdated, actor, map[string]any{"policyId": p.ID, "name": p.Name, "enabled": p.Enabled, "priority": p.Priority})
	if err := g.store.UpdatePolicy(ctx, &p, ev); errors.Is(err, ErrNotFound) {
		return nil, NotFound("policy", id)
	} else if err != nil {
		return nil, fmt.Errorf("update policy: %w", err)
	}
	return &p, g.ReloadPolicies(ctx)
}

// DeletePolicy removes a policy.
func (g *Gate) DeletePolicy(ctx context.Context, actor Actor, id string) error {
	p, err := g.Policy(ctx, id)
	if err != nil {
		return err
	}
	ev := newEvent(g.clock.Now(), EventPolicyDeleted, actor, map[string]any{"policyId": p.ID, "name": p.Name})
	if err := g.store.DeletePolicy(ctx, id, ev); errors.Is(err, ErrNotFound) {
		return NotFound("policy", id)
	} else if err != nil {
		return fmt.Errorf("delete policy: %w", err)
	}
	return g.ReloadPolicies(ctx)
}

// DryRunResult is what one policy says about one input.
type DryRunResult struct {
	Matched bool    `json:"matched"`
	Outcome Outcome `json:"outcome"`
	// Rule is the matched rule, for showing next to the outcome: for a held approval, the
	// rule that held it (Outcome.Hold names the approving one).
	Rule *Rule `json:"rule"`
	// Undecided lists the rules tried before the answer that could not read the input.
	Undecided []UndecidedRule `json:"undecided"`
}

// DryRun evaluates one policy, as if enabled, against one input.
func (g *Gate) DryRun(ctx context.Context, id string, in NewRequest) (*DryRunResult, error) {
	p, err := g.Policy(ctx, id)
	if err != nil {
		return nil, err
	}
	in, err = in.Validate(time.Time{})
	if err != nil {
		return nil, err
	}
	p.Enabled = true
	set, err := CompilePolicies([]Policy{*p})
	if err != nil {
		return nil, err
	}
	input := policyInput(set, in.Action, Urgency(in.Urgency), in.Params, in.Context)
	out := set.Evaluate(input)
	res := &DryRunResult{Outcome: out, Undecided: set.Undecided(input)}
	if out.RuleIndex != nil {
		res.Matched = true
		res.Rule = &p.Rules[*out.RuleIndex]
	}
	return res, nil
}

// Simulation reports how a draft policy would have decided past requests.
type Simulation struct {
	From      time.Time        `json:"from"`
	To        time.Time        `json:"to"`
	Total     int              `json:"total"`
	Evaluated int              `json:"evaluated"` // at most SimulateLimit
	Changed   int              `json:"changed"`
	Held      int              `json:"held"`   // sent to people because a rule could not read them
	Before    map[string]int   `json:"before"` // outcome decision → count
	After     map[string]int   `json:"after"`
	Changes   []SimulateChange `json:"changes"` // the first 100
}

// SimulateChange is one request whose outcome would change.
type SimulateChange struct {
	RequestID string    `json:"requestId"`
	Action    string    `json:"action"`
	CreatedAt time.Time `json:"createdAt"`
	Before    Outcome   `json:"before"`
	After     Outcome   `json:"after"`
}

// SimulateLimit caps how many stored requests one simulation replays.
const SimulateLimit = 10000

// Simulate replays the requests created in [from, to) against the live policies with draft
// added (or replacing the policy with its ID), and compares with what was decided then.
func (g *Gate) Simulate(ctx context.Context, draft Policy, from, to time.Time) (*Simulation, error) {
	if !from.Before(to) {
		return nil, Errorf(KindInvalid, "invalid_range", "from must be before to")
	}
	if err := ValidatePolicy(&draft); err != nil {
		return nil, err
	}
	if draft.ID == "" {
		// A new policy's ID sorts after every stored one, and policies of one priority run
		// in ID order: a draft runs where it will run once saved, after those of its
		// priority, not before them as "draft" would sort.
		draft.ID = NewID("pol", g.clock.Now())
	}
	ps, err := g.store.ListPolicies(ctx)
	if err != nil {
		return nil, fmt.Errorf("list policies: %w", err)
	}
	set := []Policy{draft}
	for _, p := range ps {
		if p.ID != draft.ID {
			set = append(set, p)
		}
	}
	compiled, err := CompilePolicies(set)
	if err != nil {
		return nil, err
	}
	// Stored requests are replayed one at a time, as the store reads them: thousands of
	// large ones must not be held at once.
	f := RequestFilter{From: from, To: to, Sort: SortOldest, Page: Page{Limit: SimulateLimit}}
	total, err := g.store.CountRequests(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("count requests: %w", err)
	}
	sim := &Simulation{From: from, To: to, Total: total, Before: map[string]int{}, After: map[string]int{}, Changes: []SimulateChange{}}
	err = g.store.EachRequest(ctx, f, func(r *Request) error {
		sim.Evaluated++
		after := compiled.Evaluate(policyInput(compiled, r.Action, r.Urgency, r.Params, r.Context))
		before := r.PolicyDecision
		sim.Before[before.Decision]++
		sim.After[after.Decision]++
		if after.Hold != nil {
			sim.Held++
		}
		if before.Decision != after.Decision {
			sim.Changed++
			if len(sim.Changes) < 100 {
				sim.Changes = append(sim.Changes, SimulateChange{RequestID: r.ID, Action: r.Action, CreatedAt: r.CreatedAt, Before: before, After: after})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("replay requests: %w", err)
	}
	sim.Total = max(sim.Total, sim.Evaluated) // requests may arrive between the count and the replay
	return sim, nil
}
