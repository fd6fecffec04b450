package agentgate

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/agentgate/agentgate/policy"
)

// Status is where a request is in its life. Only pending moves, and only once.
type Status string

// Request statuses.
const (
	StatusPending   Status = "pending"
	StatusApproved  Status = "approved"
	StatusDenied    Status = "denied"
	StatusExpired   Status = "expired"
	StatusCancelled Status = "cancelled"
)

// Statuses lists every status in display order.
var Statuses = []Status{StatusPending, StatusApproved, StatusDenied, StatusExpired, StatusCancelled}

// Urgency says how soon a person should look at a request.
type Urgency string

// Urgency levels, least to most urgent.
const (
	UrgencyLow      Urgency = "low"
	UrgencyNormal   Urgency = "normal"
	UrgencyHigh     Urgency = "high"
	UrgencyCritical Urgency = "critical"
)

// Urgencies lists every urgency, most urgent first, as queues show them.
var Urgencies = []Urgency{UrgencyCritical, UrgencyHigh, UrgencyNormal, UrgencyLow}

// ParseUrgency checks s names an urgency; the empty string means normal.
func ParseUrgency(s string) (Urgency, error) {
	if s == "" {
		return UrgencyNormal, nil
	}
	if slices.Contains(Urgencies, Urgency(s)) {
		return Urgency(s), nil
	}
	return "", Errorf(KindInvalid, "invalid_urgency", "urgency %q is not one of low, normal, high, critical", s)
}

// Rank orders urgencies: critical is 3, low is 0; the rule language ranks them alike.
func (u Urgency) Rank() int {
	rank, _ := policy.UrgencyRank(string(u))
	return rank
}

// Decision values a person (or a policy) gives a request.
const (
	DecisionApproved = "approved"
	DecisionDenied   = "denied"
)

// Vote is one approver's decision on a request that needs several approvals. VoterID is
// the identity that voted and decides who has voted; Voter is its name then, for display.
// Votes stored before migration 00004 have no VoterID and are matched by name.
type Vote struct {
	Voter     string    `json:"voter"`
	VoterID   string    `json:"voterId,omitempty"`
	Decision  string    `json:"decision"`
	Reason    string    `json:"reason,omitempty"`
	Channel   string    `json:"channel,omitempty"` // where the vote was cast: ChannelAPI, ChannelDashboard, ...
	CreatedAt time.Time `json:"createdAt"`
}

// Where a decision was made, recorded on its vote and in its audit event.
const (
	DecidedViaAPI       = "api"
	DecidedViaDashboard = "dashboard"
	DecidedViaEmail     = "email"
	DecidedViaSlack     = "slack"
	DecidedViaDiscord   = "discord"
)

// Request is an agent's ask to perform one action.
type Request struct {
	ID                string          `json:"id"`
	Action            string          `json:"action"`
	Params            json.RawMessage `json:"params"`
	Context           json.RawMessage `json:"context"`
	Urgency           Urgency         `json:"urgency"`
	Status            Status          `json:"status"`
	CreatedBy         string          `json:"createdBy"`
	CreatedByID       string          `json:"createdById,omitempty"` // the owner: the creating key's id (see OwnedBy)
	CreatedAt         time.Time       `json:"createdAt"`
	UpdatedAt         time.Time       `json:"updatedAt"`
	DecidedAt         *time.Time      `json:"decidedAt"`
	DecidedBy         string          `json:"decidedBy,omitempty"`
	DecisionReason    string          `json:"decisionReason,omitempty"`
	ExpiresAt         time.Time       `json:"expiresAt"`
	PolicyDecision    Outcome         `json:"policyDecision"`
	RequiredApprovals int             `json:"requiredApprovals"`
	Votes             []Vote          `json:"votes"`
	// Version increments on every change; stores update conditionally on it.
	Version int `json:"-"`
}

// NewRequest is what an agent submits.
type NewRequest struct {
	Action    string          `json:"action"`
	Params    json.RawMessage `json:"params"`
	Context   json.RawMessage `json:"context"`
	Urgency   string          `json:"urgency"`
	ExpiresAt *time.Time      `json:"expiresAt"`
}

// Limits on what a request may carry.
const (
	MaxActionLen = 200
	MaxReasonLen = 2000
)

// Validate checks the submission and returns it normalized: the urgency spelled out, and
// params and context as compact JSON objects ({} when absent or null).
func (n NewRequest) Validate(now time.Time) (NewRequest, error) {
	action := strings.TrimSpace(n.Action)
	if action == "" {
		return n, Errorf(KindInvalid, "missing_field", "action is required: name the action the agent wants to perform, e.g. \"send_email\"")
	}
	if len(action) > MaxActionLen || action != n.Action {
		return n, Errorf(KindInvalid, "invalid_action", "action must be 1 to %d characters with no surrounding spaces", MaxActionLen)
	}
	u, err := ParseUrgency(n.Urgency)
	if err != nil {
		return n, err
	}
	n.Urgency = string(u)
	if n.Params, err = objectText("params", n.Params); err != nil {
		return n, err
	}
	if n.Context, err = objectText("context", n.Context); err != nil {
		return n, err
	}
	if n.ExpiresAt != nil && !n.ExpiresAt.After(now) {
		return n, Errorf(KindInvalid, "invalid_expires_at", "expiresAt must be in the future")
	}
	return n, nil
}

// objectText checks that raw is one JSON object that the stores and the policy engine
// read back as sent (checkObject) and returns it without insignificant space; absent or
// null gives {}.
func objectText(field string, raw json.RawMessage) (json.RawMessage, error) {
	t := bytes.Trim(raw, " \t\r\n")
	if len(t) == 0 || string(t) == "null" {
		return json.RawMessage("{}"), nil
	}
	compact, err := checkObject(field, t)
	if err != nil {
		return nil, err
	}
	if compact {
		return t, nil
	}
	var b bytes.Buffer
	b.Grow(len(t))
	if err := json.Compact(&b, t); err != nil { // checked above; cannot fail
		return nil, Errorf(KindInvalid, "invalid_"+field, "%s must be a JSON object", field)
	}
	return b.Bytes(), nil
}

// policyInput is what the policy engine sees of a request. Params and context, which must
// be JSON objects, are decoded only when a rule of set reads them.
func policyInput(set *PolicySet, action string, u Urgency, params, reqCtx json.RawMessage) Input {
	in := Input{Action: action, Urgency: u}
	readsParams, readsContext := set.Reads()
	if readsParams {
		in.Params = decodeObject(params)
	}
	if readsContext {
		in.Context = decodeObject(reqCtx)
	}
	return in
}

// decodeObject decodes a JSON object already checked by objectText.
func decodeObject(raw json.RawMessage) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return m
}

// Decide is one identity's decision on a request.
type Decide struct {
	Decision string
	Reason   string
	Actor    Actor
	// ClaimedBy is a decider name the caller sent (the original API's decidedBy). It is never
	// the identity; when it differs from Actor's name the audit event records it.
	ClaimedBy string
	// Channel says where the decision was made (DecidedViaAPI, DecidedViaDashboard, ...).
	Channel string
	// people resolves the approvers the rule names; the gate sets it (nil: key names only).
	people *Directory
}

// Actor is an authenticated identity: who did something, and through what.
type Actor struct {
	// ID is the identity's stable id: the API key's id (a person's, once keys belong to
	// people). Votes and ownership compare it; empty for the server's own actors.
	ID   string    `json:"id,omitempty"`
	Name string    `json:"name"` // key name, user email, slack:U123, policy, system: for display
	Type ActorType `json:"type"`
	// KeyName is the name of the API key a person acts through, so that approvers naming
	// the key still match once the key belongs to a person; empty otherwise.
	KeyName string `json:"-"`
}

// Is reports whether a is the identity recorded as (id, name). Ids decide; a record or an
// actor without an id (stored before migration 00004, or a server actor) falls back to
// the name, the only thing known.
func (a Actor) Is(id, name string) bool {
	if id == "" || a.ID == "" {
		return name == a.Name
	}
	return id == a.ID
}

// ActorType says what kind of identity an actor is.
type ActorType string

// Actor types.
const (
	ActorAPIKey ActorType = "api_key"
	ActorUser   ActorType = "user"
	ActorPolicy ActorType = "policy"
	ActorSystem ActorType = "system"
	ActorChat   ActorType = "chat"
	ActorEmail  ActorType = "email"
)

// SystemActor is the actor for the server's own acts, such as expiry.
var SystemActor = Actor{Name: "system", Type: ActorSystem}

// checkReason checks the reason given with a decision or a cancel.
func checkReason(reason string) error {
	if len(reason) > MaxReasonLen {
		return Errorf(KindInvalid, "invalid_reason", "reason must be at most %d characters", MaxReasonLen)
	}
	return checkText("reason", reason)
}

// checkClaim checks the decider name a caller claimed (Decide.ClaimedBy), which the audit
// log may record.
func checkClaim(name string) error {
	if len(name) > MaxClaimLen {
		return Errorf(KindInvalid, "invalid_decided_by", "decidedBy must be at most %d characters; the decider is the API key's identity anyway", MaxClaimLen)
	}
	return checkText("decidedBy", name)
}

// MaxClaimLen is the longest decider name a caller may claim (an email fits).
const MaxClaimLen = 256

// ApplyDecision records d on r at now. It returns the audit event type of what happened
// (EventRequestVoted when a quorum is still short, else EventRequestApproved or
// EventRequestDenied). r is changed only
// when the error is nil. requireReason comes from the rule that routed the request.
func (r *Request) ApplyDecision(d Decide, now time.Time) (string, error) {
	if d.Decision != DecisionApproved && d.Decision != DecisionDenied {
		return "", Errorf(KindInvalid, "invalid_decision", "decision must be \"approved\" or \"denied\", not %q", d.Decision)
	}
	if err := checkReason(d.Reason); err != nil {
		return "", err
	}
	if err := checkClaim(d.ClaimedBy); err != nil {
		return "", err
	}
	if r.Status != StatusPending {
		return "", r.alreadyDecided()
	}
	if !now.Before(r.ExpiresAt) {
		return "", Errorf(KindConflict, CodeRequestExpired, "request %s expired at %s; it can no longer be decided", r.ID, r.ExpiresAt.Format(time.RFC3339)).
			WithDetails(map[string]any{"status": string(StatusExpired), "expiresAt": r.ExpiresAt})
	}
	if r.PolicyDecision.RequireReason && strings.TrimSpace(d.Reason) == "" {
		return "", Errorf(KindUnprocessable, "reason_required", "the policy rule that routed this request requires a reason with the decision")
	}
	if !d.people.MayDecide(r.PolicyDecision.Approvers, d.Actor) {
		return "", notAnApprover(d.Actor)
	}
	if v := r.VoteOf(d.Actor); v != nil {
		return "", Errorf(KindConflict, "already_voted", "%s already voted %s on this request", d.Actor.Name, v.Decision)
	}
	r.Votes = append(r.Votes, Vote{Voter: d.Actor.Name, VoterID: d.Actor.ID, Decision: d.Decision, Reason: d.Reason, Channel: d.Channel, CreatedAt: now})
	r.UpdatedAt = now
	if d.Decision == DecisionApproved && r.Approvals() < r.ApprovalsNeeded() {
		return EventRequestVoted, nil
	}
	r.finish(Status(d.Decision), d.Actor.Name, d.Reason, now)
	return statusEvent(r.Status), nil
}

// ApprovalsNeeded is how many approvals decide r: its quorum, at least one.
func (r *Request) ApprovalsNeeded() int { return max(r.RequiredApprovals, 1) }

// Approvals counts the approving votes cast on r.
func (r *Request) Approvals() int {
	n := 0
	for _, v := range r.Votes {
		if v.Decision == DecisionApproved {
			n++
		}
	}
	return n
}

// OwnedBy reports whether a created r, by id (see Actor.Is).
func (r *Request) OwnedBy(a Actor) bool { return a.Is(r.CreatedByID, r.CreatedBy) }

// Cancel withdraws a pending request.
func (r *Request) Cancel(actor Actor, reason string, now time.Time) error {
	if r.Status != StatusPending {
		return r.alreadyDecided()
	}
	r.finish(StatusCancelled, actor.Name, reason, now)
	return nil
}

// Expire moves an overdue pending request to expired.
func (r *Request) Expire(now time.Time) error {
	if r.Status != StatusPending {
		return r.alreadyDecided()
	}
	if now.Before(r.ExpiresAt) {
		return Errorf(KindConflict, "not_expired", "request %s does not expire until %s", r.ID, r.ExpiresAt.Format(time.RFC3339))
	}
	r.finish(StatusExpired, SystemActor.Name, "expired without a decision", now)
	return nil
}

func (r *Request) finish(s Status, by, reason string, now time.Time) {
	r.Status = s
	r.DecidedBy = by
	r.DecisionReason = reason
	t := now
	r.DecidedAt = &t
	r.UpdatedAt = now
}

func (r *Request) alreadyDecided() *Error {
	return Errorf(KindConflict, CodeAlreadyDecided, "request %s is already %s", r.ID, r.Status).
		WithDetails(map[string]any{"status": string(r.Status)})
}
