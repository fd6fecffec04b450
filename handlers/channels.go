package handlers

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
)

// ChannelTester sends a sample message through one configured channel and reports what
// the platform answered: chat/slack's Sender implements it. A tester that also has a
// Target() string method names where the sample goes, for the Channels page.
type ChannelTester interface {
	Test(ctx context.Context) (ag.SendResult, error)
}

// testableChannels are the channels a test can reach, in the order the Channels page
// lists them, each with the settings that turn it on. Webhooks have their own test.
var testableChannels = []struct {
	Kind  ag.ChannelKind
	Name  string
	Setup string
}{
	{ag.ChannelSlack, "Slack", "set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN)"},
	{ag.ChannelDiscord, "Discord", "set DISCORD_BOT_TOKEN, DISCORD_APPLICATION_ID and DISCORD_PUBLIC_KEY"},
	{ag.ChannelEmail, "Email", "set SMTP_HOST and SMTP_FROM"},
}

// ChannelTest is what a channel test reports: whether the platform took the sample, and
// what it answered.
type ChannelTest struct {
	Success    bool   `json:"success"`
	Channel    string `json:"channel"`
	Target     string `json:"target,omitempty"`
	StatusCode int    `json:"statusCode,omitempty"`
	Response   string `json:"response,omitempty"`
	Error      string `json:"error,omitempty"`
}

// channelTarget is where a tester sends its sample, if it says.
func channelTarget(t ChannelTester) string {
	if tt, ok := t.(interface{ Target() string }); ok {
		return tt.Target()
	}
	return ""
}

// testChannel sends the sample through the channel named kind.
func (s *Server) testChannel(ctx context.Context, kind string) (*ChannelTest, error) {
	for _, ch := range testableChannels {
		if string(ch.Kind) != kind {
			continue
		}
		t, ok := s.cfg.ChannelTesters[ch.Kind]
		if !ok {
			return nil, ag.Errorf(ag.KindNotFound, "channel_not_configured", "%s is not configured on this server; %s", ch.Name, ch.Setup)
		}
		res, err := t.Test(ctx)
		out := &ChannelTest{Success: err == nil, Channel: kind, Target: channelTarget(t), StatusCode: res.StatusCode, Response: res.Response}
		if err != nil {
			out.Error = err.Error()
		}
		return out, nil
	}
	return nil, ag.Errorf(ag.KindInvalid, "invalid_channel_type", "%q is not a channel to test; use slack, discord or email (webhooks: POST /api/webhooks/:id/test)", kind)
}

// apiTestChannel is POST /api/channels/:type/test: 200 with what the platform answered,
// whether it took the message or not.
func (s *Server) apiTestChannel(c echo.Context) error {
	res, err := s.testChannel(c.Request().Context(), c.Param("type"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}
