package agentgate

import (
	"context"
	"encoding/json"
	"time"
)

// Observer is told what the gate does as it happens, for an operator's metrics (serve
// wires Prometheus to it, in package metrics). Its methods are called on the gate check's
// path, so they must be quick, must not block and must be safe for concurrent use.
type Observer interface {
	// RequestCreated: a request was stored with the policy engine's decision, took after
	// the gate began to check it. action is the request's action if an enabled policy
	// names it, else OtherAction.
	RequestCreated(action, decision string, took time.Duration)
	// RequestDecided: people decided a request (approved or denied), waited after it was
	// created, by the gate's clock.
	RequestDecided(status Status, waited time.Duration)
	// RateLimited: a key's call was refused by the key's rate limit.
	RateLimited()
	// DeliveryAttempted: the dispatcher made an attempt at a delivery of channel, which
	// left it delivered, pending (to be retried) or failed for good.
	DeliveryAttempted(channel ChannelKind, result DeliveryStatus)
}

// OtherAction is the action an Observer is told for a request whose action no enabled
// policy names. Agents choose their actions, so labelling a series with each would let
// them add series without end; the actions a policy names are few and chosen by people.
const OtherAction = "other"

// maxNamedActions bounds the actions with their own label, however long policies' $in
// lists grow.
const maxNamedActions = 500

// nopObserver is the Observer of a gate given none.
type nopObserver struct{}

func (nopObserver) RequestCreated(string, string, time.Duration)  {}
func (nopObserver) RequestDecided(Status, time.Duration)          {}
func (nopObserver) RateLimited()                                  {}
func (nopObserver) DeliveryAttempted(ChannelKind, DeliveryStatus) {}

// ActionLabel is action if an enabled policy of the set names it (as a literal, $eq or
// $in, also under $any, $all and $not), else OtherAction.
func (s *PolicySet) ActionLabel(action string) string {
	if s != nil && s.actions[action] {
		return action
	}
	return OtherAction
}

// namedActions adds the actions rules name to into, up to maxNamedActions.
func namedActions(rules []Rule, into map[string]bool) {
	for _, r := range rules {
		for k, raw := range r.Match {
			var v any
			if (k == "action" || k == "$any" || k == "$all" || k == "$not") && json.Unmarshal(raw, &v) == nil {
				matchActions(k, v, into)
			}
		}
	}
}

// matchActions adds the actions that v, under key k of a match object, names: the
// matcher of "action", and the match objects under $any, $all and $not.
func matchActions(k string, v any, into map[string]bool) {
	switch k {
	case "action":
		matcherActions(v, into)
	case "$any", "$all", "$not":
		subs, ok := v.([]any)
		if !ok {
			subs = []any{v}
		}
		for _, sub := range subs {
			if obj, ok := sub.(map[string]any); ok {
				for sk, sv := range obj {
					matchActions(sk, sv, into)
				}
			}
		}
	}
}

// matcherActions adds the strings a matcher of the action requires it to equal.
func matcherActions(v any, into map[string]bool) {
	switch m := v.(type) {
	case string:
		if len(into) < maxNamedActions {
			into[m] = true
		}
	case []any: // the items of $in, or the matchers of $any and $all
		for _, item := range m {
			matcherActions(item, into)
		}
	case map[string]any:
		for _, op := range [...]string{"$eq", "$in", "$any", "$all", "$not"} {
			if sub, ok := m[op]; ok {
				matcherActions(sub, into)
			}
		}
	}
}

// PendingByUrgency counts the pending requests of each urgency, from the store's counts.
func (g *Gate) PendingByUrgency(ctx context.Context) (map[Urgency]int, error) {
	return g.store.CountPendingByUrgency(ctx)
}

// OutboxBacklog counts the pending deliveries (due, or waiting to be retried) of each
// channel kind.
func (g *Gate) OutboxBacklog(ctx context.Context) (map[ChannelKind]int, error) {
	return g.store.CountPendingDeliveries(ctx)
}
