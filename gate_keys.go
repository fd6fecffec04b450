package agentgate

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Authenticate returns the live key for a presented secret. Lookups are cached by hash, so
// the hot path is one SHA-256 and a map read; any key change on this instance (or, on
// PostgreSQL, another) clears the cache, so revocation holds from the next request.
func (g *Gate) Authenticate(ctx context.Context, secret string) (*APIKey, error) {
	// Generated keys start with agk_, but ADMIN_API_KEY may be any 16+ characters.
	if len(secret) < MinAdminKeyLen || len(secret) > 200 {
		return nil, errBadKey
	}
	hash := HashKey(secret)
	now := g.clock.Now()
	k, gen, ok := g.keys.get(hash, now)
	if !ok {
		stored, err := g.store.GetKeyByHash(ctx, hash)
		if errors.Is(err, ErrNotFound) {
			return nil, errBadKey
		}
		if err != nil {
			return nil, fmt.Errorf("look up key: %w", err)
		}
		k = stored
		g.attachPerson(k)
		// Cached only if no key changed since the lookup began: a revocation that
		// cleared the cache meanwhile may be missing from what was read.
		g.keys.put(hash, k, now, gen)
	}
	// The map lookup already matched the hash; compare again in constant time so no path
	// depends on how much of a hash matched.
	if subtle.ConstantTimeCompare([]byte(k.Hash), []byte(hash)) != 1 || k.Revoked() {
		return nil, errBadKey
	}
	g.usage.add(k.ID, now)
	return k, nil
}

var errBadKey = Errorf(KindUnauthorized, "invalid_api_key", "the API key is missing, malformed, unknown or revoked")

// CheckRate counts one call by k against its rate limit: in the windows every instance
// shares when the gate has them (Options.RateWindows), else in this instance's memory.
// When the shared windows cannot be read it fails, and the call is to be refused.
func (g *Gate) CheckRate(ctx context.Context, k *APIKey) (RateStatus, error) {
	if k.RateLimit == nil {
		return RateStatus{Allowed: true}, nil
	}
	var st RateStatus
	if g.shared != nil {
		var err error
		if st, err = g.shared.allow(ctx, k.ID, *k.RateLimit, g.clock.Now()); err != nil {
			return st, err
		}
	} else {
		st = g.limiter.Allow(k.ID, *k.RateLimit, g.clock.Now())
	}
	if !st.Allowed {
		g.observer.RateLimited()
	}
	return st, nil
}

// InvalidateKeys forgets every cached key; the next use of each reads the store.
func (g *Gate) InvalidateKeys() { g.keys.clear() }

// Keys returns one page of keys, newest first.
func (g *Gate) Keys(ctx context.Context, p Page) ([]APIKey, int, error) {
	return g.store.ListKeys(ctx, p)
}

// Key returns one key.
func (g *Gate) Key(ctx context.Context, id string) (*APIKey, error) {
	return lookup(ctx, "API key", id, g.store.GetKey)
}

// CreateKey makes a new key and returns it with its secret, which is never shown again.
func (g *Gate) CreateKey(ctx context.Context, actor Actor, in KeyInput) (*APIKey, string, error) {
	if in.Name == nil {
		return nil, "", Errorf(KindInvalid, "missing_field", "name is required")
	}
	name := strings.TrimSpace(*in.Name)
	if err := validateKeyFields(name, in.Scopes, in.RateLimit.Value); err != nil {
		return nil, "", err
	}
	if err := g.checkPersonRef(ctx, in.PersonID.Value); err != nil {
		return nil, "", err
	}
	secret := GenerateKey()
	k := g.newKey(name, secret, in.Scopes, in.RateLimit.Value)
	k.PersonID = in.PersonID.Value
	if err := g.insertKey(ctx, actor, k); err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// newKey builds a key for secret, not yet stored.
func (g *Gate) newKey(name, secret string, scopes []Scope, rate *int) *APIKey {
	now := g.clock.Now()
	return &APIKey{ID: NewID("key", now), Name: name, Prefix: KeyDisplayPrefix(secret), Hash: HashKey(secret),
		Scopes: scopes, RateLimit: rate, CreatedAt: now, UpdatedAt: now}
}

// insertKey stores k with its audit event; a name a live key has is name_taken.
func (g *Gate) insertKey(ctx context.Context, actor Actor, k *APIKey) error {
	details := map[string]any{"keyId": k.ID, "name": k.Name, "scopes": k.Scopes}
	if k.PersonID != "" {
		details["personId"] = k.PersonID
	}
	ev := newEvent(k.CreatedAt, EventKeyCreated, actor, details)
	err := g.store.CreateKey(ctx, k, &ev)
	if errors.Is(err, ErrNameTaken) {
		return nameTaken(k.Name)
	}
	if err != nil {
		return fmt.Errorf("store key: %w", err)
	}
	return nil
}

// UpdateKey changes a key's name, scopes or rate limit (the fields given).
func (g *Gate) UpdateKey(ctx context.Context, actor Actor, id string, in KeyInput) (*APIKey, error) {
	k, err := g.Key(ctx, id)
	if err != nil {
		return nil, err
	}
	if k.Revoked() {
		return nil, Errorf(KindConflict, "key_revoked", "API key %s is revoked and cannot be changed", id)
	}
	if in.Name != nil {
		k.Name = strings.TrimSpace(*in.Name)
	}
	if in.Scopes != nil {
		k.Scopes = in.Scopes
	}
	if in.RateLimit.Set {
		k.RateLimit = in.RateLimit.Value
	}
	if err := validateKeyFields(k.Name, k.Scopes, k.RateLimit); err != nil {
		return nil, err
	}
	if in.PersonID.Set {
		if err := g.checkPersonRef(ctx, in.PersonID.Value); err != nil {
			return nil, err
		}
		k.PersonID = in.PersonID.Value
	}
	k.UpdatedAt = g.clock.Now()
	ev := newEvent(k.UpdatedAt, EventKeyUpdated, actor, map[string]any{"keyId": k.ID, "name": k.Name, "scopes": k.Scopes, "rateLimit": k.RateLimit, "personId": k.PersonID})
	if err := g.store.UpdateKey(ctx, k, ev); errors.Is(err, ErrNameTaken) {
		return nil, nameTaken(k.Name)
	} else if err != nil {
		return nil, fmt.Errorf("update key: %w", err)
	}
	g.keys.clear()
	return k, nil
}

// RevokeKey revokes a key; it stops working on the next request.
func (g *Gate) RevokeKey(ctx context.Context, actor Actor, id string) (*APIKey, error) {
	k, err := g.Key(ctx, id)
	if err != nil {
		return nil, err
	}
	if k.Revoked() {
		return k, nil
	}
	now := g.clock.Now()
	k.RevokedAt, k.UpdatedAt = &now, now
	ev := newEvent(now, EventKeyRevoked, actor, map[string]any{"keyId": k.ID, "name": k.Name})
	if err := g.store.UpdateKey(ctx, k, ev); err != nil {
		return nil, fmt.Errorf("revoke key: %w", err)
	}
	g.keys.clear()
	return k, nil
}

// AdminKeyName names the admin key the server makes itself: the first key of an empty
// database, and ADMIN_API_KEY's.
const AdminKeyName = "admin"

// errAdminKeyRevoked says ADMIN_API_KEY names a revoked key. The server logs it and serves
// on: the key stays revoked, and every other key works.
var errAdminKeyRevoked = Errorf(KindConflict, "admin_key_revoked",
	"ADMIN_API_KEY matches a revoked key, which signs no one in; set ADMIN_API_KEY to a new value, or unset it")

// EnsureAdminKey makes secret (ADMIN_API_KEY) an admin key, creating it if missing. A
// secret that matches a revoked key stays revoked: the answer is then an error with code
// admin_key_revoked that says how to fix it.
func (g *Gate) EnsureAdminKey(ctx context.Context, secret string) error {
	if len(secret) < MinAdminKeyLen {
		return Errorf(KindInvalid, "invalid_admin_key", "ADMIN_API_KEY must be at least %d characters", MinAdminKeyLen)
	}
	hash := HashKey(secret)
	if found, err := g.adminKeyStored(ctx, hash); found || err != nil {
		return err
	}
	err := g.createAdminKey(ctx, secret)
	if ErrorCode(err) == "already_exists" { // another instance stored it at the same moment
		_, err = g.adminKeyStored(ctx, hash)
	}
	return err
}

// adminKeyStored reports whether a key with hash is stored; a revoked one is
// errAdminKeyRevoked.
func (g *Gate) adminKeyStored(ctx context.Context, hash string) (bool, error) {
	k, err := g.store.GetKeyByHash(ctx, hash)
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("look up ADMIN_API_KEY: %w", err)
	case k.Revoked():
		return true, errAdminKeyRevoked
	}
	return true, nil
}

// createAdminKey stores secret as an admin key named "admin", or "admin-<id>" when a live
// key already has that name (one bootstrap made, say), as migration 00004 renamed
// duplicates.
func (g *Gate) createAdminKey(ctx context.Context, secret string) error {
	k := g.newKey(AdminKeyName, secret, []Scope{ScopeAdmin}, nil)
	err := g.insertKey(ctx, SystemActor, k)
	if ErrorCode(err) != "name_taken" {
		return err
	}
	k.Name = AdminKeyName + "-" + k.ID
	if err := g.insertKey(ctx, SystemActor, k); err != nil {
		return err
	}
	g.log.Warn("Another live key is named admin, so the ADMIN_API_KEY key was named after its id.", "key_id", k.ID, "name", k.Name)
	return nil
}

// BootstrapKey creates an admin key named name and returns its secret. With onlyIfNone it
// does nothing (and returns "") when any live key exists. A name a live key has is
// name_taken, unless onlyIfNone: then another instance has just made the first key.
func (g *Gate) BootstrapKey(ctx context.Context, name string, onlyIfNone bool) (string, error) {
	if onlyIfNone {
		n, err := g.store.CountKeys(ctx)
		if err != nil || n > 0 {
			return "", err
		}
	}
	secret := GenerateKey()
	err := g.insertKey(ctx, SystemActor, g.newKey(name, secret, []Scope{ScopeAdmin}, nil))
	if onlyIfNone && ErrorCode(err) == "name_taken" {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return secret, nil
}

// FlushUsage writes the key usage counted since the last flush.
func (g *Gate) FlushUsage(ctx context.Context) {
	u := g.usage.drain()
	if len(u) == 0 {
		return
	}
	if err := g.store.RecordKeyUsage(ctx, u); err != nil && ErrorKind(err) != KindUnavailable {
		g.log.Error("Could not record key usage.", "keys", len(u), "err", err)
	}
}

// usageTracker counts key use in memory between flushes, so authentication never writes.
type usageTracker struct {
	mu sync.Mutex
	m  map[string]*KeyUsage
}

func newUsageTracker() *usageTracker { return &usageTracker{m: map[string]*KeyUsage{}} }

func (u *usageTracker) add(id string, now time.Time) {
	u.mu.Lock()
	e := u.m[id]
	if e == nil {
		e = &KeyUsage{KeyID: id}
		u.m[id] = e
	}
	e.Count++
	e.LastUsed = now
	u.mu.Unlock()
}

func (u *usageTracker) drain() []KeyUsage {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]KeyUsage, 0, len(u.m))
	for _, e := range u.m {
		out = append(out, *e)
	}
	u.m = map[string]*KeyUsage{}
	return out
}
