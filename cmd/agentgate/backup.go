package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/agentgate/agentgate/db"
)

// newBackupCmd is `agentgate backup <file>`: an online copy of the SQLite database named by
// DATABASE_URL, safe to take while `serve` runs. PostgreSQL has pg_dump for that.
func newBackupCmd(getenv env, io stdio) *cobra.Command {
	return &cobra.Command{
		Use:   "backup <file>",
		Short: "Copy the SQLite database to a new file, also while the server runs (PostgreSQL: use pg_dump)",
		Long: "Write a consistent copy of the SQLite database named by DATABASE_URL to a new file, while\n" +
			"the server keeps serving. An existing file is never overwritten. Restore by stopping the\n" +
			"server and putting the copy in the database's place. For PostgreSQL, use pg_dump.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, _, err := loadServerConfig(getenv, io)
			if err != nil {
				return err
			}
			if err := db.Backup(cmd.Context(), cfg.DatabaseURL, args[0]); err != nil {
				return err
			}
			_, err = fmt.Fprintf(io.out, "Backed up %s to %s.\n", cfg.DatabaseURL, args[0])
			return err
		},
	}
}
