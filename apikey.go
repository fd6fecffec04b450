package agentgate

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
)

// Scope is a right an API key carries.
type Scope string

// Scopes. Admin implies every other.
const (
	ScopeAdmin         Scope = "admin"
	ScopeRequestCreate Scope = "request:create"
	ScopeRequestRead   Scope = "request:read"
	ScopeRequestDecide Scope = "request:decide"
	ScopeWebhookManage Scope = "webhook:manage"
	ScopeAuditRead     Scope = "audit:read"
	ScopePolicyRead    Scope = "policy:read"
	ScopePolicyWrite   Scope = "policy:write"
)

// AllScopes lists every scope, in the order forms show them.
var AllScopes = []Scope{ScopeAdmin, ScopeRequestCreate, ScopeRequestRead, ScopeRequestDecide,
	ScopeWebhookManage, ScopeAuditRead, ScopePolicyRead, ScopePolicyWrite}

// KeyPrefix starts every API key, so a leaked key is recognisable.
const KeyPrefix = "agk_"

// APIKey is a credential. The key itself is never stored: only its SHA-256 and a short
// prefix to tell keys apart on screen.
type APIKey struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Prefix       string     `json:"prefix"`
	Hash         string     `json:"-"`
	Scopes       []Scope    `json:"scopes"`
	RateLimit    *int       `json:"rateLimit"` // requests per minute; nil is unlimited
	CreatedAt    time.Time  `json:"createdAt"`
	UpdatedAt    time.Time  `json:"updatedAt"`
	LastUsedAt   *time.Time `json:"lastUsedAt"`
	RequestCount int64      `json:"requestCount"`
	RevokedAt    *time.Time `json:"revokedAt"`
	// PersonID is the person the key belongs to, who acts through it; "" for none.
	PersonID string `json:"personId,omitempty"`

	personName string // the person's name, filled in by the gate from its directory
}

// Has reports whether the key carries scope s (admin carries all).
func (k *APIKey) Has(s Scope) bool {
	return slices.Contains(k.Scopes, ScopeAdmin) || slices.Contains(k.Scopes, s)
}

// HasAny reports whether the key carries at least one of ss.
func (k *APIKey) HasAny(ss ...Scope) bool {
	for _, s := range ss {
		if k.Has(s) {
			return true
		}
	}
	return false
}

// Actor is the identity the key acts as: its id, which never changes, and its name; or,
// for a key that belongs to a person, that person.
func (k *APIKey) Actor() Actor {
	if k.PersonID != "" {
		return Actor{ID: k.PersonID, Name: cmp.Or(k.personName, k.PersonID), Type: ActorUser, KeyName: k.Name}
	}
	return Actor{ID: k.ID, Name: k.Name, Type: ActorAPIKey}
}

// Revoked reports whether the key has been revoked.
func (k *APIKey) Revoked() bool { return k.RevokedAt != nil }

// GenerateKey returns a new random key: "agk_" and 32 random bytes in base64url.
func GenerateKey() string { return KeyPrefix + randomToken() }

// randomToken returns 32 random bytes in unpadded base64url: key secrets, session tokens
// and the session secret are made of it.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// HashKey returns the hex SHA-256 of a key, the only form stored.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// KeyDisplayPrefix is the part of a key shown in lists: "agk_" and 6 more characters.
func KeyDisplayPrefix(key string) string {
	if len(key) > len(KeyPrefix)+6 {
		return key[:len(KeyPrefix)+6]
	}
	return key
}

// KeyInput is what an admin gives to create or change a key. Nil fields are left alone on
// update; on create Name and Scopes are required.
type KeyInput struct {
	Name      *string `json:"name"`
	Scopes    []Scope `json:"scopes"`
	RateLimit NullInt `json:"rateLimit"`
	// PersonID gives the key to a person (an id), or with null or "" to no one.
	PersonID NullString `json:"personId"`
}

// NullString is an optional nullable string: Set says whether the field was present.
type NullString struct {
	Set   bool
	Value string // "" for null
}

// UnmarshalJSON records presence and the value (null allowed, as "").
func (n *NullString) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Value = ""
		return nil
	}
	if err := json.Unmarshal(b, &n.Value); err != nil {
		return Invalid("personId must be a person's id, or null for none")
	}
	return nil
}

// NullInt is an optional nullable integer: Set says whether the field was present at all,
// so that `"rateLimit": null` (unlimited) differs from leaving it out.
type NullInt struct {
	Set   bool
	Value *int
}

// UnmarshalJSON records presence and the value (null allowed).
func (n *NullInt) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Value = nil
		return nil
	}
	var v int
	if err := json.Unmarshal(b, &v); err != nil {
		return Invalid("rateLimit must be a whole number of requests per minute, or null for unlimited")
	}
	n.Value = &v
	return nil
}

// MinAdminKeyLen is the shortest ADMIN_API_KEY accepted.
const MinAdminKeyLen = 16

// ErrNameTaken is returned by a store asked to give a key a name that another key that is
// not revoked already has. Names are unique among live keys, so that a name in a policy's
// approvers or the audit log means one key at a time.
var ErrNameTaken = errors.New("name taken by a live key")

// nameTaken is the answer to creating or renaming a key with a live key's name.
func nameTaken(name string) *Error {
	return Errorf(KindConflict, "name_taken", "an API key named %q already exists; choose another name, or revoke that key first", name).
		WithDetails(map[string]any{"name": name})
}

// validateKeyFields checks a name, scopes and rate limit.
func validateKeyFields(name string, scopes []Scope, rate *int) error {
	if strings.TrimSpace(name) == "" || len(name) > 100 {
		return Errorf(KindInvalid, "invalid_name", "name is required and must be at most 100 characters")
	}
	if err := checkText("name", name); err != nil {
		return err
	}
	if len(scopes) == 0 {
		return Errorf(KindInvalid, "invalid_scopes", "scopes must list at least one of: %s", scopeNames(AllScopes))
	}
	for _, s := range scopes {
		if !slices.Contains(AllScopes, s) {
			return Errorf(KindInvalid, "invalid_scopes", "unknown scope %q; scopes are: %s", s, scopeNames(AllScopes))
		}
	}
	if rate != nil && (*rate < 1 || *rate > 1_000_000) {
		return Errorf(KindInvalid, "invalid_rate_limit", "rateLimit must be between 1 and 1000000 requests per minute, or null for unlimited")
	}
	return nil
}

// scopeNames lists scopes for a message: "a, b, c".
func scopeNames(scopes []Scope) string {
	s := make([]string, len(scopes))
	for i, sc := range scopes {
		s[i] = string(sc)
	}
	return strings.Join(s, ", ")
}
