package agentgate

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SessionLifetime is how long a dashboard sign-in lasts before the person signs in again.
const SessionLifetime = 7 * 24 * time.Hour

// Session is a signed-in dashboard visit: an API key's identity behind a browser cookie.
// The cookie holds a random token; only its SHA-256 is stored, so a copy of the database
// cannot be replayed as a session.
type Session struct {
	ID        string     // "ses_" + ULID; names the session in the audit log
	TokenHash string     // hex SHA-256 of the cookie token
	KeyID     string     // the API key signed in with
	CreatedAt time.Time  // sign-in time
	ExpiresAt time.Time  // CreatedAt + SessionLifetime
	EndedAt   *time.Time // set by logout; an ended session never works again
}

// Active reports whether the session still signs its holder in at now.
func (s *Session) Active(now time.Time) bool {
	return s.EndedAt == nil && now.Before(s.ExpiresAt)
}

// errNoSession is the one answer for a missing, unknown, ended or expired session, or one
// whose key was revoked: the holder signs in again.
var errNoSession = Errorf(KindUnauthorized, "session_ended", "your session has ended; sign in again")

// errBadLogin is the one answer for every failed sign-in: it never says which part of the
// key was wrong.
var errBadLogin = Errorf(KindUnauthorized, "invalid_login", "that API key is not valid")

// Login checks an API key and starts a session for it. It returns the session, the token
// for the cookie (shown nowhere else) and the key. from is the client's address, kept in
// the audit event. A key that carries none of anyOf (when given) is refused.
func (g *Gate) Login(ctx context.Context, secret, from string, anyOf ...Scope) (*Session, string, *APIKey, error) {
	k, err := g.Authenticate(ctx, secret)
	if ErrorKind(err) == KindUnauthorized {
		return nil, "", nil, errBadLogin
	}
	if err != nil {
		return nil, "", nil, err
	}
	if len(anyOf) > 0 && !k.HasAny(anyOf...) {
		return nil, "", nil, Errorf(KindForbidden, "no_dashboard_access", "this API key cannot use the dashboard; it needs one of the scopes %s", scopeNames(anyOf))
	}
	now := g.clock.Now()
	token := randomToken()
	s := &Session{ID: NewID("ses", now), TokenHash: HashKey(token), KeyID: k.ID, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime)}
	ev := newEvent(now, EventLogin, k.Actor(), map[string]any{"sessionId": s.ID, "keyId": k.ID, "from": from})
	if err := g.store.CreateSession(ctx, s, ev); err != nil {
		return nil, "", nil, fmt.Errorf("store session: %w", err)
	}
	return s, token, k, nil
}

// SessionKey returns the live session a cookie token names and the key it acts as. A
// missing, ended or expired session, or one whose key was revoked, is KindUnauthorized.
// The key is read afresh, so scope changes and revocation hold from the next page.
func (g *Gate) SessionKey(ctx context.Context, token string) (*Session, *APIKey, error) {
	if token == "" || len(token) > 200 {
		return nil, nil, errNoSession
	}
	s, err := g.store.GetSessionByHash(ctx, HashKey(token))
	if errors.Is(err, ErrNotFound) {
		return nil, nil, errNoSession
	}
	if err != nil {
		return nil, nil, fmt.Errorf("look up session: %w", err)
	}
	if !s.Active(g.clock.Now()) {
		return nil, nil, errNoSession
	}
	k, err := g.store.GetKey(ctx, s.KeyID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, errNoSession
	}
	if err != nil {
		return nil, nil, fmt.Errorf("look up session key: %w", err)
	}
	if k.Revoked() {
		return nil, nil, errNoSession
	}
	g.attachPerson(k)
	return s, k, nil
}

// Logout ends the session a token names, for good. Ending a session that is already gone
// is not an error: the person is signed out either way.
func (g *Gate) Logout(ctx context.Context, token string) error {
	s, k, err := g.SessionKey(ctx, token)
	if ErrorKind(err) == KindUnauthorized {
		return nil
	}
	if err != nil {
		return err
	}
	now := g.clock.Now()
	ev := newEvent(now, EventLogout, k.Actor(), map[string]any{"sessionId": s.ID, "keyId": k.ID})
	if err := g.store.EndSession(ctx, s.ID, now, ev); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// sessionSecretSetting names the stored secret that signs session cookies.
const sessionSecretSetting = "session_secret"

// SessionSecret returns the key that signs session cookies: configured when it is set,
// else a random secret generated once and kept in the database, so that restarts (and
// other instances) keep accepting the cookies they issued.
func (g *Gate) SessionSecret(ctx context.Context, configured string) ([]byte, error) {
	if configured != "" {
		return []byte(configured), nil
	}
	v, err := g.store.EnsureSetting(ctx, sessionSecretSetting, randomToken()+randomToken())
	if err != nil {
		return nil, fmt.Errorf("session secret: %w", err)
	}
	return []byte(v), nil
}

// newSessionToken returns 32 random bytes in base64url.
// sessionSweepInterval is how often Run deletes sessions that can no longer sign anyone in.
const sessionSweepInterval = time.Hour

// DeleteOldSessions deletes sessions that expired or ended more than a day ago; a day's
// grace keeps a just-ended session explainable while someone looks into it.
func (g *Gate) DeleteOldSessions(ctx context.Context) {
	n, err := g.store.DeleteSessionsBefore(ctx, g.clock.Now().Add(-24*time.Hour))
	if err != nil {
		if ctx.Err() == nil && ErrorKind(err) != KindUnavailable {
			g.log.Error("Could not delete old sessions.", "err", err)
		}
		return
	}
	if n > 0 {
		g.log.Info("Deleted old sessions.", "sessions", n)
	}
}
