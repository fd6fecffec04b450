package agentgate

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The dispatcher's work: claiming in batches, and each attempt with its record.

// claimLoop claims as many due deliveries as there are free slots, then waits for a
// wake-up or the poll when it found fewer. While deliveries keep coming it claims again once
// half the slots are free, so that a claim takes a batch rather than one delivery per
// finished attempt.
func (d *Dispatcher) claimLoop(ctx context.Context) {
	poll := time.NewTicker(d.o.Poll)
	defer poll.Stop()
	for {
		if !d.waitForRoom(ctx, 1) {
			return
		}
		n := d.takeTokens()
		got, err := d.claim(ctx, n)
		d.putTokens(n - len(got))
		for _, dl := range got {
			d.queue <- dl // never blocks: the tokens bound what is claimed
		}
		if err == nil && len(got) == n {
			if !d.waitForRoom(ctx, d.o.Workers) {
				return
			}
			continue // there may be more due
		}
		select {
		case <-ctx.Done():
			d.halt()
			return
		case <-d.stopping:
			return
		case <-d.wake:
		case <-d.o.Wake:
		case <-poll.C:
		}
	}
}

// waitForRoom waits until at least k slots are free; false when the dispatcher stops.
func (d *Dispatcher) waitForRoom(ctx context.Context, k int) bool {
	for {
		if d.isStopping() {
			return false
		}
		if len(d.tokens) >= k {
			return true
		}
		select {
		case <-ctx.Done():
			d.halt()
			return false
		case <-d.stopping:
			return false
		case <-d.freed:
		}
	}
}

// halt stops at once: Run's context ended.
func (d *Dispatcher) halt() {
	d.cancelSends()
	d.stop()
}

func (d *Dispatcher) takeTokens() int {
	n := 0
	for {
		select {
		case <-d.tokens:
			n++
		default:
			return n
		}
	}
}

func (d *Dispatcher) putTokens(n int) {
	for range n {
		d.tokens <- struct{}{}
	}
}

func (d *Dispatcher) claim(ctx context.Context, n int) ([]Delivery, error) {
	now := d.o.Clock.Now()
	got, err := d.store.ClaimDeliveries(ctx, d.o.Owner, now, now.Add(d.o.Lease), n)
	if err != nil && ctx.Err() == nil {
		d.log.Error("Could not claim deliveries.", "err", err)
	}
	return got, err
}

// work makes the attempts the claim loop queues; once stopping, it releases them instead.
func (d *Dispatcher) work() {
	for dl := range d.queue {
		if d.isStopping() {
			d.release(dl)
		} else {
			d.attempt(dl)
		}
		d.tokens <- struct{}{}
		select {
		case d.freed <- struct{}{}:
		default: // the claim loop has yet to see the last one
		}
	}
}

// attempt makes one attempt at dl and records it with the delivery's next state.
func (d *Dispatcher) attempt(dl Delivery) {
	at, began := d.o.Clock.Now(), time.Now()
	res, err := d.send(dl)
	if d.sendCtx.Err() != nil {
		// Cut off by the shutdown: whether it arrived is unknown, so it is made again
		// (receivers deduplicate by its id).
		d.release(dl)
		return
	}
	a := DeliveryAttempt{DeliveryID: dl.ID, Channel: dl.Channel, Target: dl.Target, Number: dl.Attempts + 1, At: at,
		LatencyMillis: float64(time.Since(began).Microseconds()) / 1000, OK: err == nil,
		StatusCode: res.StatusCode, Response: excerpt(res.Response)}
	if err != nil {
		a.Error = excerpt(err.Error())
	}
	next := nextState(dl, d.o.Clock.Now(), res, err, d.o.Jitter())
	d.o.Observer.DeliveryAttempted(dl.Channel, next.Status)
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	rerr := d.store.RecordAttempt(ctx, d.o.Owner, a, next)
	switch {
	case errors.Is(rerr, ErrStale):
		d.log.Warn("A delivery's lease ran out before its attempt was recorded.", "delivery_id", dl.ID, "attempt", a.Number)
	case rerr != nil:
		// The lease runs out and the attempt is made again: at least once, never lost.
		d.log.Error("Could not record a delivery attempt.", "delivery_id", dl.ID, "attempt", a.Number, "err", rerr)
	case next.Status == DeliveryFailed:
		d.log.Error("A delivery failed for good.", "delivery_id", dl.ID, "channel", dl.Channel, "target", dl.Target,
			"attempts", a.Number, "err", a.Error)
	case err != nil:
		d.log.Warn("A delivery attempt failed; it will be retried.", "delivery_id", dl.ID, "channel", dl.Channel,
			"target", dl.Target, "attempt", a.Number, "next_attempt_at", next.NextAttemptAt, "err", a.Error)
	}
	if rerr == nil && d.o.OnAttempt != nil {
		d.o.OnAttempt(dl, a)
	}
}

// send calls dl's sender, bounded by SendTimeout; a missing sender or a panicking one is an
// error like any other, recorded and retried.
func (d *Dispatcher) send(dl Delivery) (res SendResult, err error) {
	s := d.senders[dl.Channel]
	if s == nil {
		return SendResult{}, fmt.Errorf("no %s sender configured", dl.Channel)
	}
	ctx, cancel := context.WithTimeout(d.sendCtx, d.o.SendTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			d.log.Error("A sender panicked.", "channel", dl.Channel, "delivery_id", dl.ID, "panic", p)
			res, err = SendResult{}, fmt.Errorf("the %s sender failed unexpectedly", dl.Channel)
		}
	}()
	return s.Send(ctx, dl)
}

// release gives a claimed delivery back unattempted.
func (d *Dispatcher) release(dl Delivery) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if err := d.store.ReleaseDeliveries(ctx, d.o.Owner, []string{dl.ID}); err != nil {
		d.log.Warn("Could not release a claimed delivery; it is due again when its lease runs out.", "delivery_id", dl.ID, "err", err)
	}
}
