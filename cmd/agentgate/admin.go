package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
)

func newMigrateCmd(getenv env, io stdio) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply database migrations and exit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := loadServerConfig(getenv, io)
			if err != nil {
				return err
			}
			store, err := db.Open(cmd.Context(), cfg.DatabaseURL, log)
			if err != nil {
				return fmt.Errorf("open database: %w", err)
			}
			defer store.Close()
			if err := store.Migrate(cmd.Context()); err != nil {
				return fmt.Errorf("migrate database: %w", err)
			}
			_, err = fmt.Fprintf(io.out, "Database is up to date (%s).\n", store.Dialect())
			return err
		},
	}
}

func newBootstrapCmd(getenv env, io stdio) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "bootstrap",
		Short: "Create an admin API key and print it once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := loadServerConfig(getenv, io)
			if err != nil {
				return err
			}
			store, gate, err := openGate(cmd.Context(), cfg, log, nil)
			if err != nil {
				return err
			}
			defer store.Close()
			secret, err := gate.BootstrapKey(cmd.Context(), name, false)
			if agentgate.ErrorCode(err) == "name_taken" {
				return fmt.Errorf("a live API key is already named %q; choose another name with --name", name)
			}
			if err != nil {
				return err
			}
			printKey(io, secret, cfg.BaseURL)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", agentgate.AdminKeyName, "name of the new key, unique among live keys (shown as the actor in the audit log)")
	return cmd
}
