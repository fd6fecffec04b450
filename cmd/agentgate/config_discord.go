package main

import "github.com/agentgate/agentgate/chat/discord"

// discordConfig is the DISCORD_* settings (an alias, so config.go needs no import).
type discordConfig = discord.Config

// loadDiscord reads the DISCORD_* settings. None set leaves Discord off; any set, the
// rest must be right, and the first problem stops the start naming its variable.
func (c *config) loadDiscord(e env) error {
	c.Discord = discord.Config{
		BotToken:       c.get(e, "DISCORD_BOT_TOKEN"),
		ApplicationID:  c.get(e, "DISCORD_APPLICATION_ID"),
		PublicKey:      c.get(e, "DISCORD_PUBLIC_KEY"),
		DefaultChannel: c.get(e, "DISCORD_DEFAULT_CHANNEL"),
		APIURL:         c.get(e, "DISCORD_API_URL"),
	}
	if !c.Discord.Enabled() {
		return nil
	}
	return c.Discord.Validate()
}
