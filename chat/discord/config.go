package discord

import (
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
)

// DefaultAPIURL is Discord's REST API, version 10, which every call goes to unless
// DISCORD_API_URL says otherwise.
const DefaultAPIURL = "https://discord.com/api/v10"

// Permissions are the bot permissions AgentGate needs in a channel: View Channel, Send
// Messages and Embed Links. Editing its own messages needs nothing more.
const Permissions = 1<<10 | 1<<11 | 1<<14

// Config is how to reach Discord, from the DISCORD_* settings.
type Config struct {
	BotToken       string // DISCORD_BOT_TOKEN: posts and edits messages, and holds the Gateway connection
	ApplicationID  string // DISCORD_APPLICATION_ID: the app's id; interactions for another app are refused
	PublicKey      string // DISCORD_PUBLIC_KEY: hex Ed25519 key that signs interactions sent to the endpoint
	DefaultChannel string // DISCORD_DEFAULT_CHANNEL: the channel id a bare "discord" channel posts to
	APIURL         string // DISCORD_API_URL: Discord's API base URL; empty means DefaultAPIURL
}

// Enabled reports whether any Discord setting is given: then the rest must be right.
func (c Config) Enabled() bool {
	return c.BotToken != "" || c.ApplicationID != "" || c.PublicKey != "" || c.DefaultChannel != "" || c.APIURL != ""
}

// UsesGateway reports whether clicks come over the bot's Gateway connection rather than to
// the interactions endpoint: Discord sends them there unless the app has an Interactions
// Endpoint URL, whose requests the public key verifies. So without a public key the
// server holds a Gateway connection, and needs no public address.
func (c Config) UsesGateway() bool { return c.PublicKey == "" }

// Validate checks c and returns the first problem as one line that names the setting, for
// the server to stop on. It does not connect.
func (c Config) Validate() error {
	switch {
	case c.BotToken == "":
		return fmt.Errorf("DISCORD_BOT_TOKEN: required to post to Discord (the Bot page of your app in the Discord Developer Portal)")
	case strings.ContainsAny(c.BotToken, " \t\r\n"):
		return fmt.Errorf("DISCORD_BOT_TOKEN: must be the token alone, without spaces or a \"Bot \" prefix")
	case !Snowflake(c.ApplicationID):
		return fmt.Errorf("DISCORD_APPLICATION_ID: %q is not an application id (the digits on your app's General Information page)", c.ApplicationID)
	case c.DefaultChannel != "" && !Snowflake(c.DefaultChannel):
		return fmt.Errorf("DISCORD_DEFAULT_CHANNEL: %q is not a channel id (turn on Developer Mode, right-click the channel, Copy Channel ID)", c.DefaultChannel)
	}
	if c.PublicKey != "" {
		if k, err := hex.DecodeString(c.PublicKey); err != nil || len(k) != 32 {
			return fmt.Errorf("DISCORD_PUBLIC_KEY: must be the 64 hex digits of your app's public key")
		}
	}
	if c.APIURL != "" {
		if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("DISCORD_API_URL: %q is not an http(s) URL such as %s", c.APIURL, DefaultAPIURL)
		}
	}
	return nil
}

// apiURL is the API base URL without a trailing slash.
func (c Config) apiURL() string {
	if c.APIURL == "" {
		return DefaultAPIURL
	}
	return strings.TrimRight(c.APIURL, "/")
}

// InviteURL is the link that adds the bot to a server with the permissions it needs.
func (c Config) InviteURL() string {
	return fmt.Sprintf("https://discord.com/oauth2/authorize?client_id=%s&scope=bot&permissions=%d", url.QueryEscape(c.ApplicationID), Permissions)
}

// Snowflake reports whether s looks like a Discord id: 1 to 20 decimal digits.
func Snowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
