package slack

import (
	"context"
	"fmt"
)

// CheckToken asks Slack whose bot token cfg holds (auth.test) and returns the bot and its
// workspace, posting nothing: what `agentgate doctor` asks of the Slack settings.
func CheckToken(ctx context.Context, cfg Config, o Options) (string, error) {
	who, err := newAPI(cfg, o.withDefaults()).AuthTestContext(ctx)
	if err != nil {
		return "", fmt.Errorf("slack: auth.test: %w", err)
	}
	return fmt.Sprintf("the bot %s in the workspace %s", who.User, who.Team), nil
}
