package slack

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/agentgate/agentgate"
)

// Target is where Test posts: SLACK_DEFAULT_CHANNEL.
func (s *Sender) Target() string { return s.cfg.DefaultChannel }

// Test checks the bot token (auth.test) and posts a short message to SLACK_DEFAULT_CHANNEL,
// for the channel test of the dashboard and the API, and reports what Slack answered.
func (s *Sender) Test(ctx context.Context) (agentgate.SendResult, error) {
	who, err := s.api.AuthTestContext(ctx)
	if err != nil {
		return s.failed(err, "checking the bot token")
	}
	bot := fmt.Sprintf("the token is the bot %s in the workspace %s", who.User, who.Team)
	if s.cfg.DefaultChannel == "" {
		return agentgate.SendResult{StatusCode: 200, Response: bot, Permanent: true},
			fmt.Errorf("slack: SLACK_DEFAULT_CHANNEL is not set, so there is nowhere to post a test message (%s)", bot)
	}
	text := "AgentGate can post here. Requests routed to Slack arrive as messages like this one, with Approve and Deny buttons, and change when they are decided. (Sent by a channel test from " + s.opts.BaseURL + ".)"
	channel, ts, err := s.api.PostMessageContext(ctx, s.cfg.DefaultChannel, slack.MsgOptionText(escape(text), false))
	if err != nil {
		res, err := s.failed(err, "posting to "+s.cfg.DefaultChannel)
		res.Response = bot + "; " + res.Response
		return res, err
	}
	s.outage.Recovered()
	return agentgate.SendResult{StatusCode: 200, Response: fmt.Sprintf("%s; posted to %s as message %s", bot, channel, ts)}, nil
}
