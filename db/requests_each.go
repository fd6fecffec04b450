package db

import (
	"context"
	"fmt"
	"slices"

	"github.com/agentgate/agentgate"
)

// eachRequestPage is how many rows one query of EachRequest reads. Each row is handed on
// as it is scanned, so the page bounds how long a read lasts, not what is held.
const eachRequestPage = 100

// requestAfterCond continues creation order after a request (created_at, id): the range on
// created_at is what the indexes serve; the id settles ties within one microsecond.
const requestAfterCond = `created_at >= ? AND (created_at > ? OR id > ?)`

// EachRequest calls fn with each request that matches f (its Sort and Offset ignored),
// oldest first, up to f.Limit of them (all when 0), and stops at fn's first error, which it
// returns. It reads pages of eachRequestPage rows, each from where the last ended (by
// created_at and id, so no page skips or repeats a row), and holds one request at a time:
// replaying thousands of large requests needs the memory of one, and no read stays open
// for long. fn must not call the store.
func (s *Store) EachRequest(ctx context.Context, f agentgate.RequestFilter, fn func(*agentgate.Request) error) error {
	var (
		seen   int
		lastAt int64
		lastID string
	)
	base, err := s.requestWhere(ctx, f) // a search's window is the one it started with
	if err != nil {
		return fmt.Errorf("each request: %w", err)
	}
	for {
		page := eachRequestPage
		if f.Limit > 0 {
			page = min(page, f.Limit-seen)
		}
		if page <= 0 {
			return nil
		}
		w := where{conds: slices.Clone(base.conds), args: slices.Clone(base.args)}
		w.add(seen > 0, requestAfterCond, lastAt, lastAt, lastID)
		got, row := 0, newRequestRow()
		err := s.eachRow(ctx, listRequestsSQL+w.sql()+requestsOldestOrder+` LIMIT ?`, w.argsAnd(page), func(sc scanner) error {
			r, err := row.scan(sc)
			if err != nil {
				return err
			}
			got++
			lastAt, lastID = toMicros(r.CreatedAt), r.ID
			return fn(&r)
		})
		if err != nil {
			return fmt.Errorf("each request: %w", err)
		}
		if seen += got; got < page {
			return nil
		}
	}
}

// eachRow runs a read query and calls fn for each row until it returns an error.
func (s *Store) eachRow(ctx context.Context, query string, args []any, fn func(scanner) error) error {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
