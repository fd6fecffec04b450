package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/views"
)

const keysPath = "/settings/api-keys"

// keysPageSize is the dashboard's page of API keys.
const keysPageSize = 25

// webKeys lists the API keys with the form that creates one.
func (s *Server) webKeys(c echo.Context) error {
	return s.keysView(c, http.StatusOK, newKeyForm(), nil, "")
}

// newKeyForm is the empty form that creates a key: a reviewer's scopes, no rate limit.
func newKeyForm() views.KeyForm {
	return views.KeyForm{Scopes: []string{string(ag.ScopeRequestRead), string(ag.ScopeRequestDecide)}, Unlimited: true}
}

func (s *Server) keysView(c echo.Context, status int, form views.KeyForm, created *views.CreatedKey, notice string) error {
	q := c.QueryParams()
	pq := &query{v: q}
	page := pq.page(keysPageSize)
	if pq.err != nil {
		return pq.err
	}
	ks, total, err := s.gate.Keys(c.Request().Context(), page)
	if err != nil {
		return err
	}
	form.People = s.gate.Directory().All()
	p := views.KeysPage{Shell: s.shell(c, views.SectionKeys, "API keys"), Keys: ks, Query: q, Form: form,
		Created: created, Notice: notice, SelfID: key(c).ID,
		Pager: views.Pager{Path: keysPath, Query: q, Total: total, Offset: page.Offset, Limit: page.Limit, Target: "#keys"}}
	return s.render(c, status, views.Keys(p), views.KeysRegion(p))
}

// readKeyForm reads the key form as typed and the input it makes.
func readKeyForm(c echo.Context) (views.KeyForm, ag.KeyInput, error) {
	params, _ := c.FormParams()
	f := views.KeyForm{ID: c.Param("id"), Name: strings.TrimSpace(c.FormValue("name")), Scopes: params["scopes"],
		Unlimited: c.FormValue("limit") != "limited", RateLimit: strings.TrimSpace(c.FormValue("rateLimit")),
		PersonID: c.FormValue("personId")}
	in := ag.KeyInput{Name: &f.Name, Scopes: []ag.Scope{}, RateLimit: ag.NullInt{Set: true},
		PersonID: ag.NullString{Set: true, Value: f.PersonID}}
	for _, sc := range f.Scopes {
		in.Scopes = append(in.Scopes, ag.Scope(sc))
	}
	if !f.Unlimited {
		n, err := strconv.Atoi(f.RateLimit)
		if err != nil {
			return f, in, ag.Invalid("the rate limit must be a whole number of requests a minute, or choose Unlimited")
		}
		in.RateLimit.Value = &n
	}
	return f, in, nil
}

// webCreateKey creates a key and shows its secret, once.
func (s *Server) webCreateKey(c echo.Context) error {
	f, in, err := readKeyForm(c)
	if err == nil {
		var k *ag.APIKey
		var secret string
		if k, secret, err = s.gate.CreateKey(c.Request().Context(), key(c).Actor(), in); err == nil {
			fresh := views.KeyForm{Scopes: f.Scopes, Unlimited: true, PersonID: f.PersonID}
			return s.keysView(c, http.StatusCreated, fresh, &views.CreatedKey{Name: k.Name, Secret: secret}, "")
		}
	}
	if !refusal(err) {
		return err
	}
	f.Error = "Not created: " + ag.ErrorMessage(err) + "."
	return s.keysView(c, formStatus(c), f, nil, "")
}

// formStatus is the status of a refused form: htmx swaps only successful responses.
func formStatus(c echo.Context) int {
	if isHTMX(c) {
		return http.StatusOK
	}
	return http.StatusUnprocessableEntity
}

// webKey is the edit page of one key, with its usage.
func (s *Server) webKey(c echo.Context) error {
	k, err := s.gate.Key(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	f := views.KeyForm{ID: k.ID, Name: k.Name, Unlimited: k.RateLimit == nil, PersonID: k.PersonID}
	for _, sc := range k.Scopes {
		f.Scopes = append(f.Scopes, string(sc))
	}
	if k.RateLimit != nil {
		f.RateLimit = strconv.Itoa(*k.RateLimit)
	}
	return s.keyEditView(c, http.StatusOK, k, f)
}

func (s *Server) keyEditView(c echo.Context, status int, k *ag.APIKey, f views.KeyForm) error {
	f.People = s.gate.Directory().All()
	p := views.KeyEditPage{Shell: s.shell(c, views.SectionKeys, "Edit "+k.Name), Key: k, Form: f}
	return s.render(c, status, views.KeyEdit(p), nil)
}

// webUpdateKey saves a key's name, scopes and rate limit.
func (s *Server) webUpdateKey(c echo.Context) error {
	f, in, err := readKeyForm(c)
	if err == nil {
		if _, err = s.gate.UpdateKey(c.Request().Context(), key(c).Actor(), c.Param("id"), in); err == nil {
			return c.Redirect(http.StatusSeeOther, keysPath)
		}
	}
	if !refusal(err) {
		return err
	}
	k, kerr := s.gate.Key(c.Request().Context(), c.Param("id"))
	if kerr != nil {
		return kerr
	}
	f.Error = "Not saved: " + ag.ErrorMessage(err) + "."
	return s.keyEditView(c, http.StatusUnprocessableEntity, k, f)
}

// webRevokeKey revokes a key after the confirmation dialog. Revoking the key this
// session signed in with signs the person out.
func (s *Server) webRevokeKey(c echo.Context) error {
	k, err := s.gate.RevokeKey(c.Request().Context(), key(c).Actor(), c.Param("id"))
	if err != nil {
		return err
	}
	if k.ID == key(c).ID {
		_ = s.web.writeToken(c, "")
		return redirectPage(c, "/login")
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, keysPath)
	}
	return s.keysView(c, http.StatusOK, newKeyForm(), nil, "Key “"+k.Name+"” revoked. Anything using it stops working now.")
}
