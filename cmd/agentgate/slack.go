package main

import (
	"context"
	"log/slog"

	"github.com/agentgate/agentgate"
	chatslack "github.com/agentgate/agentgate/chat/slack"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/handlers"
)

// finishSlack decides whether Slack is on (any SLACK_* set) and checks the SLACK_*
// settings together, adding their warnings.
func (c *config) finishSlack() error {
	if c.slack == (chatslack.Config{}) {
		return nil
	}
	if err := c.slack.Validate(); err != nil {
		return err
	}
	c.Warnings = append(c.Warnings, c.slack.Warnings()...)
	sc := c.slack
	c.Slack = &sc
	return nil
}

// slackApp is Slack as serve runs it: the Sender the outbox delivers through (and the
// channel test uses), and the Interactions that answer clicks.
type slackApp struct {
	sender       *chatslack.Sender
	interactions *chatslack.Interactions
}

// newSlackApp builds Slack from the configuration; nil when Slack is not configured.
func newSlackApp(cfg *config, gate *agentgate.Gate, store *db.Store, log *slog.Logger) (*slackApp, error) {
	if cfg.Slack == nil {
		return nil, nil
	}
	opts := chatslack.Options{BaseURL: cfg.BaseURL, Logger: log}
	sender, err := chatslack.NewSender(*cfg.Slack, gate, store, opts)
	if err != nil {
		return nil, err
	}
	in, err := chatslack.NewInteractions(*cfg.Slack, gate, opts)
	if err != nil {
		return nil, err
	}
	return &slackApp{sender: sender, interactions: in}, nil
}

// add makes the sender the outbox's for agentgate.ChannelSlack and the channel test's, when
// Slack is configured.
func (s *slackApp) add(senders map[agentgate.ChannelKind]agentgate.Sender, testers map[agentgate.ChannelKind]handlers.ChannelTester) {
	if s != nil {
		senders[agentgate.ChannelSlack], testers[agentgate.ChannelSlack] = s.sender, s.sender
	}
}

// clicks is the Interactions for the handlers, or nil (no Interactions, not a nil pointer
// in an interface) when Slack is off.
func (s *slackApp) clicks() handlers.SlackInteractions {
	if s == nil {
		return nil
	}
	return s.interactions
}

// start receives clicks over Socket Mode until ctx ends, when SLACK_APP_TOKEN is set; wait
// returns once it has stopped.
func (s *slackApp) start(ctx context.Context, log *slog.Logger) (wait func()) {
	if s == nil || !s.interactions.SocketMode() {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.interactions.RunSocketMode(ctx); err != nil {
			log.Error("Slack clicks will not arrive: Socket Mode stopped.", "err", err)
		}
	}()
	return func() { <-done }
}
