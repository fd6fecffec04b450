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
)

const (
	// notifyChannel carries the topics as payloads: "request:<id>", "keys", "policies".
	notifyChannel = "agentgate"
	// notifySQL tells every instance listening on PostgreSQL; it is sent at commit.
	notifySQL = `SELECT pg_notify('` + notifyChannel + `', ?)`
)

// Listen calls fn for every change another instance (or this one) commits, until ctx ends:
// fn(TopicRequest, id) when a request was updated, fn(TopicKeys, "") and
// fn(TopicPolicies, "") when keys or policies changed. After the connection is lost and
// regained it calls fn(TopicKeys, "") and fn(TopicPolicies, ""), since changes may have
// been missed; request waiters recover by their own timeouts.
//
// On SQLite there is only one instance, and Listen returns nil at once. fn runs on the
// listening goroutine and should not block.
func (s *Store) Listen(ctx context.Context, fn func(topic, id string)) error {
	if s.dialect != DialectPostgres {
		return nil
	}
	l := pq.NewListener(s.url, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			s.log.Warn("Notification listener connection event.", "event", int(ev), "error", err)
		}
	})
	defer l.Close()
	// Listen blocks until the first connection succeeds; ctx must still end the wait.
	listening := make(chan error, 1)
	go func() { listening <- l.Listen(notifyChannel) }()
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
				continue
			}
			dispatch(n.Extra, fn)
		case <-ping.C:
			_ = l.Ping() // detects a dead connection sooner; the listener then reconnects
		}
	}
}

// dispatch turns a payload ("request:<id>", "keys" or "policies") into a callback.
func dispatch(payload string, fn func(topic, id string)) {
	topic, id, _ := strings.Cut(payload, ":")
	switch topic {
	case TopicRequest, TopicKeys, TopicPolicies, TopicPeople:
		fn(topic, id)
	}
}
