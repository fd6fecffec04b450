package slack

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/slack-go/slack"

	"github.com/agentgate/agentgate"
)

// Options tune the Sender and the Interactions; the zero value works but for BaseURL.
type Options struct {
	BaseURL string          // BASE_URL: messages link to requests in the dashboard
	Logger  *slog.Logger    // nil: slog.Default()
	Clock   agentgate.Clock // checks signatures' timestamps, dates saved messages; nil: the system clock
	// HTTPClient makes the Web API calls; nil means a client with a 10-second timeout.
	// Slack's own retries stay off: the outbox retries deliveries.
	HTTPClient *http.Client
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Clock == nil {
		o.Clock = agentgate.SystemClock{}
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return o
}

// newAPI returns a Web API client for cfg.
func newAPI(cfg Config, o Options) *slack.Client {
	opts := []slack.Option{slack.OptionAPIURL(cfg.apiURL()), slack.OptionHTTPClient(o.HTTPClient)}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	return slack.New(cfg.BotToken, opts...)
}
