package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/spf13/cobra"
)

// healthcheckTimeout bounds one check; Docker's own default timeout is 30 s, and a
// server that takes more than 2 s to say it is ready is not.
const healthcheckTimeout = 2 * time.Second

// newHealthcheckCmd is `agentgate healthcheck`, the container image's HEALTHCHECK: the slim
// image has no curl, so the binary asks its own server. It reads PORT as serve does and
// opens neither a config file nor the database.
func newHealthcheckCmd(getenv env) *cobra.Command {
	return &cobra.Command{
		Use:   "healthcheck",
		Short: "Exit 0 if the server on this machine's PORT answers /ready (for container health checks)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(getenv)
			if err != nil {
				return err
			}
			if cfg.Port == 0 {
				return errors.New("healthcheck: PORT is 0 (any free port), so there is no port to check")
			}
			return checkReady(cmd.Context(), fmt.Sprintf("http://127.0.0.1:%d/ready", cfg.Port))
		},
	}
}

// checkReady GETs the readiness URL and says in one line why it is not ready.
func checkReady(ctx context.Context, readyURL string) error {
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, readyURL, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("not ready: GET %s: %v", readyURL, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("not ready: GET %s answered %s", readyURL, res.Status)
	}
	return nil
}
