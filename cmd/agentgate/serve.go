package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/handlers"
	"github.com/agentgate/agentgate/internal/app"
	"github.com/agentgate/agentgate/metrics"
)

// shutdownGrace bounds how long in-flight requests get to finish at shutdown.
const shutdownGrace = 15 * time.Second

func newServeCmd(getenv env, io stdio) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the server (applies migrations first)",
		Long:  "Run the server: apply the database's migrations, then serve the API and the dashboard.\n\n" + envHelp(),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Outside tests getenv is the process environment, from which the runtime took
			// GOGC; tests inject their own.
			if v, _ := getenv("GOGC"); v == "" {
				debug.SetGCPercent(serveGCPercent)
			}
			return serve(cmd.Context(), getenv, io)
		},
	}
}

// serveGCPercent is the server's GOGC unless the environment sets one. The live heap is a
// few MB and a gate check allocates about 14 KB, so the default of 100 collects dozens of
// times a second under load; 200 halves that for about 4 MB more memory, and measured
// (wrk, gate check) 8% more checks per second.
const serveGCPercent = 200

// serve runs the server until ctx ends.
func serve(ctx context.Context, getenv env, io stdio) error {
	cfg, log, err := loadServerConfig(getenv, io)
	if err != nil {
		return err
	}
	// Bind first: a port another process holds stops the start before anything is
	// created, and before a first admin key is printed that no server will accept.
	tcp, err := net.Listen("tcp", ":"+strconv.Itoa(cfg.Port))
	if err != nil {
		return fmt.Errorf("listen on port %d: %w", cfg.Port, err)
	}
	defer tcp.Close() // on the way out early; Shutdown closes it otherwise
	reg := prometheus.NewRegistry()
	store, gate, err := openGate(ctx, cfg, log, metrics.New(reg))
	if err != nil {
		return err
	}
	defer store.Close()
	metrics.Watch(reg, gate, log)
	if err := ensureFirstKey(ctx, cfg, gate, io, log); err != nil {
		return err
	}
	senders, err := channelSenders(cfg, gate, log)
	if err != nil {
		return err
	}
	chatDiscord, err := newDiscord(cfg, gate, store, log)
	if err != nil {
		return err
	}
	slack, err := newSlackApp(cfg, gate, store, log)
	if err != nil {
		return err
	}
	testers := map[agentgate.ChannelKind]handlers.ChannelTester{}
	slack.add(senders, testers)
	chatDiscord.add(senders, testers)

	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{}, 2)
	go func() { gate.Run(bg, time.Second); done <- struct{}{} }()
	defer chatDiscord.start(bg, log)() // waits, once bg ends, for the Gateway to close
	dispatcher, delivered := app.StartDispatcher(bg, store, gate, senders, log)
	go func() {
		if err := store.Listen(bg, listenHandler(bg, gate, log)); err != nil && bg.Err() == nil {
			log.Error("Change listener stopped.", "err", err)
		}
		done <- struct{}{}
	}()

	sessionSecret, err := gate.SessionSecret(ctx, cfg.SessionSecret)
	if err != nil {
		stopBG()
		return err
	}
	waitSlack := slack.start(bg, log)
	e := handlers.New(gate, handlers.Config{Logger: log, Registry: reg, MetricsToken: cfg.MetricsToken, BaseURL: cfg.BaseURL,
		CORSOrigins: cfg.CORSOrigins, TrustedProxies: cfg.TrustedProxies, SessionSecret: sessionSecret, Stopping: ctx.Done(),
		SlackInteractions: slack.clicks(), DiscordInteractions: chatDiscord.interactions(), ChannelTesters: testers})
	srv := newHTTPServer(e, cfg, log)
	ln := newLimitListener(tcp, cfg.MaxConnections, log)
	log.Info("AgentGate is listening.", "addr", ln.Addr().String(), "database", store.Dialect(), "base_url", cfg.BaseURL, "version", version)
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	select {
	case err := <-serveErr:
		stopBG()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("Shutting down: finishing in-flight requests.")
	gate.StopWaiting()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("Some requests did not finish in time.", "err", err)
	}
	dispatcher.Shutdown(sctx) // attempts in flight finish within the budget, or are released
	stopBG()
	<-done
	<-done
	<-delivered
	waitSlack()
	log.Info("Stopped.")
	return nil
}

// newHTTPServer sets the server's timeouts. ReadTimeout bounds reading a whole request,
// body included, so a client trickling a body cannot hold a connection for long; it does
// not cut long-polls (?wait=) or the dashboard's event stream: they send no body, and once
// a request is read the server clears the read deadline. No WriteTimeout, for the same
// waits: a response may take as long as the longest wait.
func newHTTPServer(h http.Handler, cfg *config, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: min(10*time.Second, cfg.ReadTimeout),
		ReadTimeout:       cfg.ReadTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// loadServerConfig loads the configuration of the commands that open the database and
// builds their logger, logging the warnings so that no command goes on silently with a
// setting that is allowed but probably wrong (an unreadable NAME_FILE is an error, see get).
func loadServerConfig(getenv env, io stdio) (*config, *slog.Logger, error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, nil, err
	}
	log := newLogger(cfg, io.err)
	for _, w := range cfg.Warnings {
		log.Warn("Configuration warning.", "warning", w)
	}
	return cfg, log, nil
}

// openGate opens and migrates the database and builds the gate, with the configuration's
// database, request expiry, decision links and retention, telling observer (nil: no one)
// what it does.
func openGate(ctx context.Context, cfg *config, log *slog.Logger, observer agentgate.Observer) (*db.Store, *agentgate.Gate, error) {
	opts := agentgate.Options{Logger: log, DefaultTTL: cfg.RequestTimeout, CheckWebhookURL: webhookURLCheck(cfg),
		DecisionLinkTTL: cfg.DecisionLinkTTL, Observer: observer, Retention: cfg.Retention}
	if cfg.Mail != nil { // without SMTP, APPROVER_EMAILS routes nothing (the config warned)
		opts.ApproverEmails = cfg.ApproverEmails
	}
	return app.OpenGate(ctx, cfg.DatabaseURL, opts)
}

// ensureFirstKey makes ADMIN_API_KEY work, or on an empty database creates an admin key
// and prints it once. An ADMIN_API_KEY that was revoked stays revoked: the start says so,
// and how to fix it, and serves the other keys.
func ensureFirstKey(ctx context.Context, cfg *config, gate *agentgate.Gate, io stdio, log *slog.Logger) error {
	if cfg.AdminAPIKey != "" {
		err := gate.EnsureAdminKey(ctx, cfg.AdminAPIKey)
		if agentgate.ErrorCode(err) == "admin_key_revoked" {
			log.Warn("The configured admin key is revoked; serving without it.", "fix", "set ADMIN_API_KEY to a new value, or unset it")
			return nil
		}
		if err != nil {
			return fmt.Errorf("ADMIN_API_KEY: %w", err)
		}
		return nil
	}
	secret, err := gate.BootstrapKey(ctx, agentgate.AdminKeyName, true)
	if err != nil || secret == "" {
		return err
	}
	printKey(io, secret, cfg.BaseURL)
	return nil
}

func printKey(io stdio, secret, baseURL string) {
	fmt.Fprintf(io.out, "\nCreated an admin API key. It is shown only this once; store it now:\n\n    %s\n\n", secret)
	fmt.Fprintf(io.out, "Use it as a bearer token, e.g.\n    curl -H 'Authorization: Bearer %s' %s/api/requests\n\n", secret, baseURL)
}

// listenHandler applies changes other instances announce (PostgreSQL only).
func listenHandler(ctx context.Context, gate *agentgate.Gate, log *slog.Logger) func(topic, id string) {
	return func(topic, id string) {
		switch topic {
		case db.TopicRequest:
			gate.Broker().Publish(id)
		case db.TopicKeys:
			gate.InvalidateKeys()
		case db.TopicPolicies:
			if err := gate.ReloadPolicies(ctx); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("Could not reload policies.", "err", err)
			}
		case "webhooks":
			if err := gate.ReloadWebhooks(ctx); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("Could not reload webhooks.", "err", err)
			}
		case db.TopicPeople:
			if err := gate.ReloadPeople(ctx); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("Could not reload the directory.", "err", err)
			}
		}
	}
}
