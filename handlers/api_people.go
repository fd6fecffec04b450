package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
)

// listPeople answers one page of the approver directory, by name.
func (s *Server) listPeople(c echo.Context) error {
	q := &query{v: c.QueryParams()}
	p := q.page(defaultLimit)
	if q.err != nil {
		return q.err
	}
	ps, total, err := s.gate.People(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"people": ps, "pagination": paginate(p, total)})
}

func (s *Server) getPerson(c echo.Context) error {
	p, err := s.gate.Person(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) createPerson(c echo.Context) error {
	var in ag.PersonInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := s.gate.CreatePerson(c.Request().Context(), key(c).Actor(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

func (s *Server) updatePerson(c echo.Context) error {
	var in ag.PersonInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := s.gate.UpdatePerson(c.Request().Context(), key(c).Actor(), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) deletePerson(c echo.Context) error {
	id := c.Param("id")
	if err := s.gate.DeletePerson(c.Request().Context(), key(c).Actor(), id); err != nil {
		return err
	}
	return deleted(c, id)
}
