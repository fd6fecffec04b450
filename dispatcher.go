package agentgate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"slices"
	"sync"
	"time"
)

// DispatcherOptions configure a Dispatcher. Zero values take the defaults shown.
type DispatcherOptions struct {
	Clock  Clock        // SystemClock
	Logger *slog.Logger // slog.Default()
	// Owner names this dispatcher in the leases it takes; it must differ between
	// instances. Default: host, process id and a random part.
	Owner       string
	Workers     int           // 8: attempts made at once, so one slow receiver stalls no one
	SendTimeout time.Duration // 30s: the longest one attempt may take
	// Lease is how long a claim holds a delivery: longer than a claimed delivery can wait
	// for a worker and then take to send. Default and minimum: 2×SendTimeout + 30s.
	Lease time.Duration
	Poll  time.Duration // 1s: how often due retries (and other instances' rows) are looked for
	// Wake receives a value when new deliveries are written (Gate.OutboxWake), so they
	// leave at once rather than at the next poll.
	Wake <-chan struct{}
	// OnAttempt is called after each attempt is recorded (Gate.DeliveryAttempted).
	OnAttempt func(d Delivery, a DeliveryAttempt)
	// Observer is told each attempt's result, for metrics (Gate.Dispatcher: the gate's).
	Observer Observer
	// ReclaimAtStart ends every lease when Run starts. Only for a database this process
	// alone uses (SQLite): there, a lease held at start is a killed process's, and its
	// deliveries are due now rather than when the lease runs out.
	ReclaimAtStart bool
	Jitter         func() float64 // a number in [0, 1) for the retry schedule's jitter
}

// Dispatcher delivers the outbox: it claims due deliveries with a lease, hands them to a
// few workers that call the Sender of each one's channel, records every attempt, and
// schedules the next. It never runs on a caller's request: a change only writes rows and
// wakes it.
type Dispatcher struct {
	store   OutboxStore
	senders map[ChannelKind]Sender
	o       DispatcherOptions
	log     *slog.Logger

	tokens   chan struct{} // one per delivery this dispatcher may hold (queued or in flight)
	freed    chan struct{} // a worker gave a token back
	queue    chan Delivery // claimed, waiting for a worker
	wake     chan struct{}
	stopping chan struct{} // closed when Shutdown begins or Run's context ends
	stopOnce sync.Once
	started  chan struct{} // closed when Run begins
	done     chan struct{} // closed when Run returns

	sendCtx     context.Context // ends in-flight attempts when the shutdown budget is spent
	cancelSends context.CancelFunc

	running func(bool) // told when Run starts and ends (the gate counts its dispatchers)
}

// storeTimeout bounds a write the dispatcher must make even while stopping (recording an
// attempt, releasing a claim).
const storeTimeout = 10 * time.Second

// NewDispatcher returns a dispatcher over store, delivering each channel kind with its
// sender. A delivery whose kind has no sender is not dropped: its attempts fail with "no
// <kind> sender configured" in the log, on the retry schedule.
func NewDispatcher(store OutboxStore, senders map[ChannelKind]Sender, o DispatcherOptions) *Dispatcher {
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Owner == "" {
		o.Owner = defaultOwner()
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = 30 * time.Second
	}
	o.Lease = max(o.Lease, 2*o.SendTimeout+30*time.Second)
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Jitter == nil {
		o.Jitter = mrand.Float64
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	d := &Dispatcher{store: store, senders: senders, o: o, log: o.Logger,
		tokens: make(chan struct{}, 2*o.Workers), freed: make(chan struct{}, 1), queue: make(chan Delivery, 2*o.Workers),
		wake: make(chan struct{}, 1), stopping: make(chan struct{}), started: make(chan struct{}), done: make(chan struct{})}
	for range cap(d.tokens) {
		d.tokens <- struct{}{}
	}
	d.sendCtx, d.cancelSends = context.WithCancel(context.Background())
	return d
}

// Dispatcher returns a dispatcher over the gate's store that the gate wakes when changes
// write deliveries, and that tells the gate of each attempt (for TestWebhook). Options left
// zero take the gate's clock and logger.
func (g *Gate) Dispatcher(senders map[ChannelKind]Sender, o DispatcherOptions) *Dispatcher {
	if o.Clock == nil {
		o.Clock = g.clock
	}
	if o.Logger == nil {
		o.Logger = g.log
	}
	if o.Wake == nil {
		o.Wake = g.outboxWake
	}
	if o.OnAttempt == nil {
		o.OnAttempt = func(d Delivery, _ DeliveryAttempt) { g.DeliveryAttempted(d.ID) }
	}
	if o.Observer == nil {
		o.Observer = g.observer
	}
	d := NewDispatcher(g.store, senders, o)
	d.running = func(on bool) {
		if on {
			g.delivering.Add(1)
		} else {
			g.delivering.Add(-1)
		}
	}
	return d
}

func defaultOwner() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Kinds lists the channel kinds the dispatcher has a sender for, sorted.
func (d *Dispatcher) Kinds() []ChannelKind {
	out := make([]ChannelKind, 0, len(d.senders))
	for k, s := range d.senders {
		if s != nil {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// Wake makes the dispatcher look for due deliveries now.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until Shutdown, or until ctx ends: then at once, cancelling the attempts in
// flight and releasing their claims, so that the next start makes them again.
func (d *Dispatcher) Run(ctx context.Context) {
	defer close(d.done)
	if d.running != nil {
		d.running(true)
		defer d.running(false)
	}
	close(d.started)
	if d.o.ReclaimAtStart {
		if n, err := d.store.ReleaseAllLeases(ctx); err != nil {
			d.log.Error("Could not take back the outbox's leases.", "err", err)
		} else if n > 0 {
			d.log.Info("Took back deliveries a stopped process had claimed.", "deliveries", n)
		}
	}
	d.log.Info("Outbox dispatcher started.", "owner", d.o.Owner, "workers", d.o.Workers, "senders", d.Kinds())
	var wg sync.WaitGroup
	for range d.o.Workers {
		wg.Go(d.work)
	}
	d.claimLoop(ctx)
	close(d.queue)
	wg.Wait()
}

// Started is closed once Run has begun: from then on the gate knows this process delivers.
func (d *Dispatcher) Started() <-chan struct{} { return d.started }

// Shutdown stops claiming, releases what is claimed but not begun, and lets the attempts
// in flight finish until ctx ends; then it cancels them and releases their claims. It
// returns once Run has returned, or at once if Run never started.
func (d *Dispatcher) Shutdown(ctx context.Context) {
	d.stop()
	select {
	case <-d.started:
	default:
		return // a Run that begins now sees the stop and returns
	}
	select {
	case <-d.done:
	case <-ctx.Done():
		d.cancelSends()
		<-d.done
	}
}

func (d *Dispatcher) stop() { d.stopOnce.Do(func() { close(d.stopping) }) }

func (d *Dispatcher) isStopping() bool {
	select {
	case <-d.stopping:
		return true
	default:
		return false
	}
}
