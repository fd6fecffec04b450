package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"
)

// Notification topics passed to Listen's callback.
const (
	TopicRequest  = "request"  // id is the request's id
	TopicKeys     = "keys"     // a key was created or changed; id is empty
	TopicPolicies = "policies" // a policy was created, changed or deleted; id is empty
	TopicWebhooks = "webhooks" // a webhook was created, changed or deleted; id is empty
)

const (
	// notifyChannelSQL names the channel that carries the topics as payloads
	// ("request:<id>", "keys", "policies", "webhooks"): "agentgate", or "agentgate.<schema>"
	// for a store in a schema other than public, so that stores in separate schemas of one
	// database (as tests run) do not hear each other.
	notifyChannelSQL = `'agentgate' || CASE WHEN current_schema() = 'public' THEN '' ELSE '.' || current_schema() END`
	// notifySQL tells every instance listening on PostgreSQL; it is sent at commit.
	notifySQL = `SELECT pg_notify(` + notifyChannelSQL + `, ?)`
)

// Listen calls fn for every change another instance (or this one) commits, until ctx ends:
// fn(TopicRequest, id) when a request was updated, fn(TopicKeys, ""), fn(TopicPolicies, "")
// and fn(TopicWebhooks, "") when keys, policies or webhooks changed. After the connection
// is lost and regained it calls the last three, since changes may have been missed;
// request waiters recover by their own timeouts.
//
// On SQLite there is only one instance, and Listen returns nil at once. fn runs on the
// listening goroutine and should not block.
func (s *Store) Listen(ctx context.Context, fn func(topic, id string)) error {
	if s.dialect != DialectPostgres {
		return nil
	}
	channel, err := s.notifyChannel(ctx)
	if err != nil {
		return nil // ctx ended first
	}
	l := pq.NewListener(s.url, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			s.log.Warn("Notification listener connection event.", "event", int(ev), "error", err)
		}
	})
	defer l.Close()
	// Listen blocks until the first connection succeeds; ctx must still end the wait.
	listening := make(chan error, 1)
	go func() { listening <- l.Listen(channel) }()
	select {
	case <-ctx.Done():
		_ = l.Close()
		<-listening
		return nil
	case err := <-listening:
		if err != nil {
			return fmt.Errorf("listen for notifications: %w", err)
		}
	}
	s.log.Info("Listening for changes from other instances.", "channel", channel)
	ping := time.NewTicker(90 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case n := <-l.Notify:
			if n == nil { // reconnected: notifications may have been lost
				fn(TopicKeys, "")
				fn(TopicPolicies, "")
				fn(TopicPeople, "")
				fn(TopicWebhooks, "")
				continue
			}
			dispatch(n.Extra, fn)
		case <-ping.C:
			_ = l.Ping() // detects a dead connection sooner; the listener then reconnects
		}
	}
}

// notifyChannel asks the database for the store's channel, as notifySQL names it, trying
// again every second while the database does not answer, until ctx ends.
func (s *Store) notifyChannel(ctx context.Context) (string, error) {
	for {
		var channel string
		err := s.rdb.QueryRowContext(ctx, `SELECT `+notifyChannelSQL).Scan(&channel)
		if err == nil {
			return channel, nil
		}
		s.log.Warn("Could not name the notification channel; trying again.", "error", err)
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// dispatch turns a payload ("request:<id>", "keys" or "policies") into a callback.
func dispatch(payload string, fn func(topic, id string)) {
	topic, id, _ := strings.Cut(payload, ":")
	switch topic {
	case TopicRequest, TopicKeys, TopicPolicies, TopicWebhooks, TopicPeople:
		fn(topic, id)
	}
}
