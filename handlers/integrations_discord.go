package handlers

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// DiscordInteractions answers the interactions Discord posts when someone clicks a button
// of an AgentGate message or submits its form; chat/discord's Endpoint implements it.
type DiscordInteractions interface {
	// Verify checks that the request was signed with the app's key, recently.
	Verify(h http.Header, body []byte) error
	// Handle acts on a verified body and returns the answer's JSON. An error means the
	// body is no interaction.
	Handle(ctx context.Context, body []byte) ([]byte, error)
}

// chatAnswerBudget bounds the work behind a click: Discord gives an endpoint 3 seconds to
// answer, and an answer after that is lost.
const chatAnswerBudget = 2500 * time.Millisecond

// discordInteractions is POST /integrations/discord/interactions. The signature is the
// only credential (no API key, no session, no cross-origin check: Discord is not a
// browser); nothing is parsed before it is verified, and a bad one gets 401, as Discord
// requires of an endpoint. A click decides through the gate at once and is answered with
// the updated message; the decision's own outbox delivery then edits every other copy.
func (s *Server) discordInteractions(c echo.Context) error {
	d := s.cfg.DiscordInteractions
	if d == nil {
		return integrationError(c, http.StatusNotFound, "discord_not_configured", "Discord is not configured on this server; set DISCORD_BOT_TOKEN, DISCORD_APPLICATION_ID and DISCORD_PUBLIC_KEY")
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return integrationError(c, http.StatusRequestEntityTooLarge, "body_too_large", "request body is larger than 1 MiB")
		}
		return integrationError(c, http.StatusBadRequest, "unreadable_body", "the body could not be read")
	}
	if err := d.Verify(c.Request().Header, body); err != nil {
		s.logger(c).Debug("Refused a Discord interaction.", "err", err)
		return integrationError(c, http.StatusUnauthorized, "invalid_signature", "invalid request signature")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), chatAnswerBudget)
	defer cancel()
	answer, err := d.Handle(ctx, body)
	if err != nil {
		return integrationError(c, http.StatusBadRequest, "invalid_interaction", "the body holds no Discord interaction")
	}
	return c.JSONBlob(http.StatusOK, answer)
}

// integrationError answers a chat platform in JSON, in the API's shape, whatever the path.
func integrationError(c echo.Context, status int, code, msg string) error {
	return c.JSON(status, errorBody{Error: msg, Code: code})
}
