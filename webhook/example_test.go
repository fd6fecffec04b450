package webhook_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/agentgate/agentgate/webhook"
)

// secret is the receiver's copy of the webhook's secret.
var secret = webhook.NewSecret()

// receive is docs/webhooks.md's Go receiver, verbatim (TestReadmeSnippets holds them together).
func receive(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<20))
	if err != nil || webhook.Verify(secret, r.Header, body, time.Now()) != nil {
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	// Handle body; skip a webhook-id already handled.
}

// A receiver accepts a delivery signed as the Sender signs it, and refuses one whose body
// was changed on the way.
func ExampleVerify() {
	body := []byte(`{"event":"test","timestamp":"2026-03-01T12:00:00Z","data":{}}`)
	for _, got := range [][]byte{body, bytes.Replace(body, []byte("test"), []byte("tEst"), 1)} {
		r := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(got))
		if err := webhook.SignHeaders(r.Header, []string{secret}, "dlv_1", time.Now(), body); err != nil {
			panic(err)
		}
		w := httptest.NewRecorder()
		receive(w, r)
		fmt.Println(w.Code)
	}
	// Output:
	// 200
	// 401
}
