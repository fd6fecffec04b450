package slack

import (
	"errors"
	"fmt"

	"github.com/agentgate/agentgate"
)

// refusal is what a clicker is told, ephemerally or in the reason dialog, when their
// click or submission changed nothing. It never shows an internal error's text.
func refusal(err error, requestID string) string {
	var e *agentgate.Error
	errors.As(err, &e)
	switch code := agentgate.ErrorCode(err); code {
	case "not_an_approver":
		return "You are not one of the approvers of request " + requestID + ", so your click changed nothing. Its policy names who may decide."
	case "already_decided":
		status := "decided"
		if e != nil {
			if s, ok := e.Details["status"].(string); ok {
				status = s
			}
		}
		return fmt.Sprintf("Request %s is already %s; your click changed nothing.", requestID, status)
	case "request_expired":
		return "Request " + requestID + " expired before your click; it can no longer be decided."
	case "already_voted":
		return "You have already voted on request " + requestID + "; one vote per person."
	case "reason_required":
		return "Give a reason: the rule that routed this request requires one."
	case "not_found":
		return "AgentGate has no request " + requestID + "."
	}
	switch agentgate.ErrorKind(err) {
	case agentgate.KindInvalid, agentgate.KindUnprocessable, agentgate.KindConflict, agentgate.KindForbidden:
		return agentgate.ErrorMessage(err) + "; nothing changed."
	case agentgate.KindUnavailable:
		return "AgentGate cannot reach its database right now, so nothing was recorded. Try again in a minute."
	}
	return "AgentGate could not record your decision, so nothing changed. Try again, or decide in the dashboard."
}
