package main

import (
	"context"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/webhook"
)

// channelSenders returns the sender of every channel kind serve delivers.
func channelSenders(cfg *config, gate *agentgate.Gate) map[agentgate.ChannelKind]agentgate.Sender {
	return map[agentgate.ChannelKind]agentgate.Sender{agentgate.ChannelWebhook: webhook.NewSender(
		gate.WebhookTarget, webhook.Options{AllowPrivate: cfg.WebhookAllowPrivate, Version: version})}
}

// webhookURLCheck returns the check of where a new webhook's URL leads.
func webhookURLCheck(cfg *config) func(context.Context, string) error {
	return func(ctx context.Context, u string) error { return webhook.CheckURL(ctx, u, cfg.WebhookAllowPrivate) }
}
