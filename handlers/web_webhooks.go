package handlers

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/views"
)

// webhooksPageSize is the dashboard's page of webhooks.
const webhooksPageSize = 25

// webWebhooks lists the webhooks with their health, and the form that adds one.
func (s *Server) webWebhooks(c echo.Context) error {
	return s.webhooksView(c, http.StatusOK, newWebhookForm(), nil, "", "")
}

// newWebhookForm is the empty create form: every event, enabled.
func newWebhookForm() views.WebhookForm {
	return views.WebhookForm{Events: []string{ag.WebhookAllEvents}, Enabled: true}
}

// webhooksView is the list page; focus names the webhook whose switch keeps the focus.
func (s *Server) webhooksView(c echo.Context, status int, form views.WebhookForm, secret *views.WebhookSecret, notice, focus string) error {
	q := c.QueryParams()
	pq := &query{v: q}
	page := pq.page(webhooksPageSize)
	if pq.err != nil {
		return pq.err
	}
	ws, total, err := s.gate.Webhooks(c.Request().Context(), page)
	if err != nil {
		return err
	}
	p := views.WebhooksPage{Shell: s.shell(c, views.SectionWebhooks, "Webhooks"), Webhooks: ws, Form: form,
		Secret: secret, Notice: notice, Focus: focus,
		Pager: views.Pager{Path: views.WebhooksPath, Query: q, Total: total, Offset: page.Offset, Limit: page.Limit, Target: "#webhooks"}}
	return s.render(c, status, views.Webhooks(p), views.WebhooksRegion(p))
}

// readWebhookForm reads the webhook form as typed and the input it makes. "All events"
// stands for every type, so the single types ticked beside it are dropped. The URL is
// part of the input only when it differs from the one the form was shown with, so that
// saving a description does not check the address again.
func readWebhookForm(c echo.Context) (views.WebhookForm, ag.WebhookInput) {
	params, _ := c.FormParams()
	f := views.WebhookForm{ID: c.Param("id"), URL: strings.TrimSpace(c.FormValue("url")),
		Description: strings.TrimSpace(c.FormValue("description")), Events: params["events"],
		Enabled: c.FormValue("enabled") == "true"}
	if slices.Contains(f.Events, ag.WebhookAllEvents) {
		f.Events = []string{ag.WebhookAllEvents}
	}
	in := ag.WebhookInput{Description: &f.Description, Enabled: &f.Enabled, Events: append([]string{}, f.Events...)}
	if f.ID == "" || f.URL != c.FormValue("urlWas") {
		in.URL = &f.URL
	}
	return f, in
}

// refuse puts the gate's reason on the form, beside the field it names when it names one
// the form has. It reports false for an error that is not a refusal of the input.
func refuse(f *views.WebhookForm, err error, verb string) bool {
	de, ok := errors.AsType[*ag.Error](err)
	// A URL whose name does not resolve right now is the person's to retry, not a failure.
	if !ok || !refusal(err) && de.Code != "webhook_url_unresolved" {
		return false
	}
	f.Error = de.Message
	switch field, _ := de.Details["field"].(string); field {
	case "url", "events", "description":
		f.Field = field
	default:
		f.Error = verb + ": " + de.Message + "."
	}
	return true
}

// webCreateWebhook adds a webhook and shows its secret, once.
func (s *Server) webCreateWebhook(c echo.Context) error {
	f, in := readWebhookForm(c)
	w, secret, err := s.gate.CreateWebhook(c.Request().Context(), key(c).Actor(), in)
	if err == nil {
		return s.webhooksView(c, http.StatusCreated, newWebhookForm(), &views.WebhookSecret{URL: w.URL, Secret: secret}, "", "")
	}
	if !refuse(&f, err, "Not created") {
		return err
	}
	return s.webhooksView(c, formStatus(c), f, nil, "", "")
}

// webToggleWebhook turns a webhook on or off from the list.
func (s *Server) webToggleWebhook(c echo.Context) error {
	on := c.FormValue("enabled") == "true"
	w, err := s.gate.UpdateWebhook(c.Request().Context(), key(c).Actor(), c.Param("id"), ag.WebhookInput{Enabled: &on})
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, views.WebhooksPath)
	}
	state := "off: no events are sent to it until it is turned on again"
	if on {
		state = "on: it receives the events it subscribes to"
	}
	return s.webhooksView(c, http.StatusOK, newWebhookForm(), nil, views.ShortURL(w.URL)+" is "+state+".", w.ID)
}

// webDeleteWebhook removes a webhook after the confirmation dialog: in place on the list,
// and from its own page back to the list.
func (s *Server) webDeleteWebhook(c echo.Context) error {
	if err := s.gate.DeleteWebhook(c.Request().Context(), key(c).Actor(), c.Param("id")); err != nil {
		return err
	}
	if !isHTMX(c) || c.Request().Header.Get(hxTarget) != "webhooks" {
		return redirectPage(c, views.WebhooksPath)
	}
	return s.webhooksView(c, http.StatusOK, newWebhookForm(), nil, "Webhook deleted. Deliveries still waiting for it will not be sent.", "")
}
