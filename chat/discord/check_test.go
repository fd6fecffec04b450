package discord_test

import (
	"context"
	"strings"
	"testing"

	"github.com/agentgate/agentgate/chat/discord"
	"github.com/agentgate/agentgate/chat/discord/discordtest"
)

// CheckToken names the bot a token belongs to, and says when Discord refuses it.
func TestCheckToken(t *testing.T) {
	fake := discordtest.New(t, "good-token")
	cfg := discord.Config{BotToken: "good-token", APIURL: fake.URL}
	if name, err := discord.CheckToken(context.Background(), cfg, nil); err != nil || name != discordtest.BotName {
		t.Fatalf("a good token: %q, %v", name, err)
	}
	cfg.BotToken = "revoked-token"
	if _, err := discord.CheckToken(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("a refused token: %v", err)
	}
}
