package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/webhook"
)

// The published vectors of ../shared/TEST-VECTORS.md.
const (
	stdSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	stdID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	stdTimestamp = 1614265330
	stdBody      = `{"test": 2432232314}`
	stdSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

	githubSecret    = "It's a Secret to Everybody"
	githubBody      = "Hello, World!"
	githubSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
)

func signed(t *testing.T, secrets []string, id string, ts time.Time, body string) http.Header {
	t.Helper()
	h := http.Header{}
	if err := webhook.SignHeaders(h, secrets, id, ts, []byte(body)); err != nil {
		t.Fatalf("SignHeaders: %v", err)
	}
	return h
}

func TestSignHeadersStandardWebhooksVector(t *testing.T) {
	ts := time.Unix(stdTimestamp, 0)
	h := signed(t, []string{stdSecret}, stdID, ts, stdBody)
	for name, want := range map[string]string{
		"webhook-id":        stdID,
		"webhook-timestamp": "1614265330",
		"webhook-signature": stdSignature,
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if err := webhook.Verify(stdSecret, h, []byte(stdBody), ts.Add(time.Minute)); err != nil {
		t.Errorf("Verify of the vector: %v", err)
	}
}

func TestSignHeadersBodySignatureVector(t *testing.T) {
	h := signed(t, []string{githubSecret}, "msg_1", time.Unix(stdTimestamp, 0), githubBody)
	if got := h.Get("X-AgentGate-Signature"); got != githubSignature {
		t.Errorf("X-AgentGate-Signature = %q, want %q", got, githubSignature)
	}
	if err := webhook.VerifyBodySignature(githubSecret, h, []byte(githubBody)); err != nil {
		t.Errorf("VerifyBodySignature of the vector: %v", err)
	}
}

// TestBodySignatureKeyIsTheWholeSecret pins the compatibility choice: the original's
// receivers key the HMAC with the secret text they were given, prefix and all, so the
// expected value is computed here as they compute it, not with this package.
func TestBodySignatureKeyIsTheWholeSecret(t *testing.T) {
	h := signed(t, []string{stdSecret}, stdID, time.Unix(stdTimestamp, 0), stdBody)
	m := hmac.New(sha256.New, []byte(stdSecret))
	m.Write([]byte(stdBody))
	if want := "sha256=" + hex.EncodeToString(m.Sum(nil)); h.Get("X-AgentGate-Signature") != want {
		t.Errorf("X-AgentGate-Signature = %q, want %q", h.Get("X-AgentGate-Signature"), want)
	}
	if err := webhook.VerifyBodySignature(stdSecret, h, []byte(stdBody)); err != nil {
		t.Errorf("VerifyBodySignature with the whole secret: %v", err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	ts := time.Unix(stdTimestamp, 0)
	good := func() http.Header { return signed(t, []string{stdSecret}, stdID, ts, stdBody) }
	tests := []struct {
		name   string
		header func() http.Header
		body   string
		now    time.Time
		want   error
	}{
		{"body changed", good, `{"test": 2432232315}`, ts, webhook.ErrSignature},
		{"id changed", func() http.Header { h := good(); h.Set("webhook-id", "msg_other"); return h }, stdBody, ts, webhook.ErrSignature},
		{"timestamp changed within the window", func() http.Header { h := good(); h.Set("webhook-timestamp", "1614265331"); return h }, stdBody, ts, webhook.ErrSignature},
		{"signature of another version", func() http.Header {
			h := good()
			h.Set("webhook-signature", strings.Replace(stdSignature, "v1,", "v1a,", 1))
			return h
		}, stdBody, ts, webhook.ErrSignature},
		{"signature not base64", func() http.Header { h := good(); h.Set("webhook-signature", "v1,!!!"); return h }, stdBody, ts, webhook.ErrSignature},
		{"more than 5 minutes old", good, stdBody, ts.Add(5*time.Minute + time.Second), webhook.ErrTimestamp},
		{"more than 5 minutes ahead", good, stdBody, ts.Add(-5*time.Minute - time.Second), webhook.ErrTimestamp},
		{"timestamp not a number", func() http.Header { h := good(); h.Set("webhook-timestamp", "soon"); return h }, stdBody, ts, webhook.ErrTimestamp},
		{"no id", func() http.Header { h := good(); h.Del("webhook-id"); return h }, stdBody, ts, webhook.ErrMissingHeader},
		{"no timestamp", func() http.Header { h := good(); h.Del("webhook-timestamp"); return h }, stdBody, ts, webhook.ErrMissingHeader},
		{"no signature", func() http.Header { h := good(); h.Del("webhook-signature"); return h }, stdBody, ts, webhook.ErrMissingHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := webhook.Verify(stdSecret, tt.header(), []byte(tt.body), tt.now); !errors.Is(err, tt.want) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("exactly 5 minutes either way is accepted", func(t *testing.T) {
		for _, now := range []time.Time{ts.Add(webhook.Tolerance), ts.Add(-webhook.Tolerance)} {
			if err := webhook.Verify(stdSecret, good(), []byte(stdBody), now); err != nil {
				t.Errorf("Verify at %v: %v", now.Sub(ts), err)
			}
		}
	})
}

func TestVerifyBodySignatureRefuses(t *testing.T) {
	good := signed(t, []string{githubSecret}, "msg_1", time.Unix(stdTimestamp, 0), githubBody)
	for _, tt := range []struct{ name, header, body string }{
		{"body changed", githubSignature, "Hello, World?"},
		{"no sha256= prefix", strings.TrimPrefix(githubSignature, "sha256="), githubBody},
		{"not hex", "sha256=zz", githubBody},
		{"empty digest", "sha256=", githubBody},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := good.Clone()
			h.Set("X-AgentGate-Signature", tt.header)
			if err := webhook.VerifyBodySignature(githubSecret, h, []byte(tt.body)); !errors.Is(err, webhook.ErrSignature) {
				t.Errorf("VerifyBodySignature = %v, want ErrSignature", err)
			}
		})
	}
	if err := webhook.VerifyBodySignature(githubSecret, http.Header{}, []byte(githubBody)); !errors.Is(err, webhook.ErrMissingHeader) {
		t.Errorf("VerifyBodySignature without the header = %v, want ErrMissingHeader", err)
	}
}

// TestRotationSignsWithBothSecrets: during a rotation a receiver holding either key accepts,
// one holding neither does not, and X-AgentGate-Signature is the current secret's.
func TestRotationSignsWithBothSecrets(t *testing.T) {
	current, previous, stranger := webhook.NewSecret(), webhook.NewSecret(), webhook.NewSecret()
	ts := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	body := `{"event":"request.created"}`
	h := signed(t, []string{current, previous}, "dlv_1", ts, body)
	if n := len(strings.Fields(h.Get("webhook-signature"))); n != 2 {
		t.Fatalf("webhook-signature has %d signatures, want 2: %q", n, h.Get("webhook-signature"))
	}
	for name, key := range map[string]string{"current": current, "previous": previous} {
		if err := webhook.Verify(key, h, []byte(body), ts); err != nil {
			t.Errorf("receiver with the %s key: %v", name, err)
		}
	}
	if err := webhook.Verify(stranger, h, []byte(body), ts); !errors.Is(err, webhook.ErrSignature) {
		t.Errorf("receiver with another key = %v, want ErrSignature", err)
	}
	if err := webhook.VerifyBodySignature(current, h, []byte(body)); err != nil {
		t.Errorf("X-AgentGate-Signature with the current key: %v", err)
	}
	if err := webhook.VerifyBodySignature(previous, h, []byte(body)); !errors.Is(err, webhook.ErrSignature) {
		t.Errorf("X-AgentGate-Signature with the previous key = %v, want ErrSignature", err)
	}
}

// TestRotationFollowsWebhookSecrets ties signing to the shared contract: the previous
// secret signs until its grace ends, and not after.
func TestRotationFollowsWebhookSecrets(t *testing.T) {
	ts := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ends := ts.Add(24 * time.Hour)
	w := &agentgate.Webhook{Secret: webhook.NewSecret(), PreviousSecret: webhook.NewSecret(), PreviousExpiresAt: &ends}
	for _, tt := range []struct {
		at           time.Time
		previousOK   bool
		describeWhen string
	}{{ts, true, "during the grace"}, {ends, false, "when the grace ends"}} {
		h := signed(t, w.Secrets(tt.at), "dlv_1", tt.at, "{}")
		err := webhook.Verify(w.PreviousSecret, h, []byte("{}"), tt.at)
		if (err == nil) != tt.previousOK {
			t.Errorf("%s: receiver with the previous key: Verify = %v", tt.describeWhen, err)
		}
		if err := webhook.Verify(w.Secret, h, []byte("{}"), tt.at); err != nil {
			t.Errorf("%s: receiver with the current key: %v", tt.describeWhen, err)
		}
	}
}

func TestSignHeadersRefusesAndLeavesHeadersAlone(t *testing.T) {
	ts := time.Unix(stdTimestamp, 0)
	for _, tt := range []struct {
		name    string
		secrets []string
		id      string
	}{
		{"no secret", nil, stdID},
		{"an invalid secret among valid ones", []string{stdSecret, "whsec_short"}, stdID},
		{"an empty secret", []string{""}, stdID},
		{"no id", []string{stdSecret}, ""},
		{"an id with a space", []string{stdSecret}, "msg 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if err := webhook.SignHeaders(h, tt.secrets, tt.id, ts, []byte(stdBody)); err == nil {
				t.Fatal("SignHeaders succeeded")
			}
			if len(h) != 0 {
				t.Errorf("headers were set: %v", h)
			}
		})
	}
}
