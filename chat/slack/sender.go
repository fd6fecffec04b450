package slack

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/slack-go/slack"

	"github.com/agentgate/agentgate"
)

// Requests reads requests as they are now; agentgate.Gate implements it. A
// *agentgate.Error of KindNotFound ends a delivery.
type Requests interface {
	Get(ctx context.Context, id string) (*agentgate.Request, error)
}

// maxSettleRounds bounds how often one delivery brings its messages up to date when the
// request keeps changing under it; the change's own delivery does the rest.
const maxSettleRounds = 3

// Sender delivers Slack deliveries: the agentgate.Sender for agentgate.ChannelSlack. It is
// safe for concurrent use.
//
// Every message shows the request as it is when the message is written, not as it was
// when the delivery was made: a retried or late delivery can then never put back buttons
// on a request decided since. After writing, the Sender reads the request again and
// writes once more if it changed meanwhile, so that of two deliveries racing, the last
// write shows the last state.
type Sender struct {
	cfg      Config
	api      *slack.Client
	requests Requests
	messages agentgate.ChatMessageStore
	opts     Options
	log      *slog.Logger
	outage   *agentgate.Outage // problems with the whole channel, logged once
}

var _ agentgate.Sender = (*Sender)(nil)

// NewSender returns a Sender for cfg, or cfg's first problem (see Config.Validate).
func NewSender(cfg Config, requests Requests, messages agentgate.ChatMessageStore, opts Options) (*Sender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if _, err := requestLink(opts.BaseURL, "x"); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	outage := &agentgate.Outage{Log: opts.Logger,
		Down: "Slack messages cannot be sent; deliveries will be retried.", Up: "Slack messages are being sent again."}
	return &Sender{cfg: cfg, api: newAPI(cfg, opts), requests: requests, messages: messages, opts: opts,
		log: opts.Logger, outage: outage}, nil
}

// Send makes one attempt at d. request.created posts the request's message to d.Target
// (a channel name or id, or a user id for a direct message), or to SLACK_DEFAULT_CHANNEL
// when the target is empty, and keeps its channel and ts. Any later event of the request
// updates every message kept for it.
func (s *Sender) Send(ctx context.Context, d agentgate.Delivery) (agentgate.SendResult, error) {
	if d.RequestID == "" {
		return permanent("slack: delivery %s names no request", d.ID)
	}
	r, err := s.requests.Get(ctx, d.RequestID)
	if err != nil {
		return s.readFailed(err)
	}
	if d.Event == agentgate.EventRequestCreated {
		return s.post(ctx, d, r)
	}
	ms, err := s.messages.ChatMessages(ctx, d.RequestID, agentgate.ChannelSlack)
	if err != nil {
		return agentgate.SendResult{}, fmt.Errorf("slack: listing the request's messages: %w", err)
	}
	if len(ms) == 0 {
		return agentgate.SendResult{Response: "no Slack message of this request to update"}, nil
	}
	return s.settle(ctx, r, ms)
}

// post posts r's message and keeps it. If it cannot be kept, the message is deleted
// again and the attempt fails, so the retry posts it once more rather than leaving a
// message behind that would never be updated.
func (s *Sender) post(ctx context.Context, d agentgate.Delivery, r *agentgate.Request) (agentgate.SendResult, error) {
	target := d.Target
	if target == "" {
		target = s.cfg.DefaultChannel
	}
	if target == "" {
		return permanent("slack: the rule names a bare \"slack\" channel and SLACK_DEFAULT_CHANNEL is not set")
	}
	b, err := Build(Message{Request: *r, BaseURL: s.opts.BaseURL})
	if err != nil {
		return permanent("%v", err)
	}
	channel, ts, err := s.api.PostMessageContext(ctx, target, b.options()...)
	if err != nil {
		return s.failed(err, "posting to "+target)
	}
	s.outage.Recovered()
	m := agentgate.ChatMessage{RequestID: r.ID, Platform: agentgate.ChannelSlack, Channel: channel, MessageID: ts, CreatedAt: s.opts.Clock.Now()}
	if err := s.messages.SaveChatMessage(ctx, m); err != nil {
		if _, _, derr := s.api.DeleteMessageContext(context.WithoutCancel(ctx), channel, ts); derr != nil {
			s.log.Error("A Slack message was posted but neither kept nor deleted; it will not be updated.",
				"request_id", r.ID, "channel", channel, "ts", ts, "err", derr)
		}
		return agentgate.SendResult{}, fmt.Errorf("slack: keeping the posted message: %w", err)
	}
	res := agentgate.SendResult{StatusCode: 200, Response: "posted to " + channel + " as " + ts}
	// A change made while posting found no message to update; this one shows it.
	if later, err := s.requests.Get(ctx, r.ID); err == nil && later.Version != r.Version {
		return s.settle(ctx, later, []agentgate.ChatMessage{m})
	}
	return res, nil
}

// settle writes r into every message, then again while the request keeps changing.
func (s *Sender) settle(ctx context.Context, r *agentgate.Request, ms []agentgate.ChatMessage) (agentgate.SendResult, error) {
	var res agentgate.SendResult
	for range maxSettleRounds {
		var err error
		if res, err = s.update(ctx, r, ms); err != nil {
			return res, err
		}
		later, err := s.requests.Get(ctx, r.ID)
		if err != nil || later.Version == r.Version {
			return res, nil // the write stands; a later change has a delivery of its own
		}
		r = later
	}
	return res, nil
}

// update writes r into each message. A message that can no longer be edited (deleted,
// its channel archived) is skipped; any other failure fails the attempt, and the retry
// writes every message again.
func (s *Sender) update(ctx context.Context, r *agentgate.Request, ms []agentgate.ChatMessage) (agentgate.SendResult, error) {
	b, err := Build(Message{Request: *r, BaseURL: s.opts.BaseURL})
	if err != nil {
		return permanent("%v", err)
	}
	updated, skipped := 0, 0
	for _, m := range ms {
		_, _, _, err := s.api.UpdateMessageContext(ctx, m.Channel, m.MessageID, b.options()...)
		if err == nil {
			updated++
			continue
		}
		res, ferr := s.failed(err, "updating the message in "+m.Channel)
		if !res.Permanent {
			return res, ferr
		}
		skipped++
		s.log.Warn("A Slack message of a request can no longer be updated.", "request_id", r.ID, "channel", m.Channel, "ts", m.MessageID, "err", ferr)
	}
	s.outage.Recovered()
	res := agentgate.SendResult{StatusCode: 200, Response: fmt.Sprintf("updated %d message(s) to %s", updated, r.Status)}
	if skipped > 0 {
		res.Response += fmt.Sprintf("; %d could no longer be updated", skipped)
	}
	return res, nil
}

func (s *Sender) readFailed(err error) (agentgate.SendResult, error) {
	if agentgate.ErrorKind(err) == agentgate.KindNotFound {
		return permanent("slack: %s", agentgate.ErrorMessage(err))
	}
	return agentgate.SendResult{}, fmt.Errorf("slack: reading the request: %w", err)
}

// options are the chat.postMessage and chat.update arguments that carry b.
func (b *Built) options() []slack.MsgOption {
	return []slack.MsgOption{slack.MsgOptionText(b.Text, false), slack.MsgOptionBlocks(b.Blocks...), slack.MsgOptionAttachments(b.Attachments...)}
}

func permanent(format string, args ...any) (agentgate.SendResult, error) {
	return agentgate.SendResult{Permanent: true}, fmt.Errorf(format, args...)
}
