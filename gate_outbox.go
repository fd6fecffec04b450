package agentgate

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// subscriptions is who listens to what: every webhook by id, and the enabled ones by the
// event types they take. The gate swaps it whole when webhooks change, so the gate check
// reads it, and the webhook sender looks targets up in it, without a query.
type subscriptions struct {
	enabled map[string]bool     // every webhook id: enabled or not
	byEvent map[string][]string // event type → ids of the enabled webhooks that take it
	hooks   map[string]Webhook  // every webhook by id, secrets included
}

func newSubscriptions(ws []Webhook) *subscriptions {
	s := &subscriptions{enabled: make(map[string]bool, len(ws)), byEvent: map[string][]string{},
		hooks: make(map[string]Webhook, len(ws))}
	for _, w := range ws {
		s.enabled[w.ID] = w.Enabled
		s.hooks[w.ID] = w
		if !w.Enabled {
			continue
		}
		for _, e := range WebhookEvents {
			if slices.Contains(w.Events, e) || slices.Contains(w.Events, WebhookAllEvents) {
				s.byEvent[e] = append(s.byEvent[e], w.ID)
			}
		}
	}
	return s
}

// ReloadWebhooks reads every webhook and makes the subscriptions live. Concurrent reloads
// are serialised, so the last to finish read the newest committed webhooks.
func (g *Gate) ReloadWebhooks(ctx context.Context) error {
	g.webhooksMu.Lock()
	defer g.webhooksMu.Unlock()
	ws, err := g.store.AllWebhooks(ctx)
	if err != nil {
		return fmt.Errorf("list webhooks: %w", err)
	}
	g.subs.Store(newSubscriptions(ws))
	return nil
}

// noticeEvents maps a request's audit event to the webhook event types it causes: a
// decision is also request.decided; a vote that does not decide shows only on chat
// messages (no webhook takes request.voted).
func noticeEvents(auditType string) (primary, alias string) {
	switch auditType {
	case EventRequestApproved, EventRequestDenied:
		return auditType, EventRequestDecided
	case EventRequestCreated, EventRequestExpired, EventRequestCancelled, EventRequestVoted:
		return auditType, ""
	}
	return "", ""
}

// showsVotes reports whether a channel of kind hears of votes: the chat apps, whose
// messages show each vote of a quorum as it is cast.
func showsVotes(kind ChannelKind) bool { return kind == ChannelSlack || kind == ChannelDiscord }

// outbox returns the notices a change to r (recorded by ev) causes: a delivery to every
// enabled webhook subscribed to its event types, and one to every channel the deciding rule
// names. With nobody listening it returns nil at the cost of a pointer load, so the gate
// check writes nothing more.
func (g *Gate) outbox(r *Request, ev AuditEvent) []Notice {
	subs, channels := g.subs.Load(), r.PolicyDecision.Channels
	if (subs == nil || len(subs.byEvent) == 0) && len(channels) == 0 && len(g.people.defaults) == 0 {
		return nil
	}
	primary, alias := noticeEvents(ev.EventType)
	if primary == "" {
		return nil
	}
	var ds []Delivery
	add := func(kind ChannelKind, target, event string) {
		if event == EventRequestVoted && !showsVotes(kind) {
			return
		}
		for _, d := range ds {
			if d.Channel == kind && d.Target == target && d.Event == event {
				return
			}
		}
		ds = append(ds, Delivery{ID: NewID("dlv", ev.CreatedAt), Channel: kind, Target: target, Event: event,
			RequestID: r.ID, CreatedAt: ev.CreatedAt})
	}
	if subs != nil {
		for _, e := range []string{primary, alias} {
			for _, id := range subs.byEvent[e] {
				add(ChannelWebhook, id, e)
			}
		}
	}
	// A rule's channels hear of every change of the requests it decided, under the change's
	// own event type (request.decided is for webhook subscribers). A rule naming a disabled
	// webhook sends it nothing; one naming an unknown webhook gets a delivery that fails
	// in the log, rather than nothing at all.
	for _, ch := range r.PolicyDecision.ChannelTargets() {
		if ch.Kind == ChannelEmail || ch.Kind == ChannelWebhook && subs != nil && !subs.enabled[ch.Target] && hasKey(subs.enabled, ch.Target) {
			continue
		}
		add(ch.Kind, ch.Target, primary)
	}
	for _, addr := range g.emailTargets(r) { // one delivery per address (see emailTargets)
		add(ChannelEmail, addr, primary)
	}
	if len(ds) == 0 {
		return nil
	}
	data, err := r.AppendJSON(make([]byte, 0, 512))
	if err != nil { // params that were checked at intake encode; say so rather than drop the notice
		g.log.Error("Could not encode a request for its notice.", "request_id", r.ID, "err", err)
		return nil
	}
	return []Notice{{ID: NewID("ntc", ev.CreatedAt), RequestID: r.ID, Data: data, CreatedAt: ev.CreatedAt, Deliveries: ds}}
}

func hasKey[K comparable, V any](m map[K]V, k K) bool {
	_, ok := m[k]
	return ok
}

// wakeOutbox tells the dispatcher that a change wrote deliveries, so they leave at once
// rather than at its next poll.
func (g *Gate) wakeOutbox(fx Effects) {
	if len(fx.Outbox) > 0 {
		g.wakeDispatcher()
	}
}

func (g *Gate) wakeDispatcher() {
	select {
	case g.outboxWake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// UnservedChannels returns the channels that enabled policies' rules name and that no
// sender of kinds serves, or that name a webhook that does not exist: deliveries to them
// will fail, and serve says so at start.
func (g *Gate) UnservedChannels(ctx context.Context, kinds []ChannelKind) ([]string, error) {
	ps, err := g.store.ListPolicies(ctx)
	if err != nil {
		return nil, fmt.Errorf("list policies: %w", err)
	}
	subs := g.subs.Load()
	var out []string
	for _, p := range ps {
		for _, r := range p.Rules {
			for _, ch := range r.Channels {
				c, err := parseChannel(strings.TrimSpace(ch))
				missing := err != nil || !slices.Contains(kinds, c.Kind) ||
					c.Kind == ChannelWebhook && (subs == nil || !hasKey(subs.enabled, c.Target))
				if p.Enabled && missing && !slices.Contains(out, ch) {
					out = append(out, ch)
				}
			}
		}
	}
	return out, nil
}
