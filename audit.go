package agentgate

import (
	"encoding/json"
	"time"
)

// Audit event types.
const (
	EventRequestCreated   = "request.created"
	EventRequestApproved  = "request.approved"
	EventRequestDenied    = "request.denied"
	EventRequestVoted     = "request.voted"
	EventRequestExpired   = "request.expired"
	EventRequestCancelled = "request.cancelled"
	EventPolicyCreated    = "policy.created"
	EventPolicyUpdated    = "policy.updated"
	EventPolicyDeleted    = "policy.deleted"
	EventKeyCreated       = "api_key.created"
	EventKeyUpdated       = "api_key.updated"
	EventKeyRevoked       = "api_key.revoked"
	EventLogin            = "session.login"
	EventLogout           = "session.logout"
)

// statusEvent is the type of the event that moves a request into status s.
func statusEvent(s Status) string {
	switch s {
	case StatusApproved:
		return EventRequestApproved
	case StatusDenied:
		return EventRequestDenied
	case StatusExpired:
		return EventRequestExpired
	case StatusCancelled:
		return EventRequestCancelled
	}
	return EventRequestCreated
}

// AuditEvent is one append-only line of the audit trail.
type AuditEvent struct {
	ID        string          `json:"id"`
	RequestID string          `json:"requestId,omitempty"`
	Action    string          `json:"action,omitempty"` // the request's action, for filtering
	EventType string          `json:"eventType"`
	Actor     string          `json:"actor"`
	ActorType ActorType       `json:"actorType"`
	OWASP     string          `json:"owasp,omitempty"`
	Details   json.RawMessage `json:"details"`
	CreatedAt time.Time       `json:"createdAt"`
}

// newEvent builds an audit event; details, a map or a struct, is marshalled to JSON (nil
// gives {}).
func newEvent(now time.Time, typ string, actor Actor, details any) AuditEvent {
	d := []byte("{}")
	if details != nil {
		if b, _ := json.Marshal(details); len(b) > 0 && string(b) != "null" {
			d = b
		}
	}
	return AuditEvent{ID: NewID("evt", now), EventType: typ, Actor: actor.Name, ActorType: actor.Type, Details: d, CreatedAt: now}
}

// requestEvent builds an audit event about request r.
func requestEvent(now time.Time, r *Request, typ string, actor Actor, details any) AuditEvent {
	e := newEvent(now, typ, actor, details)
	e.RequestID = r.ID
	e.Action = r.Action
	e.OWASP = r.PolicyDecision.OWASP
	return e
}
