package main

// finishDiscord decides whether Discord is on (any DISCORD_* set) and checks the DISCORD_*
// settings together: the first problem stops the start naming its variable.
func (c *config) finishDiscord() error {
	if !c.discord.Enabled() {
		return nil
	}
	if err := c.discord.Validate(); err != nil {
		return err
	}
	dc := c.discord
	c.Discord = &dc
	return nil
}
