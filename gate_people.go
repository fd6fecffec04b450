package agentgate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Audit event types of the directory.
const (
	EventPersonCreated = "person.created"
	EventPersonUpdated = "person.updated"
	EventPersonDeleted = "person.deleted"
)

// peopleState is the gate's directory snapshot, the default email recipients, and what
// decision links need.
type peopleState struct {
	dir        atomic.Pointer[Directory]
	reloadMu   sync.Mutex // serialises ReloadPeople
	defaults   []string   // APPROVER_EMAILS
	linkTTL    time.Duration
	linkSecret atomic.Pointer[[]byte] // loaded once from the settings table
}

func newPeopleState(o Options) *peopleState {
	s := &peopleState{defaults: uniqueAddresses(nil, o.ApproverEmails...), linkTTL: o.DecisionLinkTTL}
	if s.linkTTL <= 0 {
		s.linkTTL = DefaultDecisionLinkTTL
	}
	s.dir.Store(NewDirectory(nil))
	return s
}

// ReloadPeople reads the directory and makes it live. Cached keys are looked up again, so
// that each acts as the person it now belongs to. Concurrent reloads are serialised, so the
// last to finish read the newest committed directory.
func (g *Gate) ReloadPeople(ctx context.Context) error {
	g.people.reloadMu.Lock()
	defer g.people.reloadMu.Unlock()
	ps, err := g.store.AllPeople(ctx)
	if err != nil {
		return fmt.Errorf("list people: %w", err)
	}
	g.people.dir.Store(NewDirectory(ps))
	g.keys.clear()
	return nil
}

// Directory returns the live directory snapshot; never nil.
func (g *Gate) Directory() *Directory { return g.people.dir.Load() }

// ApproverEmails returns APPROVER_EMAILS: who is emailed about requests whose rule names
// no approvers.
func (g *Gate) ApproverEmails() []string { return g.people.defaults }

// PersonByEmail returns the person with that address (any case), for surfaces that know
// someone only by address.
func (g *Gate) PersonByEmail(addr string) (Person, bool) { return found(g.Directory().ByEmail(addr)) }

// PersonByChatID returns the person with that Slack (ChannelSlack) or Discord
// (ChannelDiscord) user id, for chat interactions: whoever clicks acts as that person.
func (g *Gate) PersonByChatID(platform ChannelKind, userID string) (Person, bool) {
	return found(g.Directory().ByChatID(platform, userID))
}

func found(p *Person) (Person, bool) {
	if p == nil {
		return Person{}, false
	}
	return *p, true
}

// attachPerson gives a key just read from the store its person's name, so that it acts as
// the person. A key whose person is not in the directory (deleted since) acts as itself.
func (g *Gate) attachPerson(k *APIKey) {
	if k.PersonID == "" {
		return
	}
	if p := g.Directory().Person(k.PersonID); p != nil {
		k.personName = p.Name
	} else {
		k.PersonID = ""
	}
}

// People returns one page of the directory, by name.
func (g *Gate) People(ctx context.Context, p Page) ([]Person, int, error) {
	return g.store.ListPeople(ctx, p)
}

// Person returns one person who is not deleted.
func (g *Gate) Person(ctx context.Context, id string) (*Person, error) {
	p, err := lookup(ctx, "person", id, g.store.GetPerson)
	if err != nil {
		return nil, err
	}
	if p.DeletedAt != nil {
		return nil, NotFound("person", id)
	}
	return p, nil
}

// CreatePerson adds a person to the directory.
func (g *Gate) CreatePerson(ctx context.Context, actor Actor, in PersonInput) (*Person, error) {
	if in.Name == nil {
		return nil, Errorf(KindInvalid, "missing_field", "name is required")
	}
	now := g.clock.Now()
	p := &Person{ID: NewID("per", now), CreatedAt: now, UpdatedAt: now}
	if err := in.apply(p); err != nil {
		return nil, err
	}
	ev := newEvent(now, EventPersonCreated, actor, personDetails(p))
	if err := g.writePerson(ctx, p, g.store.CreatePerson(ctx, p, ev)); err != nil {
		return nil, err
	}
	return p, nil
}

// UpdatePerson changes the fields of a person that in gives.
func (g *Gate) UpdatePerson(ctx context.Context, actor Actor, id string, in PersonInput) (*Person, error) {
	p, err := g.Person(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := in.apply(p); err != nil {
		return nil, err
	}
	p.UpdatedAt = g.clock.Now()
	ev := newEvent(p.UpdatedAt, EventPersonUpdated, actor, personDetails(p))
	if err := g.writePerson(ctx, p, g.store.UpdatePerson(ctx, p, ev)); err != nil {
		return nil, err
	}
	return p, nil
}

// writePerson turns a directory write's outcome into the answer and, on success, makes
// the change live.
func (g *Gate) writePerson(ctx context.Context, p *Person, err error) error {
	var taken *PersonTaken
	switch {
	case errors.As(err, &taken):
		return personTaken(p, taken.Field)
	case errors.Is(err, ErrNotFound):
		return NotFound("person", p.ID)
	case err != nil:
		return fmt.Errorf("store person: %w", err)
	}
	return g.ReloadPeople(ctx)
}

// DeletePerson removes a person from the directory. The row stays, so that votes and audit
// events that name the person still read; the keys that belonged to the person act as
// themselves from their next use.
func (g *Gate) DeletePerson(ctx context.Context, actor Actor, id string) error {
	p, err := g.Person(ctx, id)
	if err != nil {
		return err
	}
	now := g.clock.Now()
	ev := newEvent(now, EventPersonDeleted, actor, map[string]any{"personId": p.ID, "name": p.Name})
	if err := g.store.DeletePerson(ctx, id, now, ev); errors.Is(err, ErrNotFound) {
		return NotFound("person", id)
	} else if err != nil {
		return fmt.Errorf("delete person: %w", err)
	}
	return g.ReloadPeople(ctx)
}

func personDetails(p *Person) map[string]any {
	return map[string]any{"personId": p.ID, "name": p.Name, "email": p.Email, "groups": p.Groups,
		"slackUserId": p.SlackUserID, "discordUserId": p.DiscordUserID}
}

// checkPersonRef checks that a key may be given to the person with that id.
func (g *Gate) checkPersonRef(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	if !isPersonID(strings.TrimSpace(id)) {
		return Errorf(KindInvalid, "invalid_person_id", "personId %q is not a person's id (per_…); list people with GET /api/people", id)
	}
	if _, err := g.Person(ctx, id); ErrorKind(err) == KindNotFound {
		return Errorf(KindInvalid, "unknown_person", "there is no person %q to give the key to", id)
	} else if err != nil {
		return err
	}
	return nil
}

// MayDecide reports whether actor may decide r by the approvers its rule names, as the
// directory now resolves them.
func (g *Gate) MayDecide(r *Request, actor Actor) bool {
	return g.Directory().MayDecide(r.PolicyDecision.Approvers, actor)
}

// Approvers says who may decide r: each approver its rule names, as the directory now
// resolves it. Empty when anyone allowed to decide may.
func (g *Gate) Approvers(r *Request) []Approver {
	return g.Directory().DescribeApprovers(r.PolicyDecision.Approvers)
}
