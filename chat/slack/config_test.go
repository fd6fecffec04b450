package slack_test

import (
	"strings"
	"testing"

	chatslack "github.com/agentgate/agentgate/chat/slack"
)

func TestConfigValidate(t *testing.T) {
	ok := chatslack.Config{BotToken: "xoxb-1", SigningSecret: "s", DefaultChannel: "#approvals"}
	for _, tc := range []struct {
		name   string
		change func(*chatslack.Config)
		want   string // "" for valid; else the setting the one line names
	}{
		{"complete", func(*chatslack.Config) {}, ""},
		{"Socket Mode instead of a signing secret", func(c *chatslack.Config) { c.SigningSecret, c.AppToken = "", "xapp-1" }, ""},
		{"an API URL", func(c *chatslack.Config) { c.APIURL = "http://127.0.0.1:9/api" }, ""},
		{"no bot token", func(c *chatslack.Config) { c.BotToken = "" }, "SLACK_BOT_TOKEN"},
		{"a bot token with a line break", func(c *chatslack.Config) { c.BotToken = "xoxb-1\n" }, "SLACK_BOT_TOKEN"},
		{"no way to receive clicks", func(c *chatslack.Config) { c.SigningSecret = "" }, "SLACK_SIGNING_SECRET"},
		{"a bot token as the app token", func(c *chatslack.Config) { c.AppToken = "xoxb-2" }, "SLACK_APP_TOKEN"},
		{"two default channels", func(c *chatslack.Config) { c.DefaultChannel = "#a,#b" }, "SLACK_DEFAULT_CHANNEL"},
		{"an API URL without a scheme", func(c *chatslack.Config) { c.APIURL = "slack.example.com/api" }, "SLACK_API_URL"},
		{"an API URL with a query", func(c *chatslack.Config) { c.APIURL = "https://slack.example.com/api?x=1" }, "SLACK_API_URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.change(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want+":") || strings.Contains(err.Error(), "\n")):
				t.Errorf("Validate = %v, want one line naming %s", err, tc.want)
			}
		})
	}
}

func TestConfigWarnings(t *testing.T) {
	if w := (chatslack.Config{BotToken: "xoxb-1", SigningSecret: "s", DefaultChannel: "C1"}).Warnings(); len(w) != 0 {
		t.Errorf("a usual configuration warns: %q", w)
	}
	w := chatslack.Config{BotToken: "xoxp-1", SigningSecret: "s", AppToken: "xapp-1"}.Warnings()
	if len(w) != 3 || !strings.Contains(w[0], "xoxb-") || !strings.Contains(w[1], "SLACK_DEFAULT_CHANNEL") || !strings.Contains(w[2], "Socket Mode") {
		t.Errorf("warnings %q; want the user token, the missing default channel and Socket Mode", w)
	}
}
