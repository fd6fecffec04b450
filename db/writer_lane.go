package db

import (
	"context"
	"errors"
	"fmt"
	"runtime"
)

// lane is one goroutine of a writer: it runs batches one after another, each in a
// transaction of its own.
//
// Lanes take turns: the lane whose turn it is gathers a batch and runs its statements,
// and hands the turn on just before its last round trip, the one that waits for the
// commit to reach the disk. So the next batch gathers what arrived meanwhile, and when
// flushes are slow (a busy disk or machine) it is written while the previous one is being
// flushed; PostgreSQL flushes commits that arrive together at once. A batch smaller than
// parallelBatch waits for the flush in flight instead: each commit costs the database
// work of its own, and measured on PostgreSQL, lanes that each committed whatever single
// operation they found spent half again as much CPU per gate check.
type lane struct {
	*writer
	tx      writeTx // reused by every batch of the lane; only its goroutine touches it
	hasTurn bool
}

func (w *lane) run() {
	defer w.running.Done()
	batch := make([]*writeOp, 0, w.maxBatch)
	errs := make([]error, w.maxBatch)
	for {
		w.takeTurn()
		select {
		case op := <-w.ops:
			// Let callers that are already runnable (typically those the last commit
			// answered) queue their next write before the batch is cut. A yield, not a
			// wait: with nothing runnable it returns at once.
			runtime.Gosched()
			batch = w.gather(append(batch[:0], op))
			w.commit(batch, errs[:len(batch)])
		case <-w.quit:
			for {
				batch = w.drain(batch[:0])
				if len(batch) == 0 {
					w.passTurn()
					return
				}
				w.commit(batch, errs[:len(batch)])
				w.takeTurn()
			}
		}
	}
}

// parallelBatch is the size from which a batch is written beside another one's flush
// rather than after it.
const parallelBatch = 8

// gather adds the operations already waiting to batch and, while another lane's batch is
// being flushed, waits for more until batch holds parallelBatch or that flush ends.
func (w *lane) gather(batch []*writeOp) []*writeOp {
	batch = w.drain(batch)
	for len(batch) < min(parallelBatch, w.maxBatch) && w.flushing.Load() > 0 {
		select {
		case op := <-w.ops:
			batch = w.drain(append(batch, op))
		case <-w.flushed:
		}
	}
	return batch
}

// lastTrip runs a batch's last round trip, the one that waits for its commit to reach the
// disk, after handing the turn on.
func (w *lane) lastTrip(trip func() error) error {
	w.passTurn()
	w.flushing.Add(1)
	defer func() {
		w.flushing.Add(-1)
		select {
		case w.flushed <- struct{}{}:
		default: // a lane will look at flushing anyway
		}
	}()
	return trip()
}

func (w *lane) takeTurn() {
	w.turn.Lock()
	w.hasTurn = true
}

// passTurn lets the next lane gather a batch, if this lane has not already.
func (w *lane) passTurn() {
	if w.hasTurn {
		w.hasTurn = false
		w.turn.Unlock()
	}
}

// commit runs the batch in one transaction and answers every operation.
func (w *lane) commit(batch []*writeOp, errs []error) {
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
	w.passTurn()
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
func (w *lane) runBatch(batch []*writeOp, errs []error, live int) {
	if w.tryBatch(batch, errs, live, false) {
		return
	}
	w.retries.Add(1)
	for i, op := range batch {
		errs[i] = op.ctx.Err()
	}
	w.tryBatch(batch, errs, live, true)
}

// tryBatch runs the batch in one transaction. Without savepoints, an operation failing
// with an error not marked clean abandons the whole transaction and tryBatch returns false
// with nothing written, for the caller to retry with savepoints (unless the operation is
// the only live one). Otherwise it answers every operation in errs and returns true.
//
// A PostgreSQL batch's first attempt collects its inserts and opens its transaction only
// when an operation runs a statement of its own (see writebulk.go).
func (w *lane) tryBatch(batch []*writeOp, errs []error, live int, savepoints bool) bool {
	w.batches.Add(1)
	collecting := w.tx.postgres && !savepoints
	w.tx.begin(context.Background(), collecting) // the batch outlives any one caller's context
	defer w.tx.end()
	if !collecting {
		if err := w.tx.open(); err != nil {
			failLive(errs, batch, err)
			return true
		}
	}
	ok := 0
	for i, op := range batch {
		if errs[i] != nil {
			continue
		}
		if savepoints {
			var err error
			errs[i], err = w.runInSavepoint(op)
			if err != nil { // the transaction itself is broken: nothing in it commits
				w.tx.rollback()
				failLive(errs, batch, err)
				return true
			}
		} else if errs[i] = op.fn(&w.tx); errs[i] != nil && !isClean(errs[i]) {
			w.tx.rollback()
			return live == 1 // alone, its rollback is the whole answer
		}
		w.tx.opDone(errs[i] == nil)
		if errs[i] == nil {
			ok++
		}
	}
	if ok == 0 {
		w.tx.rollback()
		return true
	}
	if collecting {
		// No operation opened a transaction: the flush is the batch's own, and its last
		// round trip; there is nothing left to commit.
		alone := w.tx.tx == nil
		var err error
		if alone {
			err = w.lastTrip(w.tx.flushCollected)
		} else {
			err = w.tx.flushCollected()
		}
		if err != nil {
			// Not one operation's failure: run the batch again, each writing its own rows.
			w.tx.rollback()
			return false
		}
		if alone {
			return true
		}
	} else if err := w.tx.flushCounts(); err != nil {
		w.tx.rollback()
		failLive(errs, batch, err)
		return true
	}
	if err := w.lastTrip(w.tx.commit); err != nil {
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
func (w *lane) runInSavepoint(op *writeOp) (opErr, err error) {
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
