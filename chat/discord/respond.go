package discord

import (
	"context"
	"log/slog"

	"github.com/agentgate/agentgate"
)

// Decider is the gate, as a click reaches it.
type Decider interface {
	DecideInChat(ctx context.Context, requestID string, u agentgate.ChatUser, decision, reason string) (*agentgate.Request, error)
}

// Responder turns interactions into decisions and Discord's answers. The HTTP endpoint
// and the Gateway share it, so a click means the same whichever way it came.
type Responder struct {
	gate    Decider
	appID   string
	baseURL string
	log     *slog.Logger
}

// NewResponder returns a Responder deciding through gate, for the app cfg names, linking
// to the server at baseURL (BASE_URL).
func NewResponder(gate Decider, cfg Config, baseURL string, log *slog.Logger) *Responder {
	if log == nil {
		log = slog.Default()
	}
	return &Responder{gate: gate, appID: cfg.ApplicationID, baseURL: baseURL, log: log}
}

// Respond answers one verified interaction. A PING gets a PONG. A click on Approve or
// Deny decides as the clicker and shows the request as it now is in the message;
// when the rule requires a reason, it opens a form asking for one, whose submission
// decides. Whatever does not decide (the clicker may not, the request is already
// decided or expired, AgentGate is down) gets a note only the clicker sees, and changes
// nothing.
func (p *Responder) Respond(ctx context.Context, in Interaction) Response {
	if in.Type == InteractionPing {
		return Response{Type: ResponsePong}
	}
	if in.ApplicationID != p.appID {
		return Ephemeral("This interaction is for another app; AgentGate did nothing.")
	}
	c, ok := in.Choice()
	if !ok {
		return Ephemeral("This is not one of AgentGate's buttons; nothing changed.")
	}
	r, err := p.gate.DecideInChat(ctx, c.RequestID, in.Clicker(), c.Decision, c.Reason)
	if err == nil {
		return Update(*r, LinksFor(p.baseURL, r.ID))
	}
	if agentgate.ErrorCode(err) == "reason_required" && !c.Form {
		return ReasonForm(c.RequestID, c.Decision)
	}
	return Ephemeral(p.refusal(ctx, c, err))
}

// refusal says, for the clicker alone, why their click changed nothing.
func (p *Responder) refusal(ctx context.Context, c Choice, err error) string {
	switch agentgate.ErrorCode(err) {
	case "not_an_approver":
		return "You may not decide this request: its policy names who may. Nothing changed."
	case "already_decided":
		return "This request was already decided; nothing changed. The message shows its outcome."
	case "already_voted":
		return "You already voted on this request; one vote per person. Nothing changed."
	case "request_expired":
		return "This request expired; it can no longer be decided."
	case "reason_required":
		return "The policy requires a reason with this decision; nothing changed."
	case "invalid_reason", "invalid_decision":
		return agentgate.ErrorMessage(err) + ". Nothing changed."
	case "invalid_chat_user":
		return "Discord did not say who clicked; nothing changed."
	}
	if agentgate.ErrorKind(err) == agentgate.KindNotFound {
		return "AgentGate has no such request; nothing changed."
	}
	if agentgate.ErrorKind(err) == agentgate.KindInternal {
		p.log.ErrorContext(ctx, "Could not record a decision made in Discord.", "request_id", c.RequestID, "err", err)
	}
	return "AgentGate could not record your decision just now; nothing changed. Please try again in a moment."
}
