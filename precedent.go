package agentgate

import (
	"context"
	"fmt"
)

// Precedent is how the same agent's earlier requests for the same action went: what a
// person deciding one wants to know first.
type Precedent struct {
	Similar  int  // earlier requests found, at most PrecedentLimit
	More     bool // there may be more than Similar: only the newest were looked at
	Approved int
	Denied   int
	// LastApproved is the newest of them that was approved, to compare with; nil if none.
	LastApproved *Request
}

// Precedent bounds: the earlier requests counted, and how many of the action's newest
// requests are looked through to find them.
const (
	PrecedentLimit  = 50
	precedentWindow = 2000
)

// Precedent looks up the earlier requests like r: the same action from the same agent.
func (g *Gate) Precedent(ctx context.Context, r *Request) (*Precedent, error) {
	rs, err := g.store.SimilarRequests(ctx, r, PrecedentLimit, precedentWindow)
	if err != nil {
		return nil, fmt.Errorf("precedent: %w", err)
	}
	p := &Precedent{Similar: len(rs), More: len(rs) == PrecedentLimit}
	for i := range rs {
		switch rs[i].Status {
		case StatusApproved:
			p.Approved++
			if p.LastApproved == nil {
				p.LastApproved = &rs[i]
			}
		case StatusDenied:
			p.Denied++
		}
	}
	return p, nil
}
