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

// Handle answers a verified interaction and returns the answer's JSON body (see
// Responder.Respond). An interaction already answered (a signed request sent again) is
// only acknowledged: nothing changes. An error means the body is no interaction.
func (e *Endpoint) Handle(ctx context.Context, body []byte) ([]byte, error) {
	in, err := ParseInteraction(body)
	if err != nil {
		return nil, err
	}
	answer := Response{Type: ResponseDeferUpdate}
	// Only PINGs, which change nothing, may come again.
	if in.Type == InteractionPing || !e.replays.Seen(in.ID) {
		answer = e.responder.Respond(ctx, in)
	}
	return Encode(answer)
}
