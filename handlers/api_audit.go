package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func (s *Server) listAudit(c echo.Context) error {
	f, err := auditFilter(c.QueryParams(), defaultLimit)
	if err != nil {
		return err
	}
	es, total, err := s.gate.Audit(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": nonNil(es), "pagination": paginate(f.Page, total)})
}

func (s *Server) auditActors(c echo.Context) error {
	as, err := s.gate.AuditActors(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"actors": nonNil(as)})
}

func (s *Server) auditActions(c echo.Context) error {
	as, err := s.gate.AuditActions(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"actions": nonNil(as)})
}
