package agentgate

import (
	"context"
	"time"
)

// OperationsStore is what metrics and retention need of the database: counts read when
// metrics are scraped, and deletes of what the retention period has outlived. Requests
// and audit events are never deleted.
type OperationsStore interface {
	// CountPendingDeliveries counts the pending deliveries of each channel kind.
	CountPendingDeliveries(ctx context.Context) (map[ChannelKind]int, error)
	// DeleteFinishedDeliveries deletes up to limit deliveries that were created and
	// finished (delivered, or failed for good) before t, oldest first, with their
	// attempts and the notices none of whose deliveries is left. It returns how many
	// deliveries it deleted.
	DeleteFinishedDeliveries(ctx context.Context, t time.Time, limit int) (int, error)
}

// retentionBatch bounds one delete, so that a large backlog goes in several short writes
// rather than one long transaction that holds up the gate check.
const retentionBatch = 256

// Retention returns how long finished deliveries are kept; 0 means for good.
func (g *Gate) Retention() time.Duration { return g.retention }

// Prune deletes what the retention period has outlived: deliveries delivered or failed
// for good, with their attempts and the notices none of whose deliveries is left. Pending
// deliveries, requests and audit events are never deleted. It returns how many deliveries
// it deleted; with no retention period it deletes nothing.
func (g *Gate) Prune(ctx context.Context) (int, error) {
	if g.retention <= 0 {
		return 0, nil
	}
	cutoff := g.clock.Now().Add(-g.retention)
	total := 0
	for {
		n, err := g.store.DeleteFinishedDeliveries(ctx, cutoff, retentionBatch)
		total += n
		if err != nil || n < retentionBatch {
			return total, err
		}
	}
}

// prune is Prune as Run calls it: its failures are logged, an outage's only by the store.
func (g *Gate) prune(ctx context.Context) {
	n, err := g.Prune(ctx)
	if err != nil && ctx.Err() == nil && ErrorKind(err) != KindUnavailable {
		g.log.Error("Could not delete old deliveries.", "err", err)
	}
	if n > 0 {
		g.log.Info("Deleted deliveries older than the retention period.", "deliveries", n, "retention_days", int(g.retention/(24*time.Hour)))
	}
}
