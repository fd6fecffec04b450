package db

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
)

// Batch limits. On PostgreSQL every savepoint that writes takes a subtransaction id, and a
// backend caches only 64 of them before other sessions' snapshots get slower, so batches
// stay at 64 there.
const (
	sqliteMaxBatch   = 256
	postgresMaxBatch = 64
)

// writeFunc is one write operation. It runs inside the batch's transaction, inside its own
// savepoint; returning an error undoes only this operation.
type writeFunc func(tx *writeTx) error

type writeOp struct {
	ctx  context.Context
	fn   writeFunc
	done chan error
}

// writer owns every write of a Store. A lane of it takes one queued operation, drains
// whatever else is queued (up to maxBatch) without waiting, runs them all in one
// transaction and commits once, so concurrent writers share the cost of a commit (group
// commit). SQLite has one lane (one writer connection). PostgreSQL has several, taking from
// the same queue in turns: while one waits for its commit to reach the disk, the next
// gathers its batch (see lane).
type writer struct {
	db       *sqlx.DB
	maxBatch int
	log      *slog.Logger
	reach    *reachability

	ops      chan *writeOp // unbuffered: once every lane exits, no send can succeed
	quit     chan struct{}
	running  sync.WaitGroup // the lanes
	turn     sync.Mutex     // held by the lane that gathers and writes a batch (see lane)
	flushing atomic.Int32   // lanes in their batch's last round trip
	flushed  chan struct{}  // a lane's last round trip ended
	once     sync.Once

	batches atomic.Int64 // transactions run
	retries atomic.Int64 // batches run again with a savepoint per operation
}

// postgresLanes is how many batches a PostgreSQL store has in flight at once.
const postgresLanes = 4

// testHookQueued, set by tests before any store opens, is told when an operation starts
// (+1) and stops (-1) waiting for w to take it, so that a test can queue a batch on
// purpose. A hook rather than a counter: the write path pays for nothing but a nil check.
var testHookQueued func(w *writer, delta int)

func newWriter(db *sqlx.DB, stmts *stmtCache, maxBatch, lanes int, postgres bool, log *slog.Logger, reach *reachability) *writer {
	w := &writer{
		db: db, maxBatch: maxBatch, log: log, reach: reach,
		ops: make(chan *writeOp), quit: make(chan struct{}), flushed: make(chan struct{}, 1),
	}
	first := 0
	if postgres {
		first = rand.IntN(countLanes)
	}
	for i := range lanes {
		l := &lane{writer: w}
		l.tx.init(db, stmts, postgres, log)
		l.tx.countLane = int64((first + i) % countLanes)
		w.running.Add(1)
		go l.run()
	}
	return w
}

// do queues fn and waits until its batch commits (nil), fails, or fn itself fails. A
// context cancelled while the operation is still queued abandons it. Failures to reach
// the database come back as database_unavailable (see reachability).
func (w *writer) do(ctx context.Context, fn writeFunc) error {
	return w.reach.check(w.queueAndWait(ctx, fn))
}

func (w *writer) queueAndWait(ctx context.Context, fn writeFunc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan error, 1)}
	w.queued(1)
	select {
	case w.ops <- op:
		w.queued(-1)
	case <-ctx.Done():
		w.queued(-1)
		return ctx.Err()
	case <-w.quit:
		w.queued(-1)
		return ErrClosed
	}
	// The writer has the operation; it checks ctx again before running it, so the answer
	// comes within one batch.
	return <-op.done
}

// queued tells testHookQueued, if set, of a change in the operations waiting for w.
func (w *writer) queued(delta int) {
	if testHookQueued != nil {
		testHookQueued(w, delta)
	}
}

func (w *writer) isClosed() bool {
	select {
	case <-w.quit:
		return true
	default:
		return false
	}
}

// close lets the writer commit what is queued and waits for it to stop.
func (w *writer) close() {
	w.once.Do(func() { close(w.quit) })
	w.running.Wait()
}

// drain adds operations that are already waiting, without blocking.
func (w *writer) drain(batch []*writeOp) []*writeOp {
	for len(batch) < w.maxBatch {
		select {
		case op := <-w.ops:
			batch = append(batch, op)
		default:
			return batch
		}
	}
	return batch
}
