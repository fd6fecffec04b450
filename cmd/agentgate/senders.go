package main

import (
	"context"
	"log/slog"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/internal/app"
	"github.com/agentgate/agentgate/webhook"
)

// channelSenders returns the sender of every channel kind serve delivers: webhooks always,
// email when SMTP_HOST is set.
func channelSenders(cfg *config, gate *agentgate.Gate, log *slog.Logger) (map[agentgate.ChannelKind]agentgate.Sender, error) {
	senders := map[agentgate.ChannelKind]agentgate.Sender{agentgate.ChannelWebhook: webhook.NewSender(
		gate.WebhookTarget, webhook.Options{AllowPrivate: cfg.WebhookAllowPrivate, Version: version})}
	if cfg.Mail != nil {
		s, err := app.NewMailSender(*cfg.Mail, gate, cfg.BaseURL, log)
		if err != nil {
			return nil, err
		}
		senders[agentgate.ChannelEmail] = s
	}
	return senders, nil
}

// webhookURLCheck returns the check of where a new webhook's URL leads.
func webhookURLCheck(cfg *config) func(context.Context, string) error {
	return func(ctx context.Context, u string) error { return webhook.CheckURL(ctx, u, cfg.WebhookAllowPrivate) }
}
