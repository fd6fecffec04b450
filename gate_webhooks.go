package agentgate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// healthWindow is how far back a webhook's health counts attempts.
const healthWindow = 24 * time.Hour

// Webhooks returns one page of webhooks, newest first, with their health.
func (g *Gate) Webhooks(ctx context.Context, p Page) ([]Webhook, int, error) {
	return g.store.ListWebhooks(ctx, p, g.clock.Now().Add(-healthWindow))
}

// Webhook returns one webhook with its health.
func (g *Gate) Webhook(ctx context.Context, id string) (*Webhook, error) {
	since := g.clock.Now().Add(-healthWindow)
	return lookup(ctx, "webhook", id, func(ctx context.Context, id string) (*Webhook, error) {
		return g.store.GetWebhook(ctx, id, since)
	})
}

// WebhookTarget returns a webhook, secrets included, without its health: the webhook
// sender's lookup of a delivery's target. It reads the gate's snapshot, and the store for
// a webhook the snapshot does not hold yet (one another instance just created). A missing
// webhook's error is KindNotFound and wraps ErrNotFound, so a sender can tell it from a
// database that does not answer.
func (g *Gate) WebhookTarget(ctx context.Context, id string) (*Webhook, error) {
	if subs := g.subs.Load(); subs != nil {
		if w, ok := subs.hooks[id]; ok {
			return &w, nil
		}
	}
	w, err := g.store.GetWebhook(ctx, id, time.Time{})
	if errors.Is(err, ErrNotFound) {
		return nil, &Error{Kind: KindNotFound, Code: "not_found", Message: fmt.Sprintf("webhook %q not found", id), Err: ErrNotFound}
	}
	return w, err
}

// CreateWebhook subscribes a URL to events and returns the webhook with its secret, which is
// never shown again.
func (g *Gate) CreateWebhook(ctx context.Context, actor Actor, in WebhookInput) (*Webhook, string, error) {
	now := g.clock.Now()
	w := &Webhook{Enabled: true, CreatedAt: now, UpdatedAt: now}
	if in.Events == nil {
		in.Events = []string{} // required on create: checkWebhookEvents says so
	}
	if err := g.applyWebhookInput(ctx, w, in, true); err != nil {
		return nil, "", err
	}
	w.Secret = NewWebhookSecret()
	if in.Secret != nil {
		if err := ValidWebhookSecret(*in.Secret); err != nil {
			return nil, "", err
		}
		w.Secret = *in.Secret
	}
	w.ID = NewID("wh", now)
	ev := newEvent(now, EventWebhookCreated, actor, webhookDetails(w))
	if err := g.store.CreateWebhook(ctx, w, ev); err != nil {
		return nil, "", fmt.Errorf("store webhook: %w", err)
	}
	return w, w.Secret, g.ReloadWebhooks(ctx)
}

// UpdateWebhook changes the fields given: url, events, description, enabled. The secret
// changes only by RotateWebhookSecret.
func (g *Gate) UpdateWebhook(ctx context.Context, actor Actor, id string, in WebhookInput) (*Webhook, error) {
	if in.Secret != nil {
		return nil, Errorf(KindInvalid, "secret_not_changeable", "the secret cannot be set here; rotate it with POST /api/webhooks/%s/rotate-secret", id).
			WithDetails(map[string]any{"field": "secret"})
	}
	w, err := g.Webhook(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := g.applyWebhookInput(ctx, w, in, in.URL != nil); err != nil {
		return nil, err
	}
	w.UpdatedAt = g.clock.Now()
	return w, g.storeWebhookChange(ctx, w, newEvent(w.UpdatedAt, EventWebhookUpdated, actor, webhookDetails(w)))
}

// RotateWebhookSecret gives a webhook a new secret (the one given, or a generated one) and
// returns it, shown this once. The old secret keeps signing beside it for SecretGrace.
func (g *Gate) RotateWebhookSecret(ctx context.Context, actor Actor, id string, secret *string) (*Webhook, string, error) {
	if secret != nil {
		if err := ValidWebhookSecret(*secret); err != nil {
			return nil, "", err
		}
	}
	w, err := g.Webhook(ctx, id)
	if err != nil {
		return nil, "", err
	}
	now := g.clock.Now()
	until := now.Add(SecretGrace)
	w.PreviousSecret, w.PreviousExpiresAt, w.UpdatedAt = w.Secret, &until, now
	w.Secret = NewWebhookSecret()
	if secret != nil {
		w.Secret = *secret
	}
	ev := newEvent(now, EventWebhookSecretRotated, actor, map[string]any{"webhookId": w.ID, "previousValidUntil": until})
	return w, w.Secret, g.storeWebhookChange(ctx, w, ev)
}

// storeWebhookChange writes a changed webhook and makes its subscriptions live.
func (g *Gate) storeWebhookChange(ctx context.Context, w *Webhook, ev AuditEvent) error {
	if err := g.store.UpdateWebhook(ctx, w, ev); errors.Is(err, ErrNotFound) {
		return NotFound("webhook", w.ID)
	} else if err != nil {
		return fmt.Errorf("update webhook: %w", err)
	}
	return g.ReloadWebhooks(ctx)
}

// DeleteWebhook removes a webhook; its pending deliveries fail, and its log stays.
func (g *Gate) DeleteWebhook(ctx context.Context, actor Actor, id string) error {
	w, err := g.Webhook(ctx, id)
	if err != nil {
		return err
	}
	now := g.clock.Now()
	ev := newEvent(now, EventWebhookDeleted, actor, map[string]any{"webhookId": w.ID, "url": w.URL})
	if err := g.store.DeleteWebhook(ctx, id, now, ev); errors.Is(err, ErrNotFound) {
		return NotFound("webhook", id)
	} else if err != nil {
		return fmt.Errorf("delete webhook: %w", err)
	}
	return g.ReloadWebhooks(ctx)
}

// applyWebhookInput sets the fields given on w and checks them. With checkURL the URL is
// also checked for where it leads (on create, and when it changes).
func (g *Gate) applyWebhookInput(ctx context.Context, w *Webhook, in WebhookInput, checkURL bool) error {
	if in.URL != nil {
		w.URL = strings.TrimSpace(*in.URL)
	}
	if in.Events != nil {
		events, err := checkWebhookEvents(in.Events)
		if err != nil {
			return err
		}
		w.Events = events
	}
	if in.Description != nil {
		w.Description = strings.TrimSpace(*in.Description)
		if len(w.Description) > maxWebhookDescription {
			return Errorf(KindInvalid, "invalid_field", "description must be at most %d bytes", maxWebhookDescription).
				WithDetails(map[string]any{"field": "description"})
		}
		if err := checkText("description", w.Description); err != nil {
			return err
		}
	}
	if in.Enabled != nil {
		w.Enabled = *in.Enabled
	}
	if !checkURL {
		return nil
	}
	if err := checkWebhookURL(w.URL); err != nil {
		return err
	}
	if g.checkURL == nil {
		return nil
	}
	err := g.checkURL(ctx, w.URL)
	if err == nil || ErrorKind(err) != KindInternal {
		return err // the check's own answer: invalid_webhook_url (400), or unresolvable now (503)
	}
	return Errorf(KindInvalid, "invalid_webhook_url", "url is refused: %s", ErrorMessage(err)).
		WithDetails(map[string]any{"field": "url"})
}

// webhookDetails is what the audit log keeps of a webhook: never its secret.
func webhookDetails(w *Webhook) map[string]any {
	return map[string]any{"webhookId": w.ID, "url": w.URL, "events": w.Events, "enabled": w.Enabled}
}

// testWait bounds how long TestWebhook waits for the test's first attempt.
const testWait = 10 * time.Second

// TestWebhook sends a webhook a "test" event through the outbox, like any other, and
// returns its delivery once the first attempt is made, when this process delivers (or, if
// none is made within a few seconds, or another instance delivers, as it then is: pending).
func (g *Gate) TestWebhook(ctx context.Context, id string) (*Delivery, error) {
	w, err := g.Webhook(ctx, id)
	if err != nil {
		return nil, err
	}
	if !w.Enabled {
		return nil, Errorf(KindConflict, "webhook_disabled", "webhook %s is disabled; enable it before sending a test", id)
	}
	now := g.clock.Now()
	data, _ := json.Marshal(map[string]string{"message": "This is a test delivery from AgentGate.", "webhookId": w.ID})
	d := Delivery{ID: NewID("dlv", now), Channel: ChannelWebhook, Target: w.ID, Event: EventWebhookTest, CreatedAt: now}
	attempted, stop := g.attempts.Wait(d.ID)
	defer stop()
	n := Notice{ID: NewID("ntc", now), Data: data, CreatedAt: now, Deliveries: []Delivery{d}}
	fx := Effects{Outbox: []Notice{n}}
	if err := g.store.EnqueueNotices(ctx, fx.Outbox); err != nil {
		return nil, fmt.Errorf("enqueue test: %w", err)
	}
	g.wakeOutbox(fx)
	if g.delivering.Load() == 0 {
		return g.store.GetDelivery(ctx, d.ID)
	}
	t := time.NewTimer(testWait)
	defer t.Stop()
	select {
	case <-attempted:
	case <-t.C:
	case <-g.stopped:
	case <-ctx.Done():
	}
	return g.store.GetDelivery(context.WithoutCancel(ctx), d.ID)
}

// WebhookDeliveries returns one page of a webhook's delivery log, newest first, each with
// its attempts.
func (g *Gate) WebhookDeliveries(ctx context.Context, id string, f DeliveryFilter) ([]Delivery, int, error) {
	if _, err := g.Webhook(ctx, id); err != nil {
		return nil, 0, err
	}
	f.Channel, f.Target = ChannelWebhook, id
	return g.store.ListDeliveries(ctx, f)
}

// WebhookDelivery returns one delivery of a webhook's log with its attempts; another
// webhook's delivery is not found. The log outlives the webhook, so this does not ask
// whether the webhook still exists.
func (g *Gate) WebhookDelivery(ctx context.Context, webhookID, deliveryID string) (*Delivery, error) {
	d, err := lookup(ctx, "delivery", deliveryID, g.store.GetDelivery)
	if err != nil {
		return nil, err
	}
	if d.Channel != ChannelWebhook || d.Target != webhookID {
		return nil, NotFound("delivery", deliveryID)
	}
	return d, nil
}

// ReplayDelivery sends a webhook's delivered or failed delivery again, with the same id
// (receivers deduplicate by it) and the same payload, on a fresh retry schedule.
func (g *Gate) ReplayDelivery(ctx context.Context, actor Actor, webhookID, deliveryID string) (*Delivery, error) {
	w, err := g.Webhook(ctx, webhookID)
	if err != nil {
		return nil, err
	}
	d, err := lookup(ctx, "delivery", deliveryID, g.store.GetDelivery)
	if err != nil {
		return nil, err
	}
	if d.Channel != ChannelWebhook || d.Target != w.ID {
		return nil, NotFound("delivery", deliveryID)
	}
	if !w.Enabled {
		return nil, Errorf(KindConflict, "webhook_disabled", "webhook %s is disabled; enable it before replaying a delivery", w.ID)
	}
	now := g.clock.Now()
	ev := newEvent(now, EventWebhookDeliveryReplayed, actor, map[string]any{"webhookId": w.ID, "deliveryId": d.ID, "event": d.Event})
	err = g.store.ReplayDelivery(ctx, d.ID, now, ev)
	if errors.Is(err, ErrStale) {
		return nil, Errorf(KindConflict, "delivery_pending", "delivery %s is still pending; it will be attempted on its schedule", d.ID)
	} else if err != nil {
		return nil, fmt.Errorf("replay delivery: %w", err)
	}
	g.wakeDispatcher()
	return g.store.GetDelivery(ctx, d.ID)
}

// DeliveryAttempted announces that an attempt at delivery id was recorded, ending a
// TestWebhook that waits for it. The dispatcher calls it.
func (g *Gate) DeliveryAttempted(id string) { g.attempts.Publish(id) }

// OutboxWake receives a value when a change wrote deliveries: the dispatcher's cue.
func (g *Gate) OutboxWake() <-chan struct{} { return g.outboxWake }
