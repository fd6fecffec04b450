package main

import (
	"context"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/internal/interimsender"
)

// ---- INTERIM: replace both functions below when the webhook package is merged. ----
//
// The webhook package (signing, the SSRF-safe client, CheckURL) is built beside this branch.
// Until it is merged, webhooks are delivered only with WEBHOOK_ALLOW_PRIVATE=true (local
// receivers and tests), unsigned, through internal/interimsender; otherwise no webhook sender
// is configured and deliveries fail in the log, closed rather than unsafe. After the merge:
//
//	func channelSenders(cfg *config, gate *agentgate.Gate) map[agentgate.ChannelKind]agentgate.Sender {
//		return map[agentgate.ChannelKind]agentgate.Sender{agentgate.ChannelWebhook: webhook.NewSender(
//			gate.WebhookTarget, webhook.Options{AllowPrivate: cfg.WebhookAllowPrivate, Version: version})}
//	}
//
//	func webhookURLCheck(cfg *config) func(context.Context, string) error {
//		return func(ctx context.Context, u string) error { return webhook.CheckURL(ctx, u, cfg.WebhookAllowPrivate) }
//	}
//
// and delete internal/interimsender (the tests that use it take webhook.NewSender with
// AllowPrivate: true).

// channelSenders returns the sender of every channel kind serve delivers.
func channelSenders(cfg *config, gate *agentgate.Gate) map[agentgate.ChannelKind]agentgate.Sender {
	if !cfg.WebhookAllowPrivate {
		return map[agentgate.ChannelKind]agentgate.Sender{}
	}
	return map[agentgate.ChannelKind]agentgate.Sender{agentgate.ChannelWebhook: interimsender.New(gate.WebhookTarget)}
}

// webhookURLCheck returns the check of where a new webhook's URL leads (nil: its form only).
func webhookURLCheck(*config) func(context.Context, string) error { return nil }
