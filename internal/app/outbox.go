package app

import (
	"context"
	"log/slog"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
)

// StartDispatcher starts delivering the outbox with senders until ctx ends or the
// dispatcher is shut down, and logs the channels enabled policies name that nothing will
// deliver. done is closed when it has stopped.
func StartDispatcher(ctx context.Context, store *db.Store, gate *agentgate.Gate, senders map[agentgate.ChannelKind]agentgate.Sender,
	log *slog.Logger) (d *agentgate.Dispatcher, done <-chan struct{}) {
	d = gate.Dispatcher(senders, agentgate.DispatcherOptions{
		// SQLite serves one process, so a lease held at start is a killed process's.
		ReclaimAtStart: store.Dialect() == db.DialectSQLite,
	})
	unserved, err := gate.UnservedChannels(ctx, d.Kinds())
	if err != nil {
		log.Error("Could not check the policies' channels.", "err", err)
	}
	for _, ch := range unserved {
		log.Warn("A policy names a channel nothing delivers to; its deliveries will fail until one is configured.", "channel", ch)
	}
	stopped := make(chan struct{})
	go func() { d.Run(ctx); close(stopped) }()
	return d, stopped
}
