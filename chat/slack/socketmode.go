package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"sync"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// SocketMode reports whether clicks arrive over Socket Mode (SLACK_APP_TOKEN is set), so
// the server should run RunSocketMode.
func (in *Interactions) SocketMode() bool { return in.cfg.AppToken != "" }

// RunSocketMode receives interactions over Socket Mode until ctx ends, answering each as
// Handle does, so that a server without a public URL still gets its clicks. slack-go
// reconnects when Slack asks it to or the connection drops; RunSocketMode returns early
// only when Slack refuses the app token.
func (in *Interactions) RunSocketMode(ctx context.Context) error {
	if !in.SocketMode() {
		return errors.New("slack: Socket Mode needs SLACK_APP_TOKEN")
	}
	sm := socketmode.New(in.api, socketmode.OptionLog(log.New(io.Discard, "", 0)))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- sm.RunContext(ctx) }()
	var wg sync.WaitGroup
	defer wg.Wait() // answers in flight end with ctx
	for {
		select {
		case err := <-stopped:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack: Socket Mode stopped: %w", err)
		case evt := <-sm.Events:
			in.socketEvent(ctx, sm, evt, &wg)
		}
	}
}

// socketEvent handles one Socket Mode event: an interaction is answered in its own
// goroutine, so a slow one holds up no other; other envelopes are acknowledged, so that
// Slack does not send them again.
func (in *Interactions) socketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event, wg *sync.WaitGroup) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		in.log.Info("Connected to Slack over Socket Mode.")
		return
	case socketmode.EventTypeConnectionError:
		if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			in.log.Warn("Could not connect to Slack over Socket Mode; retrying.", "err", e.ErrorObj, "retry_in", e.Backoff.String())
		}
		return
	case socketmode.EventTypeInvalidAuth:
		in.log.Error("Slack refused SLACK_APP_TOKEN for Socket Mode.")
		return
	}
	if evt.Request == nil || evt.Request.EnvelopeID == "" {
		return
	}
	req := *evt.Request
	if evt.Type != socketmode.EventTypeInteractive {
		in.ack(sm, req, nil)
		return
	}
	wg.Go(func() { in.ack(sm, req, in.Handle(ctx, req.Payload)) })
}

func (in *Interactions) ack(sm *socketmode.Client, req socketmode.Request, answer []byte) {
	var err error
	if answer == nil {
		err = sm.Ack(req)
	} else {
		err = sm.Ack(req, json.RawMessage(answer))
	}
	if err != nil {
		in.log.Warn("Could not acknowledge a Slack Socket Mode envelope.", "envelope_id", req.EnvelopeID, "err", err)
	}
}
