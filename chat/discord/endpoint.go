package discord

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/agentgate/agentgate"
)

// Endpoint is what the interactions endpoint (POST /integrations/discord/interactions)
// needs: the signature check, the memory of interactions already answered, and the
// responder the Gateway uses too.
type Endpoint struct {
	verifier  *Verifier
	replays   *Replays
	responder *Responder
}

// NewEndpoint returns the endpoint for cfg, whose PublicKey must be set, deciding through
// gate and linking to baseURL.
func NewEndpoint(cfg Config, gate Decider, baseURL string, clock agentgate.Clock, log *slog.Logger) (*Endpoint, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	v, err := NewVerifier(cfg.PublicKey, clock)
	if err != nil {
		return nil, err
	}
	return &Endpoint{verifier: v, replays: NewReplays(clock), responder: NewResponder(gate, cfg, baseURL, log)}, nil
}

// Verify checks that body and its headers were signed by Discord just now (see Verifier).
func (e *Endpoint) Verify(h http.Header, body []byte) error { return e.verifier.Verify(h, body) }

// Replayed reports whether in was already answered: a signed interaction sent again. Only
// PINGs, which change nothing, may come again.
func (e *Endpoint) Replayed(in Interaction) bool {
	return in.Type != InteractionPing && e.replays.Seen(in.ID)
}

// Respond answers a verified interaction (see Responder.Respond).
func (e *Endpoint) Respond(ctx context.Context, in Interaction) Response {
	return e.responder.Respond(ctx, in)
}

// Acknowledge is the answer to a replayed interaction: received, and nothing changes.
func Acknowledge() Response { return Response{Type: ResponseDeferUpdate} }
