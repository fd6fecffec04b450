package agentgate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// IdempotencyWindow is how long an Idempotency-Key names the request it created: a retry
// within it gets that request back instead of a second one.
const IdempotencyWindow = 24 * time.Hour

// MaxIdempotencyKeyLen is the longest Idempotency-Key accepted.
const MaxIdempotencyKeyLen = 255

// Idempotency records that an API key's Idempotency-Key created a request. It is stored in
// the request's own transaction, so a request and its record exist together or not at all.
type Idempotency struct {
	KeyID       string // the API key that sent it: keys are per caller
	Key         string // the Idempotency-Key header's value
	Fingerprint string // hex SHA-256 of the validated submission (fingerprint)
	RequestID   string
	CreatedAt   time.Time
}

// ErrIdempotencyConflict is returned by Store.CreateRequest when the Idempotency-Key is
// already recorded: a concurrent or earlier call created the request first.
var ErrIdempotencyConflict = errors.New("idempotency key already recorded")

// CheckIdempotencyKey checks an Idempotency-Key header value: 1 to 255 printable ASCII
// characters, as clients generate them (UUIDs, random tokens).
func CheckIdempotencyKey(key string) error {
	ok := key != "" && len(key) <= MaxIdempotencyKeyLen
	for i := 0; ok && i < len(key); i++ {
		ok = key[i] >= 0x20 && key[i] < 0x7f
	}
	if !ok {
		return Errorf(KindInvalid, "invalid_idempotency_key", "Idempotency-Key must be 1 to %d printable ASCII characters, such as a UUID", MaxIdempotencyKeyLen)
	}
	return nil
}

// SubmitIdempotent is Submit under an Idempotency-Key: the first call with key creates
// the request; a later call by the same actor with the same key and the same submission,
// within IdempotencyWindow, returns that request as it now is, with replayed set. The same
// key with another submission is refused (idempotency_key_reused). Of concurrent calls
// with one key, exactly one creates the request and every one returns it.
//
// The first call costs one more row in the request's transaction and no read: the
// record's unique key finds a repeat, which then reads what the key created.
func (g *Gate) SubmitIdempotent(ctx context.Context, actor Actor, key string, in NewRequest) (r *Request, replayed bool, err error) {
	if err := CheckIdempotencyKey(key); err != nil {
		return nil, false, err
	}
	// Validated without a clock, so that a repeat whose expiresAt has since passed still
	// matches the call that created its request in time; submit checks the clock.
	norm, err := in.Validate(time.Time{})
	if err != nil {
		return nil, false, err
	}
	rec := &Idempotency{KeyID: actor.ID, Key: key, Fingerprint: fingerprint(norm)}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(g.clock.Now()) {
		// Too late to create it; a repeat of a call that did gets that request.
		if r, err := g.replay(ctx, rec); r != nil || err != nil {
			return r, r != nil, err
		}
	}
	r, err = g.submit(ctx, actor, norm, rec) // validated again, cheaply: it is normalized
	if !errors.Is(err, ErrIdempotencyConflict) {
		return r, false, err
	}
	// An earlier call with this key, or a concurrent one that won the insert, created the
	// request; it is committed.
	if r, err = g.replay(ctx, rec); r == nil && err == nil {
		err = fmt.Errorf("idempotency key recorded but not found")
	}
	return r, r != nil, err
}

// replay returns the request rec's key created within the window, nil if none.
func (g *Gate) replay(ctx context.Context, rec *Idempotency) (*Request, error) {
	prev, err := g.store.GetIdempotency(ctx, rec.KeyID, rec.Key)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up idempotency key: %w", err)
	}
	if g.clock.Now().Sub(prev.CreatedAt) >= IdempotencyWindow {
		return nil, nil
	}
	if prev.Fingerprint != rec.Fingerprint {
		return nil, Errorf(KindUnprocessable, "idempotency_key_reused",
			"this Idempotency-Key was used in the last 24 h for a different request; send a new key with a new request").
			WithDetails(map[string]any{"requestId": prev.RequestID})
	}
	r, err := g.store.GetRequest(ctx, prev.RequestID)
	if err != nil {
		return nil, fmt.Errorf("get request %s of an idempotency key: %w", prev.RequestID, err)
	}
	return r, nil
}

// fingerprint identifies a validated submission, so a retry matches however its JSON was
// spaced: params and context are compact, the urgency is spelled out.
func fingerprint(in NewRequest) string {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(in.Action), []byte(in.Urgency), in.Params, in.Context} {
		h.Write(part)
		h.Write([]byte{0})
	}
	if in.ExpiresAt != nil {
		h.Write(in.ExpiresAt.UTC().AppendFormat(nil, time.RFC3339Nano))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// idempotencySweepBatch bounds one delete of old idempotency keys, so a large backlog goes
// in several writes rather than one long transaction that holds up the gate check.
const idempotencySweepBatch = 1000

// ForgetIdempotencyKeys deletes the idempotency keys older than IdempotencyWindow (replay
// already ignores them; this keeps the table small).
func (g *Gate) ForgetIdempotencyKeys(ctx context.Context) {
	cutoff := g.clock.Now().Add(-IdempotencyWindow)
	for {
		n, err := g.store.DeleteIdempotencyBefore(ctx, cutoff, idempotencySweepBatch)
		if err != nil {
			if ctx.Err() == nil {
				g.log.Error("Could not delete old idempotency keys.", "err", err)
			}
			return
		}
		if n < idempotencySweepBatch {
			return
		}
	}
}
