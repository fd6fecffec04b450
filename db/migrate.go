package db

import (
	"context"
	"embed"
	"fmt"
	"hash/crc32"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds one folder of goose SQL migrations per dialect, with matching versions.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Migrate applies every pending migration of the Store's dialect. Migrations are
// forward-only. On PostgreSQL an advisory lock keeps two instances starting together from
// migrating at once; it is derived from the current schema, so that separate schemas (as in
// tests) do not wait for each other.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.migrationProvider(ctx)
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", s.dialect, err)
	}
	for _, r := range results {
		s.log.Info("Applied migration.", "version", r.Source.Version, "duration", r.Duration)
	}
	return nil
}

// migrationProvider builds the goose provider for the Store's dialect. On SQLite it runs on
// the writer's single connection, between write batches.
func (s *Store) migrationProvider(ctx context.Context) (*goose.Provider, error) {
	dir, err := fs.Sub(migrations, "migrations/"+s.dialect)
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	opts := []goose.ProviderOption{goose.WithSlog(s.log), goose.WithDisableGlobalRegistry(true)}
	if s.dialect == DialectPostgres {
		dialect = goose.DialectPostgres
		var schema string
		if err := s.wdb.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return nil, fmt.Errorf("migrate: read current schema: %w", err)
		}
		locker, err := lock.NewPostgresSessionLocker(
			lock.WithLockID(int64(crc32.ChecksumIEEE([]byte("agentgate:"+schema)))),
			lock.WithLockTimeout(1, 300), // retry every second for five minutes
		)
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.wdb.DB, dir, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return p, nil
}

// MigrationVersions returns the newest migration applied to the database and the newest
// this binary has, and whether any of this binary's is not applied; it applies nothing and
// does not wait for an instance that is migrating.
func (s *Store) MigrationVersions(ctx context.Context) (applied, latest int64, pending bool, err error) {
	p, err := s.migrationProvider(ctx)
	if err != nil {
		return 0, 0, false, err
	}
	if applied, latest, err = p.GetVersions(ctx); err != nil {
		return 0, 0, false, fmt.Errorf("read migration versions: %w", err)
	}
	if applied > latest { // a newer binary migrated it; what is "pending" means nothing here
		return applied, latest, false, nil
	}
	if pending, err = p.HasPending(ctx); err != nil {
		return 0, 0, false, fmt.Errorf("read pending migrations: %w", err)
	}
	return applied, latest, pending, nil
}
