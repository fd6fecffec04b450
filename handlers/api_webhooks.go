package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
)

func (s *Server) listWebhooks(c echo.Context) error {
	q := &query{v: c.QueryParams()}
	p := q.page(defaultLimit)
	if q.err != nil {
		return q.err
	}
	ws, total, err := s.gate.Webhooks(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"webhooks": nonNil(ws), "pagination": paginate(p, total)})
}

func (s *Server) getWebhook(c echo.Context) error {
	w, err := s.gate.Webhook(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

// webhookWithSecret is a webhook with its secret: the answer to a create or a rotation, the
// only times the secret is sent.
type webhookWithSecret struct {
	*ag.Webhook
	Secret string `json:"secret"`
}

func (s *Server) createWebhook(c echo.Context) error {
	var in ag.WebhookInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	w, secret, err := s.gate.CreateWebhook(c.Request().Context(), key(c).Actor(), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusCreated, webhookWithSecret{Webhook: w, Secret: secret})
}

func (s *Server) updateWebhook(c echo.Context) error {
	var in ag.WebhookInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	w, err := s.gate.UpdateWebhook(c.Request().Context(), key(c).Actor(), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

func (s *Server) deleteWebhook(c echo.Context) error {
	id := c.Param("id")
	if err := s.gate.DeleteWebhook(c.Request().Context(), key(c).Actor(), id); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"success": true, "id": id})
}

// rotateBody optionally names the new secret; without a body one is generated.
type rotateBody struct {
	Secret *string `json:"secret"`
}

func (s *Server) rotateWebhookSecret(c echo.Context) error {
	var in rotateBody
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	w, secret, err := s.gate.RotateWebhookSecret(c.Request().Context(), key(c).Actor(), c.Param("id"), in.Secret)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, webhookWithSecret{Webhook: w, Secret: secret})
}

// testResult answers a test: whether it was delivered, and the delivery as it stands.
type testResult struct {
	Success  bool         `json:"success"`
	Delivery *ag.Delivery `json:"delivery"`
}

func (s *Server) testWebhook(c echo.Context) error {
	d, err := s.gate.TestWebhook(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, testResult{Success: d.Status == ag.DeliveryDelivered, Delivery: d})
}

func (s *Server) listWebhookDeliveries(c echo.Context) error {
	q := &query{v: c.QueryParams()}
	f := ag.DeliveryFilter{Status: oneOf(q, "status", ag.DeliveryStatuses), Page: q.page(defaultLimit)}
	if q.err != nil {
		return q.err
	}
	ds, total, err := s.gate.WebhookDeliveries(c.Request().Context(), c.Param("id"), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"deliveries": nonNil(ds), "pagination": paginate(f.Page, total)})
}

func (s *Server) replayWebhookDelivery(c echo.Context) error {
	d, err := s.gate.ReplayDelivery(c.Request().Context(), key(c).Actor(), c.Param("id"), c.Param("delivery"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}
