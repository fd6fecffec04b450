package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	ag "github.com/agentgate/agentgate"
)

func personForm(name, email, groups string) url.Values {
	return url.Values{"name": {name}, "email": {email}, "groups": {groups}, "slackUserId": {""}, "discordUserId": {""}}
}

func TestPeoplePages(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	b := e.login(e.admin)
	res, p := b.get("/settings/people", false)
	wantStatus(t, res, http.StatusOK)
	p.must(t, "empty", 1)
	p.must(t, "person-form", 1)
	if p.doc.Find(`nav [href="/settings/people"][aria-current="page"]`).Length() != 1 {
		t.Error("the navigation does not mark People as the current page")
	}

	res, p = b.post("/settings/people", personForm("Ana", "ana@example.com", "Finance, oncall"), true)
	wantStatus(t, res, http.StatusCreated)
	row := p.must(t, "person-row", 1)
	if got := strings.Join(row.Find(".chip").Map(func(_ int, s *goquery.Selection) string { return s.Text() }), " "); got != "finance oncall" {
		t.Errorf("groups shown as %q", got)
	}
	p.must(t, "notice", 1)

	// A refusal comes back with what was typed and why.
	res, p = b.post("/settings/people", personForm("ana", "x@example.com", ""), false)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if got := text(p.must(t, "person-error", 1)); !strings.Contains(got, "name") {
		t.Errorf("error %q", got)
	}
	if v, _ := p.doc.Find(`[data-testid="person-form"] input[name="email"]`).Attr("value"); v != "x@example.com" {
		t.Errorf("the form lost what was typed: %q", v)
	}

	ana, ok := e.gate.PersonByEmail("ana@example.com")
	if !ok {
		t.Fatal("Ana was not created")
	}
	_, p = b.get("/settings/people/"+ana.ID, false)
	if v, _ := p.doc.Find(`input[name="groups"]`).Attr("value"); v != "finance, oncall" {
		t.Errorf("edit form groups %q", v)
	}
	res, _ = b.post("/settings/people/"+ana.ID, personForm("Ana Lima", "ana@example.com", "finance"), false)
	wantStatus(t, res, http.StatusSeeOther)
	if got, _ := e.gate.Person(context.Background(), ana.ID); got.Name != "Ana Lima" || len(got.Groups) != 1 {
		t.Errorf("updated %+v", got)
	}
	res, p = b.post("/settings/people/"+ana.ID, personForm("Ana Lima", "nope", "finance"), false)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	p.must(t, "person-error", 1)

	// Keys may be given to a person; the list says who a key acts as.
	res, p = b.post("/settings/api-keys", url.Values{"name": {"ana-laptop"}, "scopes": {"request:read", "request:decide"},
		"limit": {"unlimited"}, "personId": {ana.ID}}, true)
	wantStatus(t, res, http.StatusCreated)
	if got := text(p.must(t, "key-person", 1)); got != "acts as Ana Lima" {
		t.Errorf("key row says %q", got)
	}
	secret, _ := p.must(t, "created-secret", 1).Attr("value")
	if k, _ := e.gate.Authenticate(context.Background(), secret); k.Actor().ID != ana.ID {
		t.Errorf("the new key acts as %+v", k.Actor())
	}

	res, p = b.post("/settings/people/"+ana.ID+"/delete", nil, true)
	wantStatus(t, res, http.StatusOK)
	p.must(t, "person-row", 0)
	if k, _ := e.gate.Authenticate(context.Background(), secret); k.Actor().Type != ag.ActorAPIKey {
		t.Errorf("a deleted person's key acts as %+v", k.Actor())
	}

	// Admins only; and no cross-site form posts.
	reviewer := e.login(e.key("reviewer", ag.ScopeRequestRead, ag.ScopeRequestDecide))
	res, _ = reviewer.get("/settings/people", false)
	wantStatus(t, res, http.StatusForbidden)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/settings/people", strings.NewReader(personForm("Eve", "", "").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, _ = b.do(req, false)
	wantStatus(t, res, http.StatusForbidden)
	if e.gate.Directory().Len() != 0 {
		t.Errorf("a refused post added someone: %d people", e.gate.Directory().Len())
	}
}
