// Package interimsender is a stand-in webhook Sender, used by serve (only with
// WEBHOOK_ALLOW_PRIVATE=true) and by tests until the webhook package, built beside the
// outbox, is merged. It posts a delivery's payload with its webhook-id, UNSIGNED and
// without the SSRF-safe client. Delete it at the merge: webhook.NewSender replaces every use
// (see cmd/agentgate/senders.go).
package interimsender

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/agentgate/agentgate"
)

// Sender posts webhook deliveries to the URL of the webhook lookup finds.
type Sender struct {
	lookup func(context.Context, string) (*agentgate.Webhook, error)
	client *http.Client
}

// New returns a Sender finding each delivery's webhook with lookup.
func New(lookup func(context.Context, string) (*agentgate.Webhook, error)) *Sender {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 16 // the dispatcher's workers often post to one receiver
	return &Sender{lookup: lookup, client: &http.Client{Timeout: 15 * time.Second, Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Send makes one attempt: a 2xx is delivered, a 4xx but 408 and 429 is permanent.
func (s *Sender) Send(ctx context.Context, d agentgate.Delivery) (agentgate.SendResult, error) {
	w, err := s.lookup(ctx, d.Target)
	if agentgate.ErrorKind(err) == agentgate.KindNotFound {
		return agentgate.SendResult{Permanent: true}, fmt.Errorf("webhook %s no longer exists", d.Target)
	} else if err != nil {
		return agentgate.SendResult{}, err
	} else if !w.Enabled {
		return agentgate.SendResult{Permanent: true}, fmt.Errorf("webhook %s is disabled", d.Target)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return agentgate.SendResult{Permanent: true}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("webhook-id", d.ID)
	res, err := s.client.Do(req)
	if err != nil {
		return agentgate.SendResult{}, err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, agentgate.MaxResponseExcerpt))
	r := agentgate.SendResult{StatusCode: res.StatusCode, Response: string(body)}
	if secs, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && secs > 0 {
		r.RetryAfter = time.Duration(secs) * time.Second
	}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return r, nil
	}
	r.Permanent = res.StatusCode >= 400 && res.StatusCode < 500 && res.StatusCode != 408 && res.StatusCode != 429
	return r, fmt.Errorf("webhook answered %s", res.Status)
}
