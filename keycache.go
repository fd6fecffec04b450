package agentgate

import (
	"sync"
	"time"
)

// keyCache remembers keys by hash for a while. Its generation counts the clears: a lookup
// that missed notes it, and its answer is cached only if no clear came in between, so a
// key read before a revocation is never put back after the revocation cleared the cache.
type keyCache struct {
	ttl time.Duration
	mu  sync.RWMutex
	m   map[string]cachedKey
	gen uint64
}

type cachedKey struct {
	key *APIKey
	at  time.Time
}

func newKeyCache(ttl time.Duration) *keyCache {
	return &keyCache{ttl: ttl, m: map[string]cachedKey{}}
}

// get returns the cached key, or on a miss the generation to give put.
func (c *keyCache) get(hash string, now time.Time) (*APIKey, uint64, bool) {
	c.mu.RLock()
	e, ok := c.m[hash]
	gen := c.gen
	c.mu.RUnlock()
	if !ok || now.Sub(e.at) > c.ttl {
		return nil, gen, false
	}
	return e.key, gen, true
}

// put caches k unless the cache was cleared since get returned gen.
func (c *keyCache) put(hash string, k *APIKey, now time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.m) > 10000 {
		c.m = map[string]cachedKey{}
	}
	c.m[hash] = cachedKey{key: k, at: now}
}

func (c *keyCache) clear() {
	c.mu.Lock()
	c.m = map[string]cachedKey{}
	c.gen++
	c.mu.Unlock()
}
