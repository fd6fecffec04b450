package agentgate

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// The expiry sweep reads a page of overdue requests and expires them, several at once so
// that their writes share the writer's commits.
const (
	overduePage  = 200
	sweepWorkers = 16
)

// exclusiveStore is implemented by stores that several instances share: TryExclusive
// takes the lock called name unless another instance holds it, and release gives it
// back. A store only one instance uses need not implement it.
type exclusiveStore interface {
	TryExclusive(ctx context.Context, name string) (release func(), ok bool, err error)
}

// ExpireOverdue expires every pending request past its expiry and returns how many it
// expired. Instances that share a database take turns: while one sweeps, the others skip
// their sweep rather than race it for every row. Expiring is a conditional update, so a
// request expires exactly once whoever gets there, a sweep or a late decision.
func (g *Gate) ExpireOverdue(ctx context.Context) (int, error) {
	if ex, ok := g.store.(exclusiveStore); ok {
		release, mine, err := ex.TryExclusive(ctx, "expiry sweep")
		if err != nil {
			return 0, fmt.Errorf("take the expiry sweep: %w", err)
		}
		if !mine {
			return 0, nil
		}
		defer release()
	}
	expired, lost := 0, 0
	defer func() {
		if expired+lost > 0 {
			g.log.Info("Expired overdue requests.", "expired", expired, "lost", lost)
		}
	}()
	for {
		rs, err := g.store.ListOverdue(ctx, g.clock.Now(), overduePage)
		if err != nil {
			return expired, fmt.Errorf("list overdue: %w", err)
		}
		moved := g.expireAll(ctx, rs)
		expired, lost = expired+moved, lost+len(rs)-moved
		if len(rs) < overduePage || moved == 0 {
			return expired, nil
		}
	}
}

// expireAll expires rs, up to sweepWorkers at once, and returns how many it moved to
// expired (the rest changed meanwhile).
func (g *Gate) expireAll(ctx context.Context, rs []Request) int {
	var moved atomic.Int64
	var wg sync.WaitGroup
	next := make(chan *Request)
	for range min(sweepWorkers, len(rs)) {
		wg.Go(func() {
			for r := range next {
				if g.expireRequest(ctx, r) {
					moved.Add(1)
				}
			}
		})
	}
	for i := range rs {
		next <- &rs[i]
	}
	close(next)
	wg.Wait()
	return int(moved.Load())
}
