package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/slack-go/slack"

	"github.com/agentgate/agentgate"
)

// Slack's error codes (an answer of {"ok": false, "error": code}) that refuse this message
// for good: retrying will not post or edit it.
var refusedForGood = map[string]string{
	"channel_not_found":     "no channel of that name or id that the app can see: check the rule's slack: target or SLACK_DEFAULT_CHANNEL",
	"not_in_channel":        "the app is not in that channel: invite it (/invite @app) or give it the chat:write.public scope",
	"is_archived":           "the channel is archived",
	"channel_is_archived":   "the channel is archived",
	"user_not_found":        "no such user to send a direct message to",
	"cannot_dm_bot":         "a direct message cannot go to a bot",
	"messages_tab_disabled": "the user turned off direct messages from apps",
	"restricted_action":     "the workspace does not let the app post in that channel",
	"message_not_found":     "the message was deleted",
	"cant_update_message":   "the message can no longer be edited",
	"edit_window_closed":    "the message can no longer be edited",
	"msg_too_long":          "the message is too long",
	"invalid_blocks":        "Slack refused the message's blocks",
	"invalid_attachments":   "Slack refused the message's attachments",
	"invalid_arguments":     "Slack refused the message's arguments",
}

// Slack's error codes that refuse every call until an operator fixes the app: retried, so
// the waiting deliveries go out once it is fixed, and logged once.
var appProblems = map[string]string{
	"not_authed":             "SLACK_BOT_TOKEN is missing",
	"invalid_auth":           "Slack does not accept SLACK_BOT_TOKEN",
	"account_inactive":       "the app's bot user or workspace is deactivated",
	"token_revoked":          "SLACK_BOT_TOKEN was revoked: reinstall the app and set the new token",
	"token_expired":          "SLACK_BOT_TOKEN expired: the app uses token rotation, which AgentGate does not; turn it off",
	"missing_scope":          "the app lacks a scope it needs: give it chat:write (and chat:write.public, im:write as needed) and reinstall",
	"no_permission":          "the app lacks the permission it needs",
	"not_allowed_token_type": "SLACK_BOT_TOKEN is not a bot token (xoxb-…)",
	"ekm_access_denied":      "the workspace's Enterprise Key Management refused access",
	"access_denied":          "the workspace refused the app access",
}

// failed turns a failed Web API call into its result: a 429 waits as long as Slack asks,
// a refusal of this message is Permanent, a problem with the app as a whole is retried
// and logged once, anything else (5xx, a dropped connection) is retried.
func (s *Sender) failed(err error, doing string) (agentgate.SendResult, error) {
	var limited *slack.RateLimitedError
	var status slack.StatusCodeError
	var answer slack.SlackErrorResponse
	switch {
	case errors.As(err, &limited):
		return agentgate.SendResult{StatusCode: http.StatusTooManyRequests, RetryAfter: limited.RetryAfter},
			fmt.Errorf("slack: %s: rate limited; retry after %s", doing, limited.RetryAfter)
	case errors.As(err, &status):
		res := agentgate.SendResult{StatusCode: status.Code}
		res.Permanent = status.Code >= 400 && status.Code < 500 &&
			status.Code != http.StatusRequestTimeout && status.Code != http.StatusTooManyRequests
		return res, fmt.Errorf("slack: %s: Slack answered %s", doing, status.Status)
	case errors.As(err, &answer):
		res := agentgate.SendResult{StatusCode: http.StatusOK, Response: answer.Err}
		if why, ok := refusedForGood[answer.Err]; ok {
			res.Permanent = true
			return res, fmt.Errorf("slack: %s: %s (%s)", doing, answer.Err, why)
		}
		if why, ok := appProblems[answer.Err]; ok {
			_, err := s.outage.Report(slog.LevelError, fmt.Sprintf("slack: %s (%s)", answer.Err, why))
			return res, err
		}
		return res, fmt.Errorf("slack: %s: Slack answered %s", doing, answer.Err)
	case errors.Is(err, context.Canceled):
		return agentgate.SendResult{}, fmt.Errorf("slack: %s: the attempt was cancelled: %w", doing, err)
	}
	return s.outage.Report(slog.LevelWarn, fmt.Sprintf("slack: cannot reach Slack: %v", err))
}
