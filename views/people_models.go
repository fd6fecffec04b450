package views

import (
	"net/url"
	"strings"

	ag "github.com/agentgate/agentgate"
)

// SectionPeople is the People settings page, for the navigation.
const SectionPeople = "people"

// PeoplePage lists the approver directory with the form that adds a person.
type PeoplePage struct {
	Shell
	People []ag.Person
	Pager  Pager
	Query  url.Values
	Form   PersonForm
	Notice string
}

// PersonForm is the create or edit form of a person, as typed.
type PersonForm struct {
	ID            string // empty when creating
	Name          string
	Email         string
	SlackUserID   string
	DiscordUserID string
	Groups        string // comma-separated, as typed
	Error         string
}

// PersonFormOf is the edit form of a stored person.
func PersonFormOf(p *ag.Person) PersonForm {
	return PersonForm{ID: p.ID, Name: p.Name, Email: p.Email, SlackUserID: p.SlackUserID,
		DiscordUserID: p.DiscordUserID, Groups: strings.Join(p.Groups, ", ")}
}

// PersonEditPage edits one person.
type PersonEditPage struct {
	Shell
	Person *ag.Person
	Form   PersonForm
}

// personName is the name of the person with id among people, or "".
func personName(people []ag.Person, id string) string {
	for _, p := range people {
		if p.ID == id {
			return p.Name
		}
	}
	return ""
}
