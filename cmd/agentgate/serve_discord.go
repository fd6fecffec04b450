package main

import (
	"context"
	"log/slog"
	"sync"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/chat/discord"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/handlers"
)

// discordParts are what serve runs for Discord, built from the DISCORD_* settings.
type discordParts struct {
	// Sender posts and edits messages: the outbox's sender for agentgate.ChannelDiscord,
	// and the channel test.
	Sender *discord.Sender
	// endpoint answers clicks at /integrations/discord/interactions (DISCORD_PUBLIC_KEY
	// set); gateway receives them over the bot's connection otherwise.
	endpoint *discord.Endpoint
	gateway  *discord.Gateway
}

// newDiscord builds the Discord parts, or returns nil when Discord is not configured.
func newDiscord(cfg *config, gate *agentgate.Gate, store *db.Store, log *slog.Logger) (*discordParts, error) {
	if cfg.Discord == nil {
		return nil, nil
	}
	dc := *cfg.Discord
	opts := discord.Options{BaseURL: cfg.BaseURL, Logger: log}
	sender, err := discord.NewSender(dc, gate, store, opts)
	if err != nil {
		return nil, err
	}
	p := &discordParts{Sender: sender}
	mode := "interactions endpoint"
	if dc.UsesGateway() {
		mode = "gateway"
		p.gateway, err = discord.NewGateway(dc, discord.NewResponder(gate, dc, cfg.BaseURL, log), opts)
	} else {
		p.endpoint, err = discord.NewEndpoint(dc, gate, cfg.BaseURL, nil, log)
	}
	if err != nil {
		return nil, err
	}
	log.Info("Discord is configured.", "clicks_via", mode, "default_channel", dc.DefaultChannel, "invite_url", dc.InviteURL())
	return p, nil
}

// interactions is the endpoint for the handlers, or nil (no endpoint, not a nil pointer
// in an interface) when clicks come over the Gateway or Discord is off.
func (p *discordParts) interactions() handlers.DiscordInteractions {
	if p == nil || p.endpoint == nil {
		return nil
	}
	return p.endpoint
}

// start holds the Gateway connection, when clicks come over it, until ctx ends; stop
// waits for it to close. A refused token is logged: the server goes on without Discord's
// clicks rather than stopping everything else.
func (p *discordParts) start(ctx context.Context, log *slog.Logger) (stop func()) {
	if p == nil || p.gateway == nil {
		return func() {}
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := p.gateway.Run(ctx); err != nil {
			log.Error("Discord refused the Gateway connection; clicks in Discord go unanswered until the settings are fixed.", "err", err)
		}
	})
	return wg.Wait
}

// add makes the sender the outbox's for agentgate.ChannelDiscord and the channel test's,
// when Discord is configured.
func (p *discordParts) add(senders map[agentgate.ChannelKind]agentgate.Sender, testers map[agentgate.ChannelKind]handlers.ChannelTester) {
	if p != nil {
		senders[agentgate.ChannelDiscord], testers[agentgate.ChannelDiscord] = p.Sender, p.Sender
	}
}
