package agentgate

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// What the approver's desk asks of the gate beyond the core calls: who may decide what,
// deciding several requests at once, and the next request to look at.

// CheckDecider says whether a may decide r now: nil when it may, else the refusal Decide
// would give (already decided, expired, not an approver, already voted), in words for the
// person. Pages use it to offer Approve and Deny only to those whose decision would count,
// and to say why to the rest. The approvers are matched as Decide matches them (MayDecide).
func (g *Gate) CheckDecider(r *Request, a Actor) error {
	if r.Status != StatusPending {
		return r.alreadyDecided()
	}
	if !g.clock.Now().Before(r.ExpiresAt) {
		return Errorf(KindConflict, CodeRequestExpired, "request %s expired; it can no longer be decided", r.ID)
	}
	if !g.MayDecide(r, a) {
		return Errorf(KindForbidden, "not_an_approver", "only %s may decide this request", approverNames(g.Approvers(r)))
	}
	if v := r.VoteOf(a); v != nil {
		return Errorf(KindConflict, "already_voted", "you already voted %s on this request", v.Decision)
	}
	return nil
}

// approverNames says who the approvers are: "cfo, the finance group and alice@example.com".
func approverNames(as []Approver) string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.Name
		if a.Kind == ApproverGroup {
			names[i] = "the " + a.Name + " group"
		}
	}
	return joinNames(names)
}

// VoteOf returns a's vote on r, or nil. Ids decide, so a key renamed since its vote is
// still the key that voted (see Actor.Is).
func (r *Request) VoteOf(a Actor) *Vote {
	for i := range r.Votes {
		if a.Is(r.Votes[i].VoterID, r.Votes[i].Voter) {
			return &r.Votes[i]
		}
	}
	return nil
}

// joinNames writes names as a person would: "a", "a and b", "a, b and c".
func joinNames(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// MaxBatch is the most requests one batch decision takes.
const MaxBatch = 100

// BatchResult is what became of one request of a batch decision.
type BatchResult struct {
	ID      string
	Request *Request // the request after the attempt; nil when there is no such request
	Err     error    // why the decision was not recorded; nil when it was
}

// DecideEach decides every request in ids with d, each through Decide exactly as if it had
// been decided alone, so each is checked, recorded, audited and notified on its own. A
// refusal of one (decided meanwhile, not an approver) does not stop the others; only a
// failure of the gate itself does.
func (g *Gate) DecideEach(ctx context.Context, ids []string, d Decide) ([]BatchResult, error) {
	if len(ids) == 0 {
		return nil, Invalid("choose at least one request")
	}
	if len(ids) > MaxBatch {
		return nil, Invalid("choose at most %d requests at a time, not %d", MaxBatch, len(ids))
	}
	out := make([]BatchResult, 0, len(ids))
	for _, id := range slices.Compact(slices.Clone(ids)) {
		r, err := g.Decide(ctx, id, d)
		switch ErrorKind(err) {
		case KindInvalid, KindNotFound, KindForbidden, KindConflict, KindUnprocessable:
		default:
			if err != nil {
				return out, err
			}
		}
		if err != nil {
			r, _ = g.Get(ctx, id) // to show where it stands now
		}
		out = append(out, BatchResult{ID: id, Request: r, Err: err})
	}
	return out, nil
}

// nextWindow is how many pending requests NextPending looks through for one a may decide.
const nextWindow = 25

// NextPending returns the first pending request in f's order, other than skip, that a may
// decide: where the desk goes after a decision. Nil when there is none among the first
// nextWindow.
func (g *Gate) NextPending(ctx context.Context, f RequestFilter, a Actor, skip string) (*Request, error) {
	f.Status, f.Page = StatusPending, Page{Limit: nextWindow}
	rs, _, err := g.store.ListRequests(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("list pending: %w", err)
	}
	for i := range rs {
		if rs[i].ID != skip && g.CheckDecider(&rs[i], a) == nil {
			return &rs[i], nil
		}
	}
	return nil, nil
}

// RequestDesk is everything a person's page about one request shows: the request, its
// audit trail, its precedent, and whether the person may decide it.
type RequestDesk struct {
	Request   *Request
	Trail     []AuditEvent
	Precedent *Precedent
	// Refusal is why a may not decide the request now (see CheckDecider); nil when it may.
	Refusal error
	// Approvers says who the rule lets decide, as the directory resolves them now.
	Approvers []Approver
}

// RequestDesk gathers the page of request id for a.
func (g *Gate) RequestDesk(ctx context.Context, id string, a Actor) (*RequestDesk, error) {
	r, trail, err := g.RequestDetail(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := g.Precedent(ctx, r)
	if err != nil {
		return nil, err
	}
	return &RequestDesk{Request: r, Trail: trail, Precedent: p, Refusal: g.CheckDecider(r, a), Approvers: g.Approvers(r)}, nil
}
