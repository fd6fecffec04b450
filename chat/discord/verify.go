package discord

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/agentgate/agentgate"
)

// Headers of a signed interaction.
const (
	HeaderSignature = "X-Signature-Ed25519"
	HeaderTimestamp = "X-Signature-Timestamp"
)

// MaxSkew is how far an interaction's timestamp may be from now, either way.
const MaxSkew = 5 * time.Minute

// ErrBadSignature is the answer to an interaction that does not carry Discord's signature
// of its timestamp and body, or whose timestamp is too far from now. The endpoint answers
// it with 401, as Discord requires (it probes endpoints with bad signatures).
var ErrBadSignature = errors.New("discord: invalid interaction signature")

// Verifier checks that interactions come from Discord: an Ed25519 signature by the app's
// public key over the timestamp and the body, and a timestamp within MaxSkew of the clock.
type Verifier struct {
	key   ed25519.PublicKey
	clock agentgate.Clock
}

// NewVerifier returns a Verifier for the app's public key, given as DISCORD_PUBLIC_KEY (64
// hex digits).
func NewVerifier(publicKeyHex string, clock agentgate.Clock) (*Verifier, error) {
	k, err := hex.DecodeString(publicKeyHex)
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("DISCORD_PUBLIC_KEY: must be the 64 hex digits of your app's public key")
	}
	if clock == nil {
		clock = agentgate.SystemClock{}
	}
	return &Verifier{key: k, clock: clock}, nil
}

// Verify returns nil when body, with the headers it came with, is signed by Discord and
// fresh; otherwise ErrBadSignature, wrapped with what was wrong for the log.
func (v *Verifier) Verify(h http.Header, body []byte) error {
	sig, err := hex.DecodeString(h.Get(HeaderSignature))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: no well-formed %s header", ErrBadSignature, HeaderSignature)
	}
	ts := h.Get(HeaderTimestamp)
	sent, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: no Unix time in %s", ErrBadSignature, HeaderTimestamp)
	}
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(append(msg, ts...), body...)
	if !ed25519.Verify(v.key, msg, sig) {
		return fmt.Errorf("%w: the signature does not match", ErrBadSignature)
	}
	// Checked after the signature, so that only Discord learns that its clock is off.
	if skew := v.clock.Now().Sub(time.Unix(sent, 0)); skew > MaxSkew || skew < -MaxSkew {
		return fmt.Errorf("%w: the timestamp is %s from now", ErrBadSignature, skew.Round(time.Second))
	}
	return nil
}

// ReplayWindow is how long an interaction id is remembered: longer than MaxSkew both
// ways, so a signed interaction sent again is refused for as long as its timestamp
// would pass.
const ReplayWindow = 2*MaxSkew + time.Minute

// maxRemembered bounds the ids remembered; past it the oldest are forgotten first.
const maxRemembered = 100_000

// Replays remembers the interaction ids seen recently, so that one sent again is ignored.
// It is safe for concurrent use. Each instance remembers its own; a replay that reaches
// another instance still decides nothing new, as a person votes once per request.
type Replays struct {
	mu    sync.Mutex
	clock agentgate.Clock
	seen  map[string]time.Time
	order []string // ids in the order first seen, for forgetting the oldest
}

// NewReplays returns an empty Replays on clock.
func NewReplays(clock agentgate.Clock) *Replays {
	if clock == nil {
		clock = agentgate.SystemClock{}
	}
	return &Replays{clock: clock, seen: map[string]time.Time{}}
}

// Seen records id and reports whether it was already recorded within ReplayWindow.
func (r *Replays) Seen(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.clock.Now()
	for len(r.order) > 0 && (len(r.order) >= maxRemembered || now.Sub(r.seen[r.order[0]]) > ReplayWindow) {
		delete(r.seen, r.order[0])
		r.order = r.order[1:]
	}
	if _, ok := r.seen[id]; ok {
		return true
	}
	r.seen[id] = now
	r.order = append(r.order, id)
	return false
}
