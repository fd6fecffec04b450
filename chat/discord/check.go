package discord

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// CheckToken asks Discord whose bot token cfg holds (GET /users/@me) and returns the bot's
// user name, posting nothing: what `agentgate doctor` asks of the Discord settings. client
// nil means one with a 15-second timeout. A refusal reads as a failed delivery's does.
func CheckToken(ctx context.Context, cfg Config, client *http.Client) (string, error) {
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	a := &api{base: cfg.apiURL(), token: cfg.BotToken, http: client}
	ans, err := a.call(ctx, http.MethodGet, "/users/@me", nil, true)
	if err != nil {
		return "", err
	}
	if _, err := ans.outcome("checking the bot token"); err != nil {
		return "", err
	}
	var me struct {
		Username string `json:"username"`
	}
	_ = json.Unmarshal(ans.body, &me)
	return me.Username, nil
}
