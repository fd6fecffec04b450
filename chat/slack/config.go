package slack

import (
	"fmt"
	"net/url"
	"strings"
)

// DefaultAPIURL is Slack's Web API base URL.
const DefaultAPIURL = "https://slack.com/api/"

// Config is how to reach Slack, from the SLACK_* settings.
type Config struct {
	BotToken string // SLACK_BOT_TOKEN: the app's bot token (xoxb-…), which posts and edits messages
	// SigningSecret (SLACK_SIGNING_SECRET) verifies the clicks Slack posts to
	// /integrations/slack/interactions.
	SigningSecret string
	// DefaultChannel (SLACK_DEFAULT_CHANNEL) is where a rule's bare "slack" posts: a channel
	// name (#ops), a channel id (C0123…) or a user id (U0123…, a direct message).
	DefaultChannel string
	// AppToken (SLACK_APP_TOKEN), an app-level token (xapp-…) with connections:write,
	// receives the clicks over Socket Mode instead, so no public URL is needed.
	AppToken string
	// APIURL (SLACK_API_URL) is the Web API's base URL, for tests and proxies; empty means
	// DefaultAPIURL.
	APIURL string
}

// Validate checks c and returns the first problem as one line that names the setting, for
// the server to stop on. It does not connect.
func (c Config) Validate() error {
	switch {
	case c.BotToken == "":
		return fmt.Errorf("SLACK_BOT_TOKEN: required to post to Slack (the app's bot token, xoxb-…)")
	case strings.ContainsAny(c.BotToken, " \t\r\n"):
		return fmt.Errorf("SLACK_BOT_TOKEN: must not contain spaces or line breaks")
	case c.AppToken != "" && !strings.HasPrefix(c.AppToken, "xapp-"):
		return fmt.Errorf("SLACK_APP_TOKEN: must be an app-level token (xapp-…) with the connections:write scope, for Socket Mode")
	case c.AppToken == "" && c.SigningSecret == "":
		return fmt.Errorf("SLACK_SIGNING_SECRET: required to verify button clicks (or set SLACK_APP_TOKEN to receive them over Socket Mode)")
	case strings.ContainsAny(c.DefaultChannel, " \t\r\n,"):
		return fmt.Errorf("SLACK_DEFAULT_CHANNEL: %q must be one channel name or id, such as #approvals or C0123ABCD", c.DefaultChannel)
	}
	if c.APIURL != "" {
		u, err := url.Parse(c.APIURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("SLACK_API_URL: %q is not an http(s) base URL such as %s", c.APIURL, DefaultAPIURL)
		}
	}
	return nil
}

// Warnings lists what is allowed but probably wrong, one line each, for the server to log
// at start.
func (c Config) Warnings() []string {
	var w []string
	if !strings.HasPrefix(c.BotToken, "xoxb-") {
		w = append(w, "SLACK_BOT_TOKEN does not start with xoxb-: use the app's Bot User OAuth Token, so messages come from the app")
	}
	if c.DefaultChannel == "" {
		w = append(w, "SLACK_DEFAULT_CHANNEL is not set: rules that name a bare \"slack\" channel have nowhere to post")
	}
	if c.AppToken != "" && c.SigningSecret != "" {
		w = append(w, "SLACK_APP_TOKEN is set: clicks arrive over Socket Mode; the interactions URL is served too but Slack will not use it while Socket Mode is on")
	}
	return w
}

// apiURL is the Web API's base URL, ending in a slash as slack-go joins method names to it.
func (c Config) apiURL() string {
	if c.APIURL == "" {
		return DefaultAPIURL
	}
	return strings.TrimRight(c.APIURL, "/") + "/"
}
