package discord

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/agentgate/agentgate"
)

// RequestSource gives a request as it now is; the gate implements it (Gate.Get). A
// *agentgate.Error of KindNotFound ends the delivery; any other error is retried.
type RequestSource interface {
	Get(ctx context.Context, id string) (*agentgate.Request, error)
}

// Options tune a Sender; the zero value works.
type Options struct {
	BaseURL string          // BASE_URL, for the link to the request (see LinksFor)
	Logger  *slog.Logger    // nil: slog.Default()
	Clock   agentgate.Clock // dates the records of posted messages
	// HTTPClient makes the calls to Discord; nil means one whose calls end after Timeout.
	HTTPClient *http.Client
	Timeout    time.Duration // default 15 s
}

// Sender delivers Discord deliveries: the agentgate.Sender for agentgate.ChannelDiscord.
// It is safe for concurrent use.
type Sender struct {
	cfg      Config
	api      *api
	requests RequestSource
	messages agentgate.ChatMessageStore
	opts     Options
}

var _ agentgate.Sender = (*Sender)(nil)

// NewSender returns a Sender for cfg, or cfg's first problem (see Config.Validate).
func NewSender(cfg Config, requests RequestSource, messages agentgate.ChatMessageStore, opts Options) (*Sender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = agentgate.SystemClock{}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 15 * time.Second
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: opts.Timeout}
	}
	a := &api{base: cfg.apiURL(), token: cfg.BotToken, http: opts.HTTPClient}
	return &Sender{cfg: cfg, api: a, requests: requests, messages: messages, opts: opts}, nil
}

// Send makes one attempt to deliver d. On request.created it posts the request to d's
// channel (the default channel when d names none) and records the message; on any later
// event it edits every message recorded for the request. Either way the message shows
// the request as it is when it is sent, not as it was at the event, so a late or retried
// delivery never puts back a state that has passed; and when the request changes while
// the message is being written, it is written again.
func (s *Sender) Send(ctx context.Context, d agentgate.Delivery) (agentgate.SendResult, error) {
	id := d.RequestID
	if id == "" {
		return permanent("discord: delivery %s names no request", d.ID)
	}
	switch d.Event {
	case agentgate.EventRequestCreated:
		return s.post(ctx, d, id)
	case agentgate.EventRequestApproved, agentgate.EventRequestDenied, agentgate.EventRequestVoted,
		agentgate.EventRequestExpired, agentgate.EventRequestCancelled, "request.decided":
		return s.editAll(ctx, id)
	}
	return permanent("discord: there is no message for event %q", d.Event)
}

// current reads the request as it now is.
func (s *Sender) current(ctx context.Context, id string) (*agentgate.Request, agentgate.SendResult, error) {
	r, err := s.requests.Get(ctx, id)
	switch {
	case agentgate.ErrorKind(err) == agentgate.KindNotFound:
		res, err := permanent("discord: request %s no longer exists", id)
		return nil, res, err
	case err != nil:
		return nil, agentgate.SendResult{}, fmt.Errorf("discord: reading request %s: %w", id, err)
	}
	return r, agentgate.SendResult{}, nil
}

// state reads the request as it now is and the messages posted about it.
func (s *Sender) state(ctx context.Context, id string) (*agentgate.Request, []agentgate.ChatMessage, agentgate.SendResult, error) {
	r, res, err := s.current(ctx, id)
	if err != nil {
		return nil, nil, res, err
	}
	ms, err := s.messages.ChatMessages(ctx, id, agentgate.ChannelDiscord)
	if err != nil {
		return nil, nil, res, fmt.Errorf("discord: listing the messages of request %s: %w", id, err)
	}
	return r, ms, res, nil
}

// links are a request's links on this server.
func (s *Sender) links(id string) Links { return LinksFor(s.opts.BaseURL, id) }

// post posts the request to d's channel once. A retry finds the message it recorded, or
// Discord finds the one it created under the same nonce, so no channel sees it twice.
func (s *Sender) post(ctx context.Context, d agentgate.Delivery, id string) (agentgate.SendResult, error) {
	channel := d.Target
	if channel == "" {
		channel = s.cfg.DefaultChannel
	}
	switch {
	case channel == "":
		return permanent("discord: the rule names no channel and DISCORD_DEFAULT_CHANNEL is not set")
	case !Snowflake(channel):
		return permanent("discord: %q is not a channel id: name it as discord:<channel id>", channel)
	}
	r, ms, res, err := s.state(ctx, id)
	if err != nil {
		return res, err
	}
	for _, m := range ms {
		if m.Channel == channel { // posted and recorded by an earlier attempt
			return s.show(ctx, r, m)
		}
	}
	msg := Build(*r, s.links(id))
	msg.Nonce, msg.EnforceNonce = nonce(d.ID, channel), true
	p, ans, err := s.api.post(ctx, channel, msg)
	if err != nil {
		return agentgate.SendResult{StatusCode: ans.status}, err
	}
	if res, err := ans.outcome("posting to channel " + channel); err != nil {
		return res, err
	}
	m := agentgate.ChatMessage{RequestID: id, Platform: agentgate.ChannelDiscord, Channel: channel,
		MessageID: p.ID, CreatedAt: s.opts.Clock.Now()}
	if err := s.messages.SaveChatMessage(ctx, m); err != nil {
		return agentgate.SendResult{StatusCode: ans.status}, fmt.Errorf("discord: recording message %s: %w", p.ID, err)
	}
	res, err = s.settle(ctx, r, m)
	if err == nil {
		res.Response = "posted message " + p.ID + " in channel " + channel
	}
	return res, err
}

// editAll makes every message recorded for the request show it as it now is. A message
// deleted in Discord is left alone; one edit that will never succeed does not keep the
// others from being made, and a retry makes them all again, which changes nothing.
func (s *Sender) editAll(ctx context.Context, id string) (agentgate.SendResult, error) {
	r, ms, res, err := s.state(ctx, id)
	if err != nil {
		return res, err
	}
	if len(ms) == 0 {
		return agentgate.SendResult{Response: "no Discord message of this request to edit"}, nil
	}
	var failed, retry error
	var worst agentgate.SendResult
	for _, m := range ms {
		res, err := s.show(ctx, r, m)
		switch {
		case err == nil:
			continue
		case res.Permanent:
			failed = err
		default:
			retry = err
		}
		worst.RetryAfter = max(worst.RetryAfter, res.RetryAfter)
		worst.StatusCode, worst.Response = res.StatusCode, res.Response
	}
	if retry != nil {
		return worst, retry
	}
	if failed != nil {
		worst.Permanent = true
		return worst, failed
	}
	return agentgate.SendResult{StatusCode: http.StatusOK, Response: fmt.Sprintf("edited %d message(s)", len(ms))}, nil
}

// show edits m to show r, then settles it.
func (s *Sender) show(ctx context.Context, r *agentgate.Request, m agentgate.ChatMessage) (agentgate.SendResult, error) {
	ans, err := s.api.edit(ctx, m.Channel, m.MessageID, Build(*r, s.links(r.ID)))
	if err != nil {
		return agentgate.SendResult{}, err
	}
	if ans.gone() {
		return agentgate.SendResult{StatusCode: ans.status, Response: "message " + m.MessageID + " was deleted"}, nil
	}
	if res, err := ans.outcome("editing message " + m.MessageID); err != nil {
		return res, err
	}
	return s.settle(ctx, r, m)
}

// settle makes m show the request as it now is, when it changed since r was shown: a
// change made while the message was being posted or edited has its own delivery, which
// may have run before the message was recorded, or its edit may have landed first.
func (s *Sender) settle(ctx context.Context, shown *agentgate.Request, m agentgate.ChatMessage) (agentgate.SendResult, error) {
	res := agentgate.SendResult{StatusCode: http.StatusOK, Response: "message " + m.MessageID + " shows the request"}
	for range 3 {
		r, res2, err := s.current(ctx, shown.ID)
		if err != nil {
			return res2, err
		}
		if r.Version == shown.Version {
			return res, nil
		}
		ans, err := s.api.edit(ctx, m.Channel, m.MessageID, Build(*r, s.links(r.ID)))
		if err != nil {
			return agentgate.SendResult{}, err
		}
		if ans.gone() {
			return res, nil
		}
		if res, err = ans.outcome("editing message " + m.MessageID); err != nil {
			return res, err
		}
		shown = r
	}
	return res, nil
}

// nonce is the same for every attempt at one delivery to one channel: at most 25
// characters, as Discord takes.
func nonce(deliveryID, channel string) string {
	sum := sha256.Sum256([]byte(deliveryID + "\x00" + channel))
	return hex.EncodeToString(sum[:])[:25]
}

func permanent(format string, args ...any) (agentgate.SendResult, error) {
	return agentgate.SendResult{Permanent: true}, fmt.Errorf(format, args...)
}

// Test posts a sample message to the default channel and reports Discord's answer: the
// dashboard's and the API's channel test.
func (s *Sender) Test(ctx context.Context) (agentgate.SendResult, error) {
	channel := s.cfg.DefaultChannel
	if channel == "" {
		return permanent("discord: DISCORD_DEFAULT_CHANNEL is not set, so there is no channel to test")
	}
	p, ans, err := s.api.post(ctx, channel, TestMessage(s.opts.Clock.Now()))
	if err != nil {
		return agentgate.SendResult{StatusCode: ans.status}, err
	}
	if res, err := ans.outcome("posting to channel " + channel); err != nil {
		return res, err
	}
	return agentgate.SendResult{StatusCode: ans.status, Response: "posted test message " + p.ID + " in channel " + channel}, nil
}

// Target is where Test posts, for the Channels page: the default channel.
func (s *Sender) Target() string { return s.cfg.DefaultChannel }
