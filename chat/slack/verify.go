package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxSkew is how far a request's timestamp may be from now, as Slack recommends: a
// captured request cannot be replayed later than that.
const MaxSkew = 5 * time.Minute

// Why Verify refuses a request.
var (
	ErrUnsigned     = errors.New("slack: the request has no X-Slack-Signature or X-Slack-Request-Timestamp")
	ErrStale        = errors.New("slack: the request's timestamp is more than 5 minutes from now")
	ErrBadSignature = errors.New("slack: the request's signature does not match the signing secret")
)

// Verify checks that body came from Slack (the v0 scheme): X-Slack-Signature must be "v0="
// and the hex HMAC-SHA256, keyed by the signing secret, of "v0:<timestamp>:<body>", with
// X-Slack-Request-Timestamp (Unix seconds) within MaxSkew of now. The comparison takes the
// same time however much of the signature matches.
func Verify(secret string, h http.Header, body []byte, now time.Time) error {
	sig, ts := h.Get("X-Slack-Signature"), h.Get("X-Slack-Request-Timestamp")
	if sig == "" || ts == "" || secret == "" {
		return ErrUnsigned
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(ts) > 12 {
		return ErrStale
	}
	if d := now.Sub(time.Unix(secs, 0)); d > MaxSkew || d < -MaxSkew {
		return ErrStale
	}
	got, err := hex.DecodeString(strings.TrimPrefix(sig, "v0="))
	if err != nil || !strings.HasPrefix(sig, "v0=") {
		return ErrBadSignature
	}
	if !hmac.Equal(got, Sign(secret, ts, body)) {
		return ErrBadSignature
	}
	return nil
}

// Sign returns the v0 signature (without its "v0=" prefix) of body sent at timestamp: what
// Slack sends, and what tests sign their payloads with.
func Sign(secret, timestamp string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + timestamp + ":"))
	mac.Write(body)
	return mac.Sum(nil)
}

// SignatureHeaders returns the headers Slack would send with body at t, signed with
// secret: for tests and the fake Slack server.
func SignatureHeaders(secret string, body []byte, t time.Time) http.Header {
	ts := strconv.FormatInt(t.Unix(), 10)
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(Sign(secret, ts, body)))
	return h
}
