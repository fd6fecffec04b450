package slack_test

import (
	"context"
	"strings"
	"testing"

	"github.com/agentgate/agentgate/chat/slack"
	"github.com/agentgate/agentgate/internal/fakeslack"
)

// CheckToken names the bot and workspace of a token, posts nothing, and says when Slack
// refuses the token.
func TestCheckToken(t *testing.T) {
	fake := fakeslack.Start(t)
	cfg := slack.Config{BotToken: fakeslack.Token, SigningSecret: "s", APIURL: fake.URL}
	who, err := slack.CheckToken(context.Background(), cfg, slack.Options{})
	if err != nil || !strings.Contains(who, "agentgate") || !strings.Contains(who, "Fake Workspace") {
		t.Fatalf("a good token: %q, %v", who, err)
	}
	if n := len(fake.Messages()); n != 0 {
		t.Fatalf("the check posted %d messages", n)
	}
	cfg.BotToken = "xoxb-revoked"
	if _, err := slack.CheckToken(context.Background(), cfg, slack.Options{}); err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Fatalf("a refused token: %v", err)
	}
}
