package handlers

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/views"
)

// deliveriesPageSize is the dashboard's page of a delivery log.
const deliveriesPageSize = 20

func webhookPath(id string) string             { return views.WebhooksPath + "/" + id }
func deliveryPath(webhookID, id string) string { return webhookPath(webhookID) + "/deliveries/" + id }

// webWebhook is one webhook: its health, its settings and its delivery log. The log's
// tabs and pages ask for the log alone.
func (s *Server) webWebhook(c echo.Context) error {
	w, err := s.gate.Webhook(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	l, err := s.deliveryLog(c, w, c.QueryParams())
	if err != nil {
		return err
	}
	p := s.webhookPage(c, w, l)
	return s.render(c, http.StatusOK, views.WebhookView(p), views.DeliveryLogRegion(p.Log))
}

// webhookPage is the page of w with its settings in the form.
func (s *Server) webhookPage(c echo.Context, w *ag.Webhook, l views.DeliveryLog) views.WebhookPage {
	f := views.WebhookForm{ID: w.ID, URL: w.URL, Description: w.Description, Events: w.Events, Enabled: w.Enabled}
	return views.WebhookPage{Shell: s.shell(c, views.SectionWebhooks, views.ShortURL(w.URL)), Webhook: w, Form: f, Log: l}
}

// deliveryLog reads one page of w's delivery log as the query (status, offset) asks.
func (s *Server) deliveryLog(c echo.Context, w *ag.Webhook, q url.Values) (views.DeliveryLog, error) {
	pq := &query{v: q}
	f := ag.DeliveryFilter{Status: oneOf(pq, "status", ag.DeliveryStatuses), Page: pq.page(deliveriesPageSize)}
	if pq.err != nil {
		return views.DeliveryLog{}, pq.err
	}
	rows, total, err := s.gate.WebhookDeliveries(c.Request().Context(), w.ID, f)
	if err != nil {
		return views.DeliveryLog{}, err
	}
	return views.DeliveryLog{Webhook: w, Now: s.now(), Status: f.Status, Query: q, Rows: rows,
		LinkRequests: key(c).Has(ag.ScopeRequestRead),
		Pager:        views.Pager{Path: webhookPath(w.ID), Query: q, Total: total, Offset: f.Offset, Limit: f.Limit, Target: "#deliveries"}}, nil
}

// webhookRegion answers a change made on the webhook's page with the page's region as it
// now is, the log at its first page.
func (s *Server) webhookRegion(c echo.Context, status int, w *ag.Webhook, change func(*views.WebhookPage)) error {
	l, err := s.deliveryLog(c, w, url.Values{})
	if err != nil {
		return err
	}
	p := s.webhookPage(c, w, l)
	change(&p)
	return s.render(c, status, views.WebhookView(p), views.WebhookRegion(p))
}

// webUpdateWebhook saves a webhook's URL, description, events and state.
func (s *Server) webUpdateWebhook(c echo.Context) error {
	ctx, id := c.Request().Context(), c.Param("id")
	f, in := readWebhookForm(c)
	w, err := s.gate.UpdateWebhook(ctx, key(c).Actor(), id, in)
	if err == nil {
		if !isHTMX(c) {
			return c.Redirect(http.StatusSeeOther, webhookPath(id))
		}
		return s.webhookRegion(c, http.StatusOK, w, func(p *views.WebhookPage) { p.Notice = "Saved." })
	}
	if !refuse(&f, err, "Not saved") {
		return err
	}
	if w, err = s.gate.Webhook(ctx, id); err != nil {
		return err
	}
	return s.webhookRegion(c, formStatus(c), w, func(p *views.WebhookPage) { p.Form = f })
}

// webRotateWebhookSecret gives a webhook a new secret after the confirmation dialog and
// shows it, once.
func (s *Server) webRotateWebhookSecret(c echo.Context) error {
	w, secret, err := s.gate.RotateWebhookSecret(c.Request().Context(), key(c).Actor(), c.Param("id"), nil)
	if err != nil {
		return err
	}
	return s.webhookRegion(c, http.StatusOK, w, func(p *views.WebhookPage) {
		p.Secret = &views.WebhookSecret{URL: w.URL, Secret: secret, PreviousUntil: w.PreviousExpiresAt}
	})
}

// webTestWebhook sends a test event and shows the log with the test's first attempt (the
// gate waits a few seconds for it), and the webhook's health after it.
func (s *Server) webTestWebhook(c echo.Context) error {
	ctx, id := c.Request().Context(), c.Param("id")
	d, err := s.gate.TestWebhook(ctx, id)
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, deliveryPath(id, d.ID))
	}
	w, err := s.gate.Webhook(ctx, id)
	if err != nil {
		return err
	}
	l, err := s.deliveryLog(c, w, url.Values{})
	if err != nil {
		return err
	}
	l.Test, l.OOB = d, true
	return s.render(c, http.StatusOK, nil, views.DeliveryLogRegion(l))
}

// webDelivery is one delivery with its attempts: the row for htmx (a row following its
// next attempt asks with follow=1), a page of its own otherwise.
func (s *Server) webDelivery(c echo.Context) error {
	ctx := c.Request().Context()
	w, err := s.gate.Webhook(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	d, err := s.gate.WebhookDelivery(ctx, w.ID, c.Param("delivery"))
	if err != nil {
		return err
	}
	row := s.deliveryRow(c, w, d, c.QueryParam("follow") == "1", "")
	p := views.DeliveryPage{Shell: s.shell(c, views.SectionWebhooks, "Delivery "+d.ID), Row: row}
	return s.render(c, http.StatusOK, views.DeliveryView(p), views.DeliveryRowView(row))
}

func (s *Server) deliveryRow(c echo.Context, w *ag.Webhook, d *ag.Delivery, follow bool, notice string) views.DeliveryRow {
	return views.DeliveryRow{Webhook: w, Delivery: *d, Now: s.now(), Open: true, Follow: follow, Notice: notice,
		LinkRequests: key(c).Has(ag.ScopeRequestRead)}
}

// webReplayDelivery sends a delivered or failed delivery again and answers with its row,
// which follows the new attempt.
func (s *Server) webReplayDelivery(c echo.Context) error {
	ctx, id := c.Request().Context(), c.Param("id")
	d, err := s.gate.ReplayDelivery(ctx, key(c).Actor(), id, c.Param("delivery"))
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, deliveryPath(id, d.ID))
	}
	w, err := s.gate.Webhook(ctx, id)
	if err != nil {
		return err
	}
	notice := "Replayed: sent again with the same webhook-id, so a receiver that saw it can tell."
	return s.render(c, http.StatusOK, nil, views.DeliveryRowView(s.deliveryRow(c, w, d, true, notice)))
}
