package app

import (
	"context"
	"log/slog"
	"strings"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/mail"
)

// NewMailSender returns the email Sender for cfg, whose recipients' names and decision
// links the gate supplies, with links under baseURL (BASE_URL).
func NewMailSender(cfg mail.Config, gate *agentgate.Gate, baseURL string, log *slog.Logger) (*mail.Sender, error) {
	base := strings.TrimRight(baseURL, "/")
	return mail.NewSender(cfg, mailSource{gate: gate, base: base}, mail.Options{BaseURL: base, Logger: log, Clock: gate})
}

// mailSource is the gate as the mail package's MessageSource: the gate makes the links
// when the email is sent; this turns their tokens into absolute URLs.
type mailSource struct {
	gate *agentgate.Gate
	base string
}

// Recipient returns the recipient's name and the links of the email for d.
func (s mailSource) Recipient(ctx context.Context, d agentgate.Delivery) (mail.Recipient, error) {
	l, err := s.gate.EmailLinks(ctx, d)
	if err != nil {
		return mail.Recipient{}, err
	}
	r := mail.Recipient{Name: l.Name, Links: mail.Links{Request: s.base + "/requests/" + d.RequestID}}
	if l.Approve != "" {
		r.Links.Approve = s.base + agentgate.DecisionLinkPath + "/" + l.Approve
		r.Links.Deny = s.base + agentgate.DecisionLinkPath + "/" + l.Deny
	}
	return r, nil
}
