package main

import (
	"context"
	"log/slog"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/internal/interimsender"
)

// startDispatcher starts delivering the outbox with the configured senders, and says at
// start which channels the policies name that nothing will deliver. It signals done when
// it has stopped (after its Shutdown, or when ctx ends).
func startDispatcher(ctx context.Context, cfg *config, store *db.Store, gate *agentgate.Gate, log *slog.Logger, done chan<- struct{}) *agentgate.Dispatcher {
	d := gate.Dispatcher(channelSenders(cfg, gate), agentgate.DispatcherOptions{
		// SQLite serves one process, so a lease held at start is a killed process's.
		ReclaimAtStart: store.Dialect() == db.DialectSQLite,
	})
	unserved, err := gate.UnservedChannels(ctx, d.Kinds())
	if err != nil {
		log.Error("Could not check the policies' channels.", "err", err)
	}
	for _, ch := range unserved {
		log.Warn("A policy names a channel nothing delivers to; its deliveries will fail until one is configured.", "channel", ch)
	}
	go func() { d.Run(ctx); done <- struct{}{} }()
	return d
}

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
