package handlers

import (
	"context"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
)

// SlackInteractions answers the requests Slack posts when someone clicks a button of an
// AgentGate message or submits its dialog; chat/slack's Interactions implements it.
type SlackInteractions interface {
	// Verify checks that the request was signed with the app's signing secret, recently.
	Verify(h http.Header, body []byte) error
	// HandleForm acts on a verified body and returns the answer's body: nil for an empty
	// 200. An error means the body is no interaction.
	HandleForm(ctx context.Context, body []byte) ([]byte, error)
}

// slackInteractions is POST /integrations/slack/interactions. The signature is the only
// credential: no API key, no session, no cross-origin check (Slack is not a browser).
// Nothing is parsed before the signature is checked.
func (s *Server) slackInteractions(c echo.Context) error {
	in := s.cfg.SlackInteractions
	if in == nil {
		return ag.Errorf(ag.KindNotFound, "slack_not_configured", "Slack is not configured on this server; set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET")
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return decodeError(err)
	}
	if err := in.Verify(c.Request().Header, body); err != nil {
		return ag.Errorf(ag.KindUnauthorized, "invalid_signature",
			"the request is not signed with this server's SLACK_SIGNING_SECRET, or its timestamp is more than 5 minutes from now")
	}
	answer, err := in.HandleForm(c.Request().Context(), body)
	if err != nil {
		return ag.Errorf(ag.KindInvalid, "invalid_interaction", "the body holds no Slack interaction payload")
	}
	if answer == nil {
		return c.NoContent(http.StatusOK)
	}
	return c.JSONBlob(http.StatusOK, answer)
}
