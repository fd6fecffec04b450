package handlers

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/agentgate/agentgate/chat/discord"
)

// chatAnswerBudget bounds the work behind a click: Discord gives an endpoint 3 seconds to
// answer, and an answer after that is lost.
const chatAnswerBudget = 2500 * time.Millisecond

// discordInteractions is Discord's interactions endpoint. The signature is the
// credential: nothing is read from the body before it is verified, and a bad one gets
// 401, as Discord requires of an endpoint. A click decides through the gate at once and
// is answered with the updated message; the decision's own outbox delivery then edits
// every other copy.
func (s *Server) discordInteractions(c echo.Context) error {
	d := s.cfg.Discord
	if d == nil {
		return integrationError(c, http.StatusNotFound, "discord_not_configured", "Discord interactions are not configured on this server: set DISCORD_PUBLIC_KEY")
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
		s.logger(c).Info("Refused a Discord interaction.", "err", err)
		return integrationError(c, http.StatusUnauthorized, "invalid_signature", "invalid request signature")
	}
	in, err := discord.ParseInteraction(body)
	if err != nil {
		return integrationError(c, http.StatusBadRequest, "invalid_interaction", err.Error())
	}
	if d.Replayed(in) {
		s.logger(c).Info("Ignored a repeated Discord interaction.", "interaction_id", in.ID)
		return discordAnswer(c, discord.Acknowledge())
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), chatAnswerBudget)
	defer cancel()
	return discordAnswer(c, d.Respond(ctx, in))
}

// discordAnswer sends an interaction response as the discord package encodes it.
func discordAnswer(c echo.Context, r discord.Response) error {
	b, err := discord.Encode(r)
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, b)
}

// integrationError answers a chat platform in JSON, whatever the path, in the API's shape.
func integrationError(c echo.Context, status int, code, msg string) error {
	return c.JSON(status, errorBody{Error: msg, Code: code})
}
