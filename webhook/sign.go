package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Signature headers, in Go's canonical form (header names are case-insensitive). The first
// three are Standard Webhooks'; the last is the one the original AgentGate documented.
const (
	HeaderID                 = "Webhook-Id"
	HeaderTimestamp          = "Webhook-Timestamp"
	HeaderSignature          = "Webhook-Signature"
	HeaderAgentGateSignature = "X-Agentgate-Signature"
)

// Tolerance is how far a webhook-timestamp may be from the receiver's clock, either way:
// a delivery captured and replayed later than this is refused.
const Tolerance = 5 * time.Minute

// Errors of Verify and VerifyBodySignature, for errors.Is.
var (
	ErrMissingHeader = errors.New("webhook: a signature header is missing")
	ErrTimestamp     = errors.New("webhook: webhook-timestamp is not within 5 minutes of now")
	ErrSignature     = errors.New("webhook: no signature matches the secret")
)

// SignHeaders sets the signature headers of one delivery attempt on h: webhook-id,
// webhook-timestamp (ts in Unix seconds), webhook-signature with one space-separated
// "v1,<base64>" per secret (the current one first; during a rotation the previous one too,
// so a receiver holding either key accepts), and X-AgentGate-Signature, which like the
// original carries one signature: that of the current secret, secrets[0]. A receiver of
// that header switches keys when the secret is rotated; webhook-signature is the one that
// lets it switch at leisure. Nothing is set unless every secret is valid.
func SignHeaders(h http.Header, secrets []string, id string, ts time.Time, body []byte) error {
	if len(secrets) == 0 {
		return errors.New("webhook: no secret to sign with")
	}
	if id == "" || strings.ContainsAny(id, " \t\r\n") {
		return fmt.Errorf("webhook: message id %q is empty or has white space", id)
	}
	stamp := strconv.FormatInt(ts.Unix(), 10)
	signatures := make([]string, len(secrets))
	for i, secret := range secrets {
		key, err := standardKey(secret)
		if err != nil {
			return fmt.Errorf("webhook: secret %d of %d cannot sign: %w", i+1, len(secrets), err)
		}
		signatures[i] = "v1," + base64.StdEncoding.EncodeToString(standardMAC(key, id, stamp, body))
	}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, stamp)
	h.Set(HeaderSignature, strings.Join(signatures, " "))
	h.Set(HeaderAgentGateSignature, "sha256="+hex.EncodeToString(bodyMAC(secrets[0], body)))
	return nil
}

// Verify checks a delivery as a Standard Webhooks receiver does: that webhook-timestamp is
// within Tolerance of now, and that one of the signatures in webhook-signature is that of
// id.timestamp.body under secret (a SecretPrefix secret, or a plain one).
func Verify(secret string, h http.Header, body []byte, now time.Time) error {
	for _, name := range []string{HeaderID, HeaderTimestamp, HeaderSignature} {
		if h.Get(name) == "" {
			return fmt.Errorf("%w: %s", ErrMissingHeader, name)
		}
	}
	id, stamp, list := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	sent, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q is not Unix seconds", ErrTimestamp, stamp)
	}
	if skew := now.Sub(time.Unix(sent, 0)); skew > Tolerance || skew < -Tolerance {
		return fmt.Errorf("%w: it is %s off", ErrTimestamp, skew.Round(time.Second))
	}
	key, err := standardKey(secret)
	if err != nil {
		return err
	}
	want := standardMAC(key, id, stamp, body)
	for _, field := range strings.Fields(list) {
		version, encoded, _ := strings.Cut(field, ",")
		got, err := base64.StdEncoding.DecodeString(encoded)
		if version == "v1" && err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrSignature
}

// VerifyBodySignature checks X-AgentGate-Signature: "sha256=" and the hex HMAC-SHA256 of
// the body, keyed by the whole secret as text (prefix included), as the original signed.
// It carries no timestamp, so it does not stop replays; Verify does.
func VerifyBodySignature(secret string, h http.Header, body []byte) error {
	v := h.Get(HeaderAgentGateSignature)
	if v == "" {
		return fmt.Errorf("%w: %s", ErrMissingHeader, HeaderAgentGateSignature)
	}
	encoded, ok := strings.CutPrefix(v, "sha256=")
	got, err := hex.DecodeString(encoded)
	if !ok || err != nil || !hmac.Equal(got, bodyMAC(secret, body)) {
		return ErrSignature
	}
	return nil
}

// standardMAC is the Standard Webhooks v1 signature: HMAC-SHA256 of "id.timestamp.body".
func standardMAC(key []byte, id, stamp string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(stamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// bodyMAC is the original's signature: HMAC-SHA256 of the body keyed by the secret's text,
// which is what its receivers compute from the secret they were given.
func bodyMAC(secret string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}
