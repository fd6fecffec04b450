package handlers

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
)

// The request page shows params and context indented up to views.PrettyLimit; these serve
// them whole, as stored, for a signed-in person to open or save. They read and change
// nothing else.

func (s *Server) webRequestParams(c echo.Context) error {
	return s.requestPart(c, "params", func(r *ag.Request) json.RawMessage { return r.Params })
}

func (s *Server) webRequestContext(c echo.Context) error {
	return s.requestPart(c, "context", func(r *ag.Request) json.RawMessage { return r.Context })
}

func (s *Server) requestPart(c echo.Context, name string, part func(*ag.Request) json.RawMessage) error {
	r, err := s.gate.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="`+r.ID+"-"+name+`.json"`)
	return c.JSONBlob(http.StatusOK, part(r))
}
