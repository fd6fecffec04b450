package webhook_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/webhook"
)

func TestNewSecret(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s := webhook.NewSecret()
		if err := webhook.ValidSecret(s); err != nil {
			t.Fatalf("NewSecret() = %q, not valid: %v", s, err)
		}
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		if !strings.HasPrefix(s, "whsec_") || err != nil || len(key) < 24 {
			t.Fatalf("NewSecret() = %q: want whsec_ and the base64 of 24+ bytes", s)
		}
		if seen[s] {
			t.Fatalf("NewSecret() repeated %q", s)
		}
		seen[s] = true
	}
}

func TestValidSecret(t *testing.T) {
	key := func(n int) string { return "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, n)) }
	tests := []struct {
		secret string
		ok     bool
	}{
		{stdSecret, true},
		{key(24), true},
		{key(64), true},
		{key(23), false},
		{key(65), false},
		{"whsec_", false},
		{"whsec_not base64!", false},
		{"whsec_" + base64.RawStdEncoding.EncodeToString(make([]byte, 32)), false}, // padding is part of standard base64
		{githubSecret, true},                 // a secret as the original took it
		{"your-signing-secret", true},        // the original's documented example
		{"0123456789abcde", false},           // 15 characters
		{strings.Repeat("s", 256), true},     // the longest
		{strings.Repeat("s", 257), false},    // too long
		{" leading-space-secret", false},     // lost by the first config file that trims
		{"trailing-space-secret ", false},    // likewise
		{"tab\tinside-the-secret", false},    // control characters
		{"secret-with-ünïcödé-chars", false}, // non-ASCII text may reach a receiver in another encoding
		{"", false},
	}
	for _, tt := range tests {
		err := webhook.ValidSecret(tt.secret)
		if (err == nil) != tt.ok {
			t.Errorf("ValidSecret(%q) = %v, want ok=%v", tt.secret, err, tt.ok)
		}
		if err != nil && (agentgate.ErrorKind(err) != agentgate.KindInvalid || agentgate.ErrorCode(err) != "invalid_webhook_secret") {
			t.Errorf("ValidSecret(%q) = %v: want KindInvalid, invalid_webhook_secret", tt.secret, err)
		}
	}
}
