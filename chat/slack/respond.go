package slack

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/slack-go/slack"

	"github.com/agentgate/agentgate"
)

// Decider records decisions made in Slack; agentgate.Gate implements it.
type Decider interface {
	DecideInChat(ctx context.Context, requestID string, u agentgate.ChatUser, decision, reason string) (*agentgate.Request, error)
}

// answerBudget bounds the Web API calls made while answering an interaction, within the
// 3 seconds Slack waits for the answer.
const answerBudget = 2500 * time.Millisecond

// Interactions answers Slack's interaction payloads, whether they arrive at the HTTP
// endpoint or over Socket Mode. It is safe for concurrent use.
type Interactions struct {
	cfg     Config
	api     *slack.Client
	decider Decider
	opts    Options
	log     *slog.Logger
	emails  *emailLookup
}

// NewInteractions returns the Interactions for cfg, deciding through decider, or cfg's
// first problem (see Config.Validate).
func NewInteractions(cfg Config, decider Decider, opts Options) (*Interactions, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if _, err := requestLink(opts.BaseURL, "x"); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	api := newAPI(cfg, opts)
	return &Interactions{cfg: cfg, api: api, decider: decider, opts: opts, log: opts.Logger,
		emails: newEmailLookup(api, opts.Clock)}, nil
}

// Verify checks that an HTTP interaction request came from Slack (see Verify), at the
// clock's time.
func (in *Interactions) Verify(h http.Header, body []byte) error {
	return Verify(in.cfg.SigningSecret, h, body, in.opts.Clock.Now())
}

// HandleForm answers an interaction request's body, form-encoded as Slack posts it (see
// Handle). An error means the body holds no interaction payload.
func (in *Interactions) HandleForm(ctx context.Context, body []byte) ([]byte, error) {
	payload, err := FormPayload(body)
	if err != nil {
		return nil, err
	}
	return in.Handle(ctx, payload), nil
}

// Handle answers one interaction payload and returns the answer's body: nil for an empty
// 200, or JSON for Slack to act on (a dialog's errors). Everything else is done before it
// returns, within answerBudget: the decision, the dialog that asks for a required reason,
// or an ephemeral message telling the clicker why nothing changed. The message itself is
// brought up to date by the decision's outbox delivery, like every other copy of it.
func (in *Interactions) Handle(ctx context.Context, payload []byte) []byte {
	ia, err := ParseInteraction(payload)
	if err != nil {
		in.log.Warn("Ignored a Slack interaction that could not be read.", "err", err)
		return nil
	}
	if ia.Kind == Ignored {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, answerBudget)
	defer cancel()
	user := agentgate.ChatUser{Platform: agentgate.ChannelSlack, ID: ia.UserID, Name: ia.UserName, Email: in.emails.lookup(ia.UserID)}
	_, err = in.decider.DecideInChat(ctx, ia.RequestID, user, ia.Decision, ia.Reason)
	in.logOutcome(ia, err)
	switch {
	case err == nil:
		return nil
	case ia.Kind == Submission:
		return dialogErrors(refusal(err, ia.RequestID))
	case agentgate.ErrorCode(err) == "reason_required":
		if _, err := in.api.OpenViewContext(ctx, ia.TriggerID, ReasonDialog(ia.RequestID, ia.Decision)); err != nil {
			in.log.Warn("Could not open the Slack reason dialog.", "request_id", ia.RequestID, "err", err)
			in.tell(ctx, ia, "AgentGate could not open the dialog for your reason; nothing changed. Try again, or decide in the dashboard.")
		}
		return nil
	}
	in.tell(ctx, ia, refusal(err, ia.RequestID))
	return nil
}

// tell shows the clicker, and only the clicker, why a click changed nothing.
func (in *Interactions) tell(ctx context.Context, ia Interaction, msg string) {
	if ia.ChannelID == "" {
		return
	}
	if _, err := in.api.PostEphemeralContext(ctx, ia.ChannelID, ia.UserID, slack.MsgOptionText(escape(msg), false)); err != nil {
		in.log.Warn("Could not tell a Slack user why their click changed nothing.", "request_id", ia.RequestID, "err", err)
	}
}

func (in *Interactions) logOutcome(ia Interaction, err error) {
	attrs := []any{"request_id", ia.RequestID, "slack_user", ia.UserID, "decision", ia.Decision}
	switch kind := agentgate.ErrorKind(err); {
	case err == nil:
		in.log.Info("Decided in Slack.", attrs...)
	case kind == agentgate.KindInternal || kind == agentgate.KindUnavailable:
		in.log.Error("Could not record a decision made in Slack.", append(attrs, "err", err)...)
	default:
		in.log.Info("Refused a decision made in Slack.", append(attrs, "code", agentgate.ErrorCode(err))...)
	}
}

// dialogErrors is the answer that keeps the reason dialog open with msg under its field.
func dialogErrors(msg string) []byte {
	b, _ := json.Marshal(map[string]any{"response_action": "errors", "errors": map[string]string{reasonBlockID: msg}})
	return b
}
