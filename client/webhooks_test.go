package client_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/client"
)

func TestWebhooks(t *testing.T) {
	_, c := newClient(t)
	ctx := t.Context()
	bodies := make(chan string, 10)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- string(b)
	}))
	t.Cleanup(recv.Close)

	w, err := c.CreateWebhook(ctx, client.WebhookInput{URL: recv.URL, Events: []string{"request.created"}, Description: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(w.Secret, "whsec_") || !w.Enabled || w.Description != "ops" {
		t.Fatalf("created %+v", w)
	}
	test, err := c.TestWebhook(ctx, w.ID)
	if err != nil || !test.Success || test.Delivery.Event != "test" || len(test.Delivery.History) != 1 {
		t.Fatalf("TestWebhook = %+v, %v", test, err)
	}
	if b := <-bodies; !strings.Contains(b, `"event":"test"`) {
		t.Fatalf("the receiver got %s", b)
	}
	deliveries, err := c.ListWebhookDeliveries(ctx, w.ID, agentgate.DeliveryDelivered, 10, 0)
	if err != nil || deliveries.Pagination.Total != 1 || deliveries.Deliveries[0].ID != test.Delivery.ID {
		t.Fatalf("ListWebhookDeliveries = %+v, %v", deliveries, err)
	}
	page, err := c.ListWebhooks(ctx, 10, 0) // the test's attempt is recorded before TestWebhook answers
	if err != nil || page.Pagination.Total != 1 || page.Webhooks[0].Health == nil || page.Webhooks[0].Health.Attempts24h != 1 {
		t.Fatalf("ListWebhooks = %+v, %v", page, err)
	}
	replayed, err := c.ReplayWebhookDelivery(ctx, w.ID, test.Delivery.ID)
	if err != nil || replayed.ID != test.Delivery.ID {
		t.Fatalf("ReplayWebhookDelivery = %+v, %v", replayed, err)
	}
	<-bodies

	off := false
	updated, err := c.UpdateWebhook(ctx, w.ID, client.WebhookUpdate{Events: []string{"*"}, Enabled: &off})
	if err != nil || updated.Enabled || !slices.Equal(updated.Events, []string{"*"}) {
		t.Fatalf("UpdateWebhook = %+v, %v", updated, err)
	}
	rotated, err := c.RotateWebhookSecret(ctx, w.ID, "")
	if err != nil || rotated.Secret == w.Secret || !strings.HasPrefix(rotated.Secret, "whsec_") {
		t.Fatalf("RotateWebhookSecret = %+v, %v", rotated, err)
	}
	if got, err := c.GetWebhook(ctx, w.ID); err != nil || got.ID != w.ID {
		t.Fatalf("GetWebhook = %+v, %v", got, err)
	}
	if err := c.DeleteWebhook(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetWebhook(ctx, w.ID); !client.IsNotFound(err) {
		t.Fatalf("GetWebhook after delete: %v", err)
	}
	if _, err := c.CreateWebhook(ctx, client.WebhookInput{URL: "ftp://x", Events: []string{"*"}}); err == nil {
		t.Fatal("a webhook to ftp:// was created")
	}
}
