package db

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
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

// writer owns every write of a Store. It takes one queued operation, drains whatever else
// is queued (up to maxBatch) without waiting, runs them all in one transaction and commits
// once, so concurrent writers share the cost of a commit (group commit).
type writer struct {
	db       *sqlx.DB
	maxBatch int
	log      *slog.Logger
	reach    *reachability

	ops    chan *writeOp // unbuffered: once the writer exits, no send can succeed
	quit   chan struct{}
	exited chan struct{}
	once   sync.Once

	tx writeTx // reused by every batch; only the writer goroutine touches it

	batches atomic.Int64 // transactions run
}

// testHookQueued, set by tests before any store opens, is told when an operation starts
// (+1) and stops (-1) waiting for w to take it, so that a test can queue a batch on
// purpose. A hook rather than a counter: the write path pays for nothing but a nil check.
var testHookQueued func(w *writer, delta int)

func newWriter(db *sqlx.DB, stmts *stmtCache, maxBatch int, postgres bool, log *slog.Logger, reach *reachability) *writer {
	w := &writer{
		db: db, maxBatch: maxBatch, log: log, reach: reach,
		ops: make(chan *writeOp), quit: make(chan struct{}), exited: make(chan struct{}),
	}
	w.tx.init(stmts, postgres, log)
	go w.run()
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
	<-w.exited
}

func (w *writer) run() {
	defer close(w.exited)
	batch := make([]*writeOp, 0, w.maxBatch)
	errs := make([]error, w.maxBatch)
	for {
		select {
		case op := <-w.ops:
			// Let callers that are already runnable (typically those the last commit
			// answered) queue their next write before the batch is cut. A yield, not a
			// wait: with nothing runnable it returns at once.
			runtime.Gosched()
			batch = w.drain(append(batch[:0], op))
			w.commit(batch, errs[:len(batch)])
		case <-w.quit:
			for {
				batch = w.drain(batch[:0])
				if len(batch) == 0 {
					return
				}
				w.commit(batch, errs[:len(batch)])
			}
		}
	}
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

// commit runs the batch in one transaction and answers every operation.
func (w *writer) commit(batch []*writeOp, errs []error) {
	live := 0
	for i, op := range batch {
		errs[i] = op.ctx.Err()
		if errs[i] == nil {
			live++
		}
	}
	if live > 0 {
		w.runBatch(batch, errs, live)
	}
	for i, op := range batch {
		op.done <- errs[i]
		batch[i] = nil
		errs[i] = nil
	}
}

// runBatch runs the live operations of a batch and commits. It first runs them without
// savepoints, which costs SQLite a page copy per operation and PostgreSQL a round trip:
// operations that fail usually fail before writing anything (a stale version, a missing
// row) and say so with clean. Only when one fails part-way is the batch rolled back and
// run again with a savepoint per operation, so that the failure undoes itself alone.
func (w *writer) runBatch(batch []*writeOp, errs []error, live int) {
	if w.tryBatch(batch, errs, live, false) {
		return
	}
	for i, op := range batch {
		errs[i] = op.ctx.Err()
	}
	w.tryBatch(batch, errs, live, true)
}

// tryBatch runs the batch in one transaction. Without savepoints, an operation failing
// with an error not marked clean abandons the whole transaction and tryBatch returns false
// with nothing written, for the caller to retry with savepoints (unless the operation is
// the only live one). Otherwise it answers every operation in errs and returns true.
func (w *writer) tryBatch(batch []*writeOp, errs []error, live int, savepoints bool) bool {
	ctx := context.Background() // the batch outlives any one caller's context
	w.batches.Add(1)
	tx, err := w.db.BeginTxx(ctx, nil)
	if err != nil {
		failLive(errs, batch, fmt.Errorf("begin write transaction: %w", err))
		return true
	}
	w.tx.begin(ctx, tx)
	defer w.tx.end()
	ok := 0
	for i, op := range batch {
		if errs[i] != nil {
			continue
		}
		if savepoints {
			errs[i], err = w.runInSavepoint(op)
			if err != nil { // the transaction itself is broken: nothing in it commits
				_ = tx.Rollback()
				failLive(errs, batch, err)
				return true
			}
		} else if errs[i] = op.fn(&w.tx); errs[i] != nil && !isClean(errs[i]) {
			_ = tx.Rollback()
			return live == 1 // alone, its rollback is the whole answer
		}
		w.tx.opDone(errs[i] == nil)
		if errs[i] == nil {
			ok++
		}
	}
	if ok == 0 {
		_ = tx.Rollback()
		return true
	}
	if err := w.tx.flushCounts(); err != nil {
		_ = tx.Rollback()
		failLive(errs, batch, err)
		return true
	}
	if err := tx.Commit(); err != nil {
		if !unreachable(err) { // an outage is logged once, by reachability
			w.log.Error("Write batch failed to commit.", "error", err, "operations", ok)
		}
		failLive(errs, batch, fmt.Errorf("commit: %w", err))
	}
	return true
}

// cleanError marks an operation's failure as having written nothing and left the
// transaction usable, so the rest of its batch may commit without a savepoint.
type cleanError struct{ err error }

func (e cleanError) Error() string { return e.err.Error() }
func (e cleanError) Unwrap() error { return e.err }

// clean marks err as a failure that wrote nothing (see cleanError).
func clean(err error) error { return cleanError{err} }

func isClean(err error) bool {
	var c cleanError
	return errors.As(err, &c)
}

// runInSavepoint runs one operation inside a savepoint. opErr is the operation's own
// failure (rolled back to the savepoint); err means the transaction can no longer be used.
//
// Savepoints are not released: each operation's nests in the previous one's, ROLLBACK TO
// names the latest, and COMMIT keeps them all. That saves PostgreSQL a round trip per
// operation.
func (w *writer) runInSavepoint(op *writeOp) (opErr, err error) {
	if _, err := w.tx.exec(savepointSQL); err != nil {
		return nil, fmt.Errorf("savepoint: %w", err)
	}
	if opErr = op.fn(&w.tx); opErr != nil {
		if _, err := w.tx.exec(rollbackToSavepointSQL); err != nil {
			return opErr, fmt.Errorf("rollback to savepoint: %w", err)
		}
	}
	return opErr, nil
}

// Savepoint statements, prepared like any other so that SQLite does not parse them anew
// for every operation.
const (
	savepointSQL           = `SAVEPOINT op`
	rollbackToSavepointSQL = `ROLLBACK TO SAVEPOINT op`
)

// failLive sets err on every operation that had not already failed on its own.
func failLive(errs []error, batch []*writeOp, err error) {
	for i := range batch {
		if errs[i] == nil {
			errs[i] = err
		}
	}
}
