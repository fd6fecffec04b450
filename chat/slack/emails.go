package slack

import (
	"context"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/agentgate/agentgate"
)

// emailTTL is how long a user's address, or its absence, is trusted: a burst of clicks
// asks Slack once, and a changed profile is seen within minutes.
const emailTTL = 5 * time.Minute

// maxEmails bounds the addresses remembered; past it, the expired ones are dropped.
const maxEmails = 1000

// emailLookup finds Slack users' email addresses with users.info, for matching a clicker
// to a person in the directory who has no Slack user id recorded. Slack includes the
// address only when the bot token has the users:read.email scope; without it, or when the
// call fails, the user has no address, so a failed lookup never makes anyone an approver.
type emailLookup struct {
	api   *slack.Client
	clock agentgate.Clock
	mu    sync.Mutex
	known map[string]emailEntry
}

type emailEntry struct {
	email string
	until time.Time
}

func newEmailLookup(api *slack.Client, clock agentgate.Clock) *emailLookup {
	return &emailLookup{api: api, clock: clock, known: map[string]emailEntry{}}
}

// lookup returns the function that finds userID's address, asking Slack only when called.
func (l *emailLookup) lookup(userID string) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) { return l.email(ctx, userID) }
}

func (l *emailLookup) email(ctx context.Context, userID string) (string, error) {
	now := l.clock.Now()
	l.mu.Lock()
	e, ok := l.known[userID]
	l.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.email, nil
	}
	u, err := l.api.GetUserInfoContext(ctx, userID)
	if err != nil {
		return "", err // not remembered: the next click asks again
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.known) >= maxEmails {
		for id, e := range l.known {
			if !now.Before(e.until) {
				delete(l.known, id)
			}
		}
	}
	if len(l.known) < maxEmails {
		l.known[userID] = emailEntry{email: u.Profile.Email, until: now.Add(emailTTL)}
	}
	return u.Profile.Email, nil
}
