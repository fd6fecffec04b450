package main

import "github.com/agentgate/agentgate/chat/discord"

// discordConfig is the DISCORD_* settings (an alias, so config.go needs no import).
type discordConfig = discord.Config

// finishDiscord checks the DISCORD_* settings. None set leaves Discord off; any set, the
// rest must be right, and the first problem stops the start naming its variable.
func (c *config) finishDiscord() error {
	if !c.Discord.Enabled() {
		return nil
	}
	return c.Discord.Validate()
}
