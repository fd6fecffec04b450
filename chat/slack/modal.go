package slack

import (
	"encoding/json"

	"github.com/slack-go/slack"

	"github.com/agentgate/agentgate"
)

// The reason dialog's ids, which its submission carries back.
const (
	ReasonCallbackID = "agentgate_reason"
	reasonBlockID    = "reason"
	reasonActionID   = "reason"
)

// dialogRef is what the reason dialog remembers (its private_metadata): the request and
// the decision the click asked for.
type dialogRef struct {
	RequestID string `json:"requestId"`
	Decision  string `json:"decision"`
}

// ReasonDialog is the modal that asks for the reason a rule requires before a click on
// Approve or Deny decides.
func ReasonDialog(requestID, decision string) slack.ModalViewRequest {
	verb, submit := "Approve", "Approve"
	if decision == agentgate.DecisionDenied {
		verb, submit = "Deny", "Deny"
	}
	ref, _ := json.Marshal(dialogRef{RequestID: requestID, Decision: decision})
	input := slack.NewPlainTextInputBlockElement(plainText("Why?"), reasonActionID)
	input.Multiline, input.MinLength, input.MaxLength = true, 1, agentgate.MaxReasonLen
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      ReasonCallbackID,
		Title:           plainText(verb + " request"),
		Submit:          plainText(submit),
		Close:           plainText("Cancel"),
		PrivateMetadata: string(ref),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(plainText(verb+" request "+requestID+"? The rule that routed it asks for a reason, which the audit log keeps."), nil, nil),
			slack.NewInputBlock(reasonBlockID, plainText("Reason"), nil, input),
		}},
	}
}
