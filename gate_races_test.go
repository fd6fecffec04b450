package agentgate_test

import (
	"context"
	"sync"
	"testing"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db/dbtest"
)

// hookStore is a real store with a pause point after some reads, so a test can run other
// calls while one is between its read and what it does with it: the interleavings that
// lost a revocation and a policy change.
type hookStore struct {
	ag.Store
	mu    sync.Mutex
	hooks map[string]func() // by method; each runs once, after the real call
}

// after arms fn to run once, after the next call of method returns from the store.
func (s *hookStore) after(method string, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks[method] = fn
}

func (s *hookStore) hook(method string) {
	s.mu.Lock()
	fn := s.hooks[method]
	delete(s.hooks, method)
	s.mu.Unlock()
	if fn != nil {
		fn()
	}
}

func (s *hookStore) ListPolicies(ctx context.Context) ([]ag.Policy, error) {
	ps, err := s.Store.ListPolicies(ctx)
	s.hook("ListPolicies")
	return ps, err
}

func (s *hookStore) GetKeyByHash(ctx context.Context, hash string) (*ag.APIKey, error) {
	k, err := s.Store.GetKeyByHash(ctx, hash)
	s.hook("GetKeyByHash")
	return k, err
}

// pause arms a hook on method and returns a channel closed when a call reaches it and a
// function that lets that call go on.
func (s *hookStore) pause(method string) (reached <-chan struct{}, release func()) {
	r, go_ := make(chan struct{}), make(chan struct{})
	s.after(method, func() { close(r); <-go_ })
	return r, func() { close(go_) }
}

// eachHookedGate runs fn with a gate over a hookStore on every test database.
func eachHookedGate(t *testing.T, fn func(t *testing.T, g *ag.Gate, s *hookStore, clock *testClock)) {
	for name, store := range dbtest.Stores(t) {
		t.Run(name, func(t *testing.T) {
			s := &hookStore{Store: store, hooks: map[string]func(){}}
			clock := &testClock{t: t0}
			g := ag.NewGate(s, ag.Options{Clock: clock})
			if err := g.ReloadPolicies(bg); err != nil {
				t.Fatal(err)
			}
			fn(t, g, s, clock)
		})
	}
}

// inBackground runs fn in a goroutine; wait returns its error.
func inBackground(fn func() error) (wait func() error) {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	return func() error { return <-done }
}

// TestReloadEndsWithTheNewestPolicies: a reload that listed the policies before a change
// finishes after the change's own reload. The change must stay live.
func TestReloadEndsWithTheNewestPolicies(t *testing.T) {
	eachHookedGate(t, func(t *testing.T, g *ag.Gate, s *hookStore, _ *testClock) {
		listed, release := s.pause("ListPolicies")
		wait := inBackground(func() error { return g.ReloadPolicies(bg) }) // lists no policies, then waits
		<-listed
		createPolicy(t, g, `[{"match":{"action":"drop_table"},"decision":"auto_deny"}]`) // reloads in full
		release()
		if err := wait(); err != nil {
			t.Fatal(err)
		}
		if r := submit(t, g, ag.NewRequest{Action: "drop_table"}); r.Status != ag.StatusDenied {
			t.Fatalf("after the older reload finished, drop_table is %s; the new auto_deny is not live", r.Status)
		}
	})
}

// TestRevocationHoldsAgainstALookupInFlight: a key lookup that read the key before it was
// revoked finishes after the revocation cleared the cache. The next request must fail.
func TestRevocationHoldsAgainstALookupInFlight(t *testing.T) {
	eachHookedGate(t, func(t *testing.T, g *ag.Gate, s *hookStore, _ *testClock) {
		name := "leaky"
		k, secret, err := g.CreateKey(bg, alice, ag.KeyInput{Name: &name, Scopes: []ag.Scope{ag.ScopeRequestCreate}})
		if err != nil {
			t.Fatal(err)
		}
		read, release := s.pause("GetKeyByHash")
		wait := inBackground(func() error { _, err := g.Authenticate(bg, secret); return err }) // reads it live, then waits
		<-read
		if _, err := g.RevokeKey(bg, alice, k.ID); err != nil {
			t.Fatal(err)
		}
		release()
		_ = wait() // began before the revocation: either answer is fair
		if _, err := g.Authenticate(bg, secret); ag.ErrorCode(err) != "invalid_api_key" {
			t.Fatalf("the request after the revocation: %v; want invalid_api_key", err)
		}
	})
}
