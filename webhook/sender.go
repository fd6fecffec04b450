package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/agentgate/agentgate"
)

// Sender delivers webhook deliveries: agentgate.Sender for agentgate.ChannelWebhook.
// It is safe for concurrent use, and keeps connections to receivers open between calls.
type Sender struct {
	lookup    func(ctx context.Context, id string) (*agentgate.Webhook, error)
	client    *http.Client
	clock     agentgate.Clock
	userAgent string
}

var _ agentgate.Sender = (*Sender)(nil)

// NewSender returns a Sender that finds each delivery's webhook with lookup (by
// Delivery.Target; a *agentgate.Error of KindNotFound, or nil, nil, means it was deleted)
// and posts through NewClient(opts).
func NewSender(lookup func(ctx context.Context, id string) (*agentgate.Webhook, error), opts Options) *Sender {
	s := &Sender{lookup: lookup, client: NewClient(opts), clock: opts.Clock, userAgent: "AgentGate-Webhook"}
	if s.clock == nil {
		s.clock = agentgate.SystemClock{}
	}
	if opts.Version != "" {
		s.userAgent += "/" + opts.Version
	}
	return s
}

// Send makes one attempt: it POSTs d.Payload as it is to the webhook's URL, signed with
// every secret the webhook has now (see SignHeaders; webhook-id is d.ID, the same on every
// attempt), and reports what the receiver answered. A 2xx is success. A 4xx other than 408
// and 429, a deleted or disabled webhook, a secret that cannot sign and a refused address are
// Permanent; anything else is retried on the outbox's schedule, after RetryAfter if the
// receiver asked.
func (s *Sender) Send(ctx context.Context, d agentgate.Delivery) (agentgate.SendResult, error) {
	w, err := s.lookup(ctx, d.Target)
	switch {
	case agentgate.ErrorKind(err) == agentgate.KindNotFound || (err == nil && w == nil):
		return permanent("webhook %s no longer exists", d.Target)
	case err != nil:
		return agentgate.SendResult{}, fmt.Errorf("webhook: look up %s: %w", d.Target, err)
	case !w.Enabled:
		return permanent("webhook %s is disabled", d.Target)
	}
	if _, err := parseTarget(w.URL); err != nil {
		return permanent("webhook %s: %s", d.Target, agentgate.ErrorMessage(err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(d.Payload))
	if err != nil { // parseTarget has parsed it; kept so that nothing is posted unchecked
		return permanent("webhook %s: its URL does not parse", d.Target)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.userAgent)
	if d.Event != "" {
		req.Header.Set("X-Agentgate-Event", d.Event)
	}
	now := s.clock.Now()
	if err := SignHeaders(req.Header, w.Secrets(now), d.ID, now, d.Payload); err != nil {
		return permanent("webhook %s cannot be signed, so it is not sent: %v", d.Target, err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return transportFailure(err)
	}
	defer resp.Body.Close()
	return s.answer(resp)
}

// answer turns the receiver's response into the attempt's result.
func (s *Sender) answer(resp *http.Response) (agentgate.SendResult, error) {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseRead)) // a cut body still has a status
	r := agentgate.SendResult{StatusCode: resp.StatusCode, Response: excerpt(body)}
	r.RetryAfter, _ = ParseRetryAfter(resp.Header.Get("Retry-After"), s.clock.Now())
	status := strings.TrimSpace(fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode)))
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return r, nil
	case code >= 300 && code < 400:
		return r, fmt.Errorf("webhook answered %s; redirects are not followed (Location: %.200s)",
			status, resp.Header.Get("Location"))
	case code >= 400 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests:
		r.Permanent = true
	}
	return r, fmt.Errorf("webhook answered %s", status)
}

// transportFailure reports an attempt that got no answer. The URL is left out of the text:
// some receivers keep a token in it, and the text goes to the delivery log.
func transportFailure(err error) (agentgate.SendResult, error) {
	var refused *AddrError
	if errors.As(err, &refused) {
		return agentgate.SendResult{Permanent: true}, fmt.Errorf("webhook: refused to connect to %s", refused.describe())
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return agentgate.SendResult{}, fmt.Errorf("webhook: no answer in time: %w", ue.Err)
		}
		err = ue.Err
	}
	return agentgate.SendResult{}, fmt.Errorf("webhook: POST failed: %w", err)
}

func permanent(format string, args ...any) (agentgate.SendResult, error) {
	return agentgate.SendResult{Permanent: true}, fmt.Errorf(format, args...)
}

// excerpt keeps the start of a response for the delivery log: at most maxExcerpt bytes of
// valid UTF-8, cut at a character boundary, without NUL (which PostgreSQL text refuses).
func excerpt(body []byte) string {
	var b strings.Builder
	for len(body) > 0 {
		r, size := utf8.DecodeRune(body)
		if r == 0 {
			r = utf8.RuneError
		}
		if b.Len()+utf8.RuneLen(r) > maxExcerpt {
			break
		}
		b.WriteRune(r)
		body = body[size:]
	}
	return b.String()
}
