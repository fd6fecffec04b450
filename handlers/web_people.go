package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/views"
)

const peoplePath = "/settings/people"

// peoplePageSize is the dashboard's page of people.
const peoplePageSize = 50

// webPeople lists the directory with the form that adds a person.
func (s *Server) webPeople(c echo.Context) error {
	return s.peopleView(c, http.StatusOK, views.PersonForm{}, "")
}

func (s *Server) peopleView(c echo.Context, status int, form views.PersonForm, notice string) error {
	q := c.QueryParams()
	pq := &query{v: q}
	page := pq.page(peoplePageSize)
	if pq.err != nil {
		return pq.err
	}
	ps, total, err := s.gate.People(c.Request().Context(), page)
	if err != nil {
		return err
	}
	p := views.PeoplePage{Shell: s.shell(c, views.SectionPeople, "People"), People: ps, Query: q, Form: form, Notice: notice,
		Pager: views.Pager{Path: peoplePath, Query: q, Total: total, Offset: page.Offset, Limit: page.Limit, Target: "#people"}}
	return s.render(c, status, views.People(p), views.PeopleRegion(p))
}

// readPersonForm reads the person form as typed and the input it makes.
func readPersonForm(c echo.Context) (views.PersonForm, ag.PersonInput) {
	f := views.PersonForm{ID: c.Param("id"), Name: strings.TrimSpace(c.FormValue("name")), Email: strings.TrimSpace(c.FormValue("email")),
		SlackUserID: strings.TrimSpace(c.FormValue("slackUserId")), DiscordUserID: strings.TrimSpace(c.FormValue("discordUserId")),
		Groups: strings.TrimSpace(c.FormValue("groups"))}
	groups := strings.Split(f.Groups, ",")
	return f, ag.PersonInput{Name: &f.Name, Email: &f.Email, SlackUserID: &f.SlackUserID, DiscordUserID: &f.DiscordUserID, Groups: &groups}
}

// webCreatePerson adds a person and shows the list with them in it.
func (s *Server) webCreatePerson(c echo.Context) error {
	f, in := readPersonForm(c)
	p, err := s.gate.CreatePerson(c.Request().Context(), key(c).Actor(), in)
	if err == nil {
		if !isHTMX(c) {
			return c.Redirect(http.StatusSeeOther, peoplePath)
		}
		return s.peopleView(c, http.StatusCreated, views.PersonForm{}, "Added “"+p.Name+"”.")
	}
	if !refusal(err) {
		return err
	}
	f.Error = "Not added: " + ag.ErrorMessage(err) + "."
	return s.peopleView(c, formStatus(c), f, "")
}

// webPerson is the edit page of one person.
func (s *Server) webPerson(c echo.Context) error {
	p, err := s.gate.Person(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return s.personEditView(c, http.StatusOK, p, views.PersonFormOf(p))
}

func (s *Server) personEditView(c echo.Context, status int, p *ag.Person, f views.PersonForm) error {
	page := views.PersonEditPage{Shell: s.shell(c, views.SectionPeople, "Edit "+p.Name), Person: p, Form: f}
	return s.render(c, status, views.PersonEdit(page), nil)
}

// webUpdatePerson saves a person's fields.
func (s *Server) webUpdatePerson(c echo.Context) error {
	f, in := readPersonForm(c)
	_, err := s.gate.UpdatePerson(c.Request().Context(), key(c).Actor(), c.Param("id"), in)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, peoplePath)
	}
	if !refusal(err) {
		return err
	}
	p, perr := s.gate.Person(c.Request().Context(), c.Param("id"))
	if perr != nil {
		return perr
	}
	f.Error = "Not saved: " + ag.ErrorMessage(err) + "."
	return s.personEditView(c, http.StatusUnprocessableEntity, p, f)
}

// webDeletePerson removes a person after the confirmation dialog.
func (s *Server) webDeletePerson(c echo.Context) error {
	p, err := s.gate.Person(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if err := s.gate.DeletePerson(c.Request().Context(), key(c).Actor(), p.ID); err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, peoplePath)
	}
	return s.peopleView(c, http.StatusOK, views.PersonForm{}, "“"+p.Name+"” deleted. Their keys act as themselves from now on.")
}
