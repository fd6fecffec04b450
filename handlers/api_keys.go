package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
)

func (s *Server) listKeys(c echo.Context) error {
	q := &query{v: c.QueryParams()}
	p := q.page(defaultLimit)
	if q.err != nil {
		return q.err
	}
	ks, total, err := s.gate.Keys(c.Request().Context(), p)
	if err != nil {
		return err
	}
	out := make([]keyJSON, len(ks))
	for i := range ks {
		out[i] = keyView(&ks[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"keys": out, "pagination": paginate(p, total)})
}

func (s *Server) getKey(c echo.Context) error {
	k, err := s.gate.Key(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, keyView(k))
}

// keyJSON is an API key as the API shows it: with active (not revoked) beside revokedAt,
// as the original AgentGate's lists had it and its clients read it.
type keyJSON struct {
	*ag.APIKey
	Active bool `json:"active"`
}

func keyView(k *ag.APIKey) keyJSON { return keyJSON{APIKey: k, Active: !k.Revoked()} }

// createdKey is a new key with its secret, the only time the secret is sent.
type createdKey struct {
	keyJSON
	Key string `json:"key"`
}

func (s *Server) createKey(c echo.Context) error {
	var in ag.KeyInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	k, secret, err := s.gate.CreateKey(c.Request().Context(), key(c).Actor(), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusCreated, createdKey{keyJSON: keyView(k), Key: secret})
}

func (s *Server) updateKey(c echo.Context) error {
	var in ag.KeyInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	k, err := s.gate.UpdateKey(c.Request().Context(), key(c).Actor(), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, keyView(k))
}

func (s *Server) revokeKey(c echo.Context) error {
	k, err := s.gate.RevokeKey(c.Request().Context(), key(c).Actor(), c.Param("id"))
	if err != nil {
		return err
	}
	return deleted(c, k.ID)
}
