// Package webhook delivers outbound webhooks: it signs each delivery (Standard Webhooks and
// the original AgentGate's X-AgentGate-Signature), checks target URLs and the addresses
// actually dialled against server-side request forgery, and implements agentgate.Sender.
package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"strings"

	"github.com/agentgate/agentgate"
)

// SecretPrefix starts a secret in the Standard Webhooks form: the prefix, then the HMAC key
// in standard base64.
const SecretPrefix = "whsec_"

const (
	newSecretBytes = 24 // the Standard Webhooks minimum, and 192 bits: beyond any brute force
	minKeyBytes    = 24 // Standard Webhooks asks for keys of 24 to 64 bytes
	maxKeyBytes    = 64
	minPlainSecret = 16 // a secret without the prefix, as the original accepted, but not a short one
	maxPlainSecret = 256
)

// NewSecret returns a fresh secret: SecretPrefix and the base64 of 24 random bytes.
func NewSecret() string {
	b := make([]byte, newSecretBytes)
	rand.Read(b) // never fails: crypto/rand crashes the program rather than return weak bytes
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// ValidSecret reports whether s can sign deliveries. A secret with SecretPrefix must carry
// 24 to 64 bytes of standard base64 after it. A secret without the prefix is taken as text,
// as the original AgentGate took it, so its receivers keep working: 16 to 256 printable
// ASCII characters, not starting or ending with a space.
func ValidSecret(s string) error {
	if encoded, ok := strings.CutPrefix(s, SecretPrefix); ok {
		key, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil {
			return invalidSecret("the part after %s must be standard base64", SecretPrefix)
		}
		if len(key) < minKeyBytes || len(key) > maxKeyBytes {
			return invalidSecret("the key after %s must be %d to %d bytes, not %d",
				SecretPrefix, minKeyBytes, maxKeyBytes, len(key))
		}
		return nil
	}
	if len(s) < minPlainSecret || len(s) > maxPlainSecret {
		return invalidSecret("a secret must be %d to %d characters (or %s and base64, as generated)",
			minPlainSecret, maxPlainSecret, SecretPrefix)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return invalidSecret("a secret must be printable ASCII")
		}
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return invalidSecret("a secret must not start or end with a space")
	}
	return nil
}

// standardKey returns the HMAC key of webhook-signature: the decoded part of a prefixed
// secret, as Standard Webhooks libraries derive it, or the text of a plain one.
func standardKey(secret string) ([]byte, error) {
	if err := ValidSecret(secret); err != nil {
		return nil, err
	}
	if encoded, ok := strings.CutPrefix(secret, SecretPrefix); ok {
		return base64.StdEncoding.DecodeString(encoded)
	}
	return []byte(secret), nil
}

func invalidSecret(format string, args ...any) error {
	return agentgate.Errorf(agentgate.KindInvalid, "invalid_webhook_secret", format, args...).
		WithDetails(map[string]any{"field": "secret"})
}
