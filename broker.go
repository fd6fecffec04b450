package agentgate

import "sync"

// Broker wakes whoever waits on a request when it changes: agents long-polling for a decision
// and dashboards watching the queue. It holds no state beyond its subscribers; a wake-up says
// only "look again".
type Broker struct {
	mu       sync.Mutex
	waiters  map[string]map[chan struct{}]struct{}
	watchers map[chan string]struct{}
}

// NewBroker returns an empty broker.
func NewBroker() *Broker {
	return &Broker{waiters: map[string]map[chan struct{}]struct{}{}, watchers: map[chan string]struct{}{}}
}

// Wait returns a channel closed at the next Publish of id, and a func to stop waiting.
func (b *Broker) Wait(id string) (<-chan struct{}, func()) {
	ch := make(chan struct{})
	b.mu.Lock()
	set := b.waiters[id]
	if set == nil {
		set = map[chan struct{}]struct{}{}
		b.waiters[id] = set
	}
	set[ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		if _, ok := set[ch]; ok {
			delete(set, ch)
			if len(set) == 0 {
				delete(b.waiters, id)
			}
		}
		b.mu.Unlock()
	}
}

// Watch returns a channel that receives the id of every request created or changed. A slow
// watcher misses ids rather than slowing the gate; it should treat any receive as "refresh".
func (b *Broker) Watch() (<-chan string, func()) {
	ch := make(chan string, 64)
	b.mu.Lock()
	b.watchers[ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.watchers, ch)
		b.mu.Unlock()
	}
}

// Publish wakes every waiter on id and tells every watcher.
func (b *Broker) Publish(id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.waiters[id] {
		close(ch)
	}
	delete(b.waiters, id)
	for ch := range b.watchers {
		select {
		case ch <- id:
		default:
		}
	}
}

// Waiters counts those waiting on id, for tests and metrics.
func (b *Broker) Waiters(id string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.waiters[id])
}
