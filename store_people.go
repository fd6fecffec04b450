package agentgate

import (
	"context"
	"time"
)

// PeopleStore is the persistence of the approver directory and of the decision links sent
// to approvers by email. db/people.go and db/decision_links.go implement it.
type PeopleStore interface {
	// AllPeople returns every person not deleted, for the gate's directory.
	AllPeople(ctx context.Context) ([]Person, error)
	// ListPeople returns one page of the people not deleted, by name, and their number.
	ListPeople(ctx context.Context, p Page) ([]Person, int, error)
	// GetPerson returns the person, deleted or not, or ErrNotFound.
	GetPerson(ctx context.Context, id string) (*Person, error)
	// CreatePerson inserts p and its audit event. A name, email or chat id another person
	// (not deleted) has is a *PersonTaken error.
	CreatePerson(ctx context.Context, p *Person, event AuditEvent) error
	// UpdatePerson writes every field of a person not deleted but ID and CreatedAt, and its
	// audit event; ErrNotFound when there is none, *PersonTaken as for CreatePerson.
	UpdatePerson(ctx context.Context, p *Person, event AuditEvent) error
	// DeletePerson marks a person deleted at t and detaches the keys that belonged to it,
	// with its audit event; ErrNotFound when there is no such person not yet deleted.
	DeletePerson(ctx context.Context, id string, t time.Time, event AuditEvent) error

	// SaveDecisionLinks stores links. A link whose token hash is already stored keeps its
	// row; only its expiry moves to the new one's, and only while it is unused.
	SaveDecisionLinks(ctx context.Context, links []DecisionLink) error
	// DecisionLinkByHash returns the link with that token hash, or ErrNotFound.
	DecisionLinkByHash(ctx context.Context, tokenHash string) (*DecisionLink, error)
	// SpendDecisionLinks marks every unused link of the request for the recipient (an
	// address, any case) used at t, and returns how many it marked.
	SpendDecisionLinks(ctx context.Context, requestID, recipient string, t time.Time) (int, error)
	// DeleteDecisionLinksBefore deletes up to limit links that expired before t and
	// returns how many it deleted.
	DeleteDecisionLinksBefore(ctx context.Context, t time.Time, limit int) (int, error)
}
