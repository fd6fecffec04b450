package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrBackupNotSQLite is Backup's answer for a PostgreSQL database, which pg_dump backs up.
var ErrBackupNotSQLite = errors.New("backup copies SQLite databases; back up PostgreSQL with pg_dump (see docs/operations.md)")

// Backup copies the SQLite database url names into the new file dest, while servers keep
// using it: VACUUM INTO reads one consistent snapshot in a read transaction, so in WAL mode
// writers go on meanwhile, and the copy holds every transaction committed before it began.
// The copy is written beside dest under a temporary name and linked into place only when
// complete, so dest never holds a partial copy, and an existing dest is never replaced.
func Backup(ctx context.Context, url, dest string) error {
	dialect, path, err := ParseURL(url)
	if err != nil {
		return err
	}
	if dialect != DialectSQLite {
		return ErrBackupNotSQLite
	}
	if _, err := os.Lstat(dest); err == nil {
		return fmt.Errorf("%s already exists; back up to a new file", dest)
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no database to back up: %w", err)
	}
	// Absolute, so that SQLite never reads the name as a file: URI.
	dir, err := filepath.Abs(filepath.Dir(dest))
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".partial-*") // mode 0600: it holds key hashes
	if err != nil {
		return fmt.Errorf("create backup file: %w", err)
	}
	tmp.Close() // VACUUM INTO writes into a missing or empty file
	defer os.Remove(tmp.Name())

	registerSQLiteDriver()
	src, err := sql.Open(sqliteDriver, sqliteFileURI(path)+"?mode=ro&"+sqliteCommonParams)
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	defer src.Close()
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, tmp.Name()); err != nil {
		return fmt.Errorf("back up %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), dest); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists; back up to a new file", dest)
		}
		return fmt.Errorf("create backup file: %w", err)
	}
	return nil
}
