// Package app is the server's wiring shared by `agentgate serve` and the tests' in-process
// server (internal/testserver), so that the tests run the gate the way it ships.
package app

import (
	"context"
	"fmt"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
)

// OpenGate opens and migrates the database, builds the gate with opts (whose Logger the
// store logs to as well) and loads its policies, webhooks and directory. The caller closes
// the store.
func OpenGate(ctx context.Context, databaseURL string, opts agentgate.Options) (*db.Store, *agentgate.Gate, error) {
	return OpenGateOver(ctx, databaseURL, opts, nil)
}

// OpenGateOver is OpenGate with the gate over wrap(store) when wrap is not nil: tests put
// a watcher between the gate and the real store there.
func OpenGateOver(ctx context.Context, databaseURL string, opts agentgate.Options, wrap func(*db.Store) agentgate.Store) (*db.Store, *agentgate.Gate, error) {
	store, err := db.Open(ctx, databaseURL, opts.Logger)
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	if err := store.Migrate(ctx); err != nil {
		store.Close()
		return nil, nil, fmt.Errorf("migrate database: %w", err)
	}
	if store.Dialect() == db.DialectPostgres { // several instances may share it
		opts.RateWindows = store
	}
	var over agentgate.Store = store
	if wrap != nil {
		over = wrap(store)
	}
	gate := agentgate.NewGate(over, opts)
	if err := gate.ReloadPolicies(ctx); err != nil {
		store.Close()
		return nil, nil, err
	}
	if err := gate.ReloadWebhooks(ctx); err != nil {
		store.Close()
		return nil, nil, err
	}
	if err := gate.ReloadPeople(ctx); err != nil {
		store.Close()
		return nil, nil, err
	}
	return store, gate, nil
}
