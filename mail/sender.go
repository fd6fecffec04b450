package mail

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/agentgate/agentgate"
)

// Recipient is what a message needs to know about its recipient that the outbox row does
// not carry.
type Recipient struct {
	Name  string // display name; "" when the directory has none
	Links Links  // Approve and Deny made for this recipient (request messages), and Request
}

// MessageSource supplies, per delivery, the recipient's name and links. The gate
// implements it; a *agentgate.Error of KindNotFound (the request or the person is gone)
// ends the delivery, any other error is retried.
type MessageSource interface {
	Recipient(ctx context.Context, d agentgate.Delivery) (Recipient, error)
}

// Options tune a Sender; the zero value works but for BaseURL.
type Options struct {
	BaseURL string          // BASE_URL: the host that ends every Message-ID
	Logger  *slog.Logger    // nil: slog.Default()
	Clock   agentgate.Clock // dates a message whose event has no timestamp
	// RootCAs, when set, are the only certificate authorities trusted for the SMTP server:
	// a private CA, or a test's own. nil trusts the system's.
	RootCAs *x509.CertPool
	// Timeout bounds one attempt, from dialling to the server's last answer, when the
	// context has no sooner deadline. Default 30 s.
	Timeout time.Duration
}

// Sender delivers email deliveries: the agentgate.Sender for agentgate.ChannelEmail. It
// opens one SMTP connection per message, and is safe for concurrent use.
type Sender struct {
	cfg    Config
	src    MessageSource
	opts   Options
	log    *slog.Logger
	outage *agentgate.Outage // problems with the whole channel, logged once
}

var _ agentgate.Sender = (*Sender)(nil)

// NewSender returns a Sender for cfg, or cfg's first problem (see Config.Validate).
func NewSender(cfg Config, src MessageSource, opts Options) (*Sender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if _, err := messageIDHost(opts.BaseURL); err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = agentgate.SystemClock{}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	outage := &agentgate.Outage{Log: opts.Logger,
		Down: "Email cannot be sent; deliveries will be retried.", Up: "Email is being sent again."}
	return &Sender{cfg: cfg, src: src, opts: opts, log: opts.Logger, outage: outage}, nil
}

// event is an outbox payload: {"event", "timestamp", "data"} with data the request.
type event struct {
	Event     string            `json:"event"`
	Timestamp time.Time         `json:"timestamp"`
	Data      agentgate.Request `json:"data"`
}

// Send makes one attempt to deliver d, an email to d.Target about the request in
// d.Payload. A 5xx refusal of the recipient or of the message is Permanent; a 4xx answer,
// an unreachable server, a refused login or a TLS failure is retried, the server-wide ones
// logged once per distinct reason. A follow-up with follow-ups turned off succeeds unsent.
func (s *Sender) Send(ctx context.Context, d agentgate.Delivery) (agentgate.SendResult, error) {
	var ev event
	if err := json.Unmarshal(d.Payload, &ev); err != nil || ev.Data.ID == "" {
		return permanent("email: delivery %s has no request in its payload", d.ID)
	}
	name := d.Event
	if name == "" {
		name = ev.Event
	}
	kind, ok := KindOf(name, ev.Data.Status)
	if !ok {
		return permanent("email: there is no message for event %q", name)
	}
	if kind.FollowUp() && s.cfg.NoFollowUps {
		return agentgate.SendResult{Response: "not sent: follow-up emails are turned off"}, nil
	}
	rcpt, err := s.src.Recipient(ctx, d)
	switch {
	case agentgate.ErrorKind(err) == agentgate.KindNotFound:
		return permanent("email: %s", agentgate.ErrorMessage(err))
	case err != nil:
		return agentgate.SendResult{}, fmt.Errorf("email: looking up the recipient's links: %w", err)
	}
	date := ev.Timestamp
	if date.IsZero() {
		date = s.opts.Clock.Now()
	}
	b, err := Build(Message{Kind: kind, Request: ev.Data, To: Address{Name: rcpt.Name, Address: d.Target},
		From: s.cfg.From, Links: rcpt.Links, BaseURL: s.opts.BaseURL, Date: date})
	if err != nil {
		return permanent("%v", err)
	}
	msg := mimeMessage(b)
	if err := s.transmit(ctx, msg); err != nil && !msg.IsDelivered() {
		return s.failed(ctx, err)
	}
	s.outage.Recovered()
	return agentgate.SendResult{Response: excerpt(msg.ServerResponse())}, nil
}

// mimeMessage turns a built message into go-mail's: both bodies as alternatives, the
// HTML preferred, and no User-Agent naming the library.
func mimeMessage(b *Built) *gomail.Msg {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(b.From)
	msg.ToMailAddress(b.To)
	msg.Subject(b.Subject)
	for _, h := range b.Headers {
		msg.SetGenHeader(gomail.Header(h.Name), h.Value)
	}
	msg.SetUserAgent("AgentGate")
	msg.SetBodyString(gomail.TypeTextPlain, b.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, b.HTML)
	return msg
}

func permanent(format string, args ...any) (agentgate.SendResult, error) {
	return agentgate.SendResult{Permanent: true}, fmt.Errorf(format, args...)
}

// excerpt bounds a server's answer for the delivery log.
func excerpt(s string) string {
	t, n := cut(s, 300)
	if n > 0 {
		t += "…"
	}
	return t
}
