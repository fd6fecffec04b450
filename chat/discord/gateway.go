package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Gateway holds the bot's connection to Discord's Gateway, over which Discord sends the
// clicks of an app that has no Interactions Endpoint URL: a server with no public address
// still gets them. It answers each through the interaction's callback.
//
// It is a minimal client: it identifies with no intents (interactions need none), keeps
// the heartbeat, resumes after a dropped connection, and stops only for good reasons
// (the token is refused).
type Gateway struct {
	api     *api
	token   string
	respond *Responder
	replays *Replays
	log     *slog.Logger
	answers sync.WaitGroup // interactions being answered
	// Backoff bounds the wait between reconnections, which doubles from the first value
	// up to the second; a connection that got as far as READY starts it over.
	Backoff [2]time.Duration
}

// NewGateway returns a Gateway for cfg answering with responder; opts are the Sender's
// (HTTPClient for the REST calls, Logger, Clock).
func NewGateway(cfg Config, responder *Responder, opts Options) (*Gateway, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	return &Gateway{
		api:     &api{base: cfg.apiURL(), token: cfg.BotToken, http: opts.HTTPClient},
		token:   cfg.BotToken,
		respond: responder,
		replays: NewReplays(opts.Clock),
		log:     opts.Logger,
		Backoff: [2]time.Duration{time.Second, 2 * time.Minute},
	}, nil
}

// ErrTokenRefused ends Run: Discord refused the bot token (or another setting), and
// reconnecting would not help.
var ErrTokenRefused = errors.New("discord: the Gateway refused the connection for good")

// session is what a dropped connection needs to resume.
type session struct {
	id        string
	resumeURL string
	seq       int64
}

// Run keeps a Gateway connection open until ctx ends, reconnecting with backoff and
// resuming the session where it can. It returns nil when ctx ends, or an error wrapping
// ErrTokenRefused when Discord refuses the connection for good.
func (g *Gateway) Run(ctx context.Context) error {
	defer g.answers.Wait()
	var s session
	wait := g.Backoff[0]
	url := ""
	for ctx.Err() == nil {
		var err error
		if url == "" {
			url, err = g.gatewayURL(ctx)
		}
		ready := false
		if err == nil {
			ready, err = g.connect(ctx, url, &s)
		}
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, ErrTokenRefused):
			return err
		case ready:
			wait = g.Backoff[0]
		}
		g.log.Warn("Discord Gateway connection lost; reconnecting.", "err", err, "wait_ms", wait.Milliseconds(), "resume", s.id != "")
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, g.Backoff[1])
	}
	return nil
}

// gatewayURL asks Discord where to connect.
func (g *Gateway) gatewayURL(ctx context.Context) (string, error) {
	ans, err := g.api.call(ctx, http.MethodGet, "/gateway/bot", nil, true)
	if err != nil {
		return "", err
	}
	if ans.status == http.StatusUnauthorized {
		return "", fmt.Errorf("%w: DISCORD_BOT_TOKEN was refused (401)", ErrTokenRefused)
	}
	if _, err := ans.outcome("asking for the Gateway's address"); err != nil {
		return "", err
	}
	var gw struct {
		URL string `json:"url"`
	}
	if json.Unmarshal(ans.body, &gw) != nil || gw.URL == "" {
		return "", errors.New("discord: the Gateway's address is missing from the answer")
	}
	return gw.URL, nil
}

// frame is one Gateway message.
type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s,omitempty"`
	T  string          `json:"t,omitempty"`
}

// Gateway opcodes.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opResume         = 6
	opReconnect      = 7
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatAck   = 11
)

// maxFrame bounds one Gateway message: a READY lists every server the bot is in.
const maxFrame = 8 << 20

// interaction answers one interaction that came over the Gateway, through its callback,
// without holding up the connection. A session that resumes may send an event again: the
// second is ignored.
func (g *Gateway) interaction(ctx context.Context, d json.RawMessage) {
	in, err := ParseInteraction(d)
	if err != nil {
		g.log.Warn("Ignored an interaction from the Discord Gateway.", "err", err)
		return
	}
	if g.replays.Seen(in.ID) {
		return
	}
	g.answers.Add(1)
	go func() {
		defer g.answers.Done()
		// A decision under way finishes when the server stops; Discord waits 3 s at most.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		ans, err := g.api.callback(actx, in.ID, in.Token, g.respond.Respond(actx, in))
		if err == nil {
			_, err = ans.outcome("answering interaction " + in.ID)
		}
		if err != nil {
			g.log.Warn("Could not answer a Discord interaction.", "interaction_id", in.ID, "err", err)
		}
	}()
}
