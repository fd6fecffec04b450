package db

import "github.com/jmoiron/sqlx"

// Reader returns the store's read pool, for tests that inspect the schema itself.
func Reader(s *Store) *sqlx.DB { return s.rdb }
