package db

import (
	"context"
	"database/sql/driver"
)

// PostgreSQL advisory locks, in the two-key space (the migrations' lock uses the one-key
// space, which does not overlap): the current schema and the lock's name, so that stores
// in separate schemas of a database do not exclude each other.
const (
	tryExclusiveSQL     = `SELECT pg_try_advisory_lock(hashtext(current_schema()), hashtext(?))`
	releaseExclusiveSQL = `SELECT pg_advisory_unlock(hashtext(current_schema()), hashtext(?))`
)

// TryExclusive takes the lock called name for this store unless another store (another
// instance) holds it; release gives it back. The lock belongs to a connection held until
// release, so an instance that dies gives it back with its connection. A SQLite store is
// the only instance: the lock is always its own.
func (s *Store) TryExclusive(ctx context.Context, name string) (release func(), ok bool, err error) {
	if s.dialect != DialectPostgres {
		return func() {}, true, nil
	}
	conn, err := s.rdb.Connx(ctx)
	if err != nil {
		return nil, false, s.reach.check(err)
	}
	if err := conn.QueryRowxContext(ctx, s.rdb.Rebind(tryExclusiveSQL), name).Scan(&ok); err != nil || !ok {
		_ = conn.Close()
		return nil, false, s.reach.check(err)
	}
	return func() {
		if _, err := conn.ExecContext(context.Background(), s.rdb.Rebind(releaseExclusiveSQL), name); err != nil {
			// Returned to the pool, the connection would keep the lock: discard it instead.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		_ = conn.Close()
	}, true, nil
}
