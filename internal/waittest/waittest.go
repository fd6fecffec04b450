// Package waittest lets tests of waiting for a decision prove that the wait was woken.
//
// A wait that misses its wake-up still returns the decided request, only at the end of
// its timeout; so a test that merely checks the answer passes with the wake-up removed.
// These tests therefore give the wait a long timeout (a minute), decide only once the
// waiter provably waits (Store.Waiting), and then require the answer within WakeWithin
// (Answer).
package waittest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
)

// WakeWithin is how soon after a decision a woken wait must have answered. A wake-up
// takes milliseconds; a lost one shows as the wait's whole timeout, a minute. The margin
// is for a loaded machine running the race detector; it is not a performance target.
const WakeWithin = 2 * time.Second

// WaitTimeout is how long the tests' waits ask to be held: long enough that a wait which
// returns within WakeWithin can only have been woken.
const WaitTimeout = time.Minute

// Store is a real store that reports when a wait on a request has begun. Gate.Wait
// subscribes to the broker and then reads the request; a read that completes while
// someone is subscribed is therefore such a wait holding the request as it was, and it
// can learn of a later decision only by being woken.
type Store struct {
	agentgate.Store
	broker atomic.Pointer[agentgate.Broker]

	mu    sync.Mutex
	reads map[string]chan struct{}
}

// NewStore wraps s. Give the gate over it to Watch before waiting.
func NewStore(s agentgate.Store) *Store {
	return &Store{Store: s, reads: map[string]chan struct{}{}}
}

// Watch names the gate over s, whose broker says who is subscribed. It is set after the
// gate is made, since the gate is made over s.
func (s *Store) Watch(g *agentgate.Gate) { s.broker.Store(g.Broker()) }

// GetRequest reads the request and notes the read if someone is waiting on it.
func (s *Store) GetRequest(ctx context.Context, id string) (*agentgate.Request, error) {
	r, err := s.Store.GetRequest(ctx, id)
	if b := s.broker.Load(); b != nil && b.Waiters(id) > 0 {
		select {
		case s.readsOf(id) <- struct{}{}:
		default: // nobody will ask about this many waits
		}
	}
	return r, err
}

// Waiting returns a channel that receives once for every read of request id made while
// someone waited on it: the first is a wait that has begun. Reads before the call count.
func (s *Store) Waiting(id string) <-chan struct{} { return s.readsOf(id) }

// AwaitWaiting blocks until a wait on request id has begun (see Waiting).
func (s *Store) AwaitWaiting(t testing.TB, id string) {
	t.Helper()
	select {
	case <-s.Waiting(id):
	case <-time.After(WaitTimeout):
		t.Fatalf("waittest: nobody began waiting on %s within %v", id, WaitTimeout)
	}
}

func (s *Store) readsOf(id string) chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.reads[id]
	if ch == nil {
		ch = make(chan struct{}, 16)
		s.reads[id] = ch
	}
	return ch
}

// Answer returns what answer delivers, failing t unless it arrives within WakeWithin: call
// it right after the decision that should wake the wait.
func Answer[T any](t testing.TB, answer <-chan T) T {
	t.Helper()
	select {
	case v := <-answer:
		return v
	case <-time.After(WakeWithin):
		t.Fatalf("the wait did not answer within %v of the decision: it was not woken", WakeWithin)
		var zero T
		return zero
	}
}
