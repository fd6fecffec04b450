package fakeslack

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	chatslack "github.com/agentgate/agentgate/chat/slack"
)

// SigningSecret is the signing secret the payloads of these tests are signed with.
const SigningSecret = "fake-signing-secret"

// Clicker is a Slack user clicking, and where.
type Clicker struct {
	UserID, UserName string
	Channel, TS      string // the message clicked
}

// Click is the block_actions payload of c clicking the button actionID (chat/slack's
// ActionApprove, ActionDeny or ActionOpen) carrying value, as Slack sends it.
func Click(c Clicker, actionID, value string) []byte {
	b, _ := json.Marshal(map[string]any{
		"type":         "block_actions",
		"user":         map[string]any{"id": c.UserID, "username": c.UserName, "name": c.UserName, "team_id": "T0FAKE"},
		"api_app_id":   "A0FAKE",
		"team":         map[string]any{"id": "T0FAKE", "domain": "fake"},
		"container":    map[string]any{"type": "message_attachment", "message_ts": c.TS, "channel_id": c.Channel, "is_ephemeral": false},
		"trigger_id":   "1337.42.trigger",
		"channel":      map[string]any{"id": c.Channel, "name": "approvals"},
		"message":      map[string]any{"type": "message", "ts": c.TS, "text": "Approval needed"},
		"response_url": "https://hooks.slack.com/actions/T0FAKE/1/fake",
		"actions": []map[string]any{{"type": "button", "action_id": actionID, "block_id": "b1", "value": value,
			"action_ts": "1700000002.000001", "text": map[string]any{"type": "plain_text", "text": "Approve"}}},
	})
	return b
}

// Submit is the view_submission payload of c submitting the reason dialog with reason;
// metadata is the dialog's private_metadata as AgentGate opened it (see the views.open
// call), so the submission carries back what the dialog was opened for.
func Submit(c Clicker, metadata, reason string) []byte {
	b, _ := json.Marshal(map[string]any{
		"type": "view_submission",
		"user": map[string]any{"id": c.UserID, "username": c.UserName, "name": c.UserName, "team_id": "T0FAKE"},
		"team": map[string]any{"id": "T0FAKE", "domain": "fake"},
		"view": map[string]any{"id": "V0FAKE", "type": "modal", "callback_id": chatslack.ReasonCallbackID, "private_metadata": metadata,
			"state": map[string]any{"values": map[string]any{"reason": map[string]any{"reason": map[string]any{"type": "plain_text_input", "value": reason}}}}},
	})
	return b
}

// DialogMetadata returns the private_metadata of the dialog a views.open call opened.
func DialogMetadata(t testing.TB, c Call) string {
	t.Helper()
	var v struct {
		View struct {
			PrivateMetadata string `json:"private_metadata"`
		} `json:"view"`
	}
	if err := json.Unmarshal(c.JSON, &v); err != nil {
		t.Fatalf("fakeslack: views.open body: %v", err)
	}
	return v.View.PrivateMetadata
}

// FormBody is an interaction payload as Slack posts it: form-encoded as payload=<json>.
func FormBody(payload []byte) []byte {
	return []byte(url.Values{"payload": {string(payload)}}.Encode())
}

// PostInteraction posts payload to an interactions URL as Slack does, signed with secret
// at time at, and returns the response.
func PostInteraction(t testing.TB, endpoint, secret string, payload []byte, at time.Time) *http.Response {
	t.Helper()
	body := FormBody(payload)
	req, err := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = chatslack.SignatureHeaders(secret, body, at)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("fakeslack: post the interaction: %v", err)
	}
	return res
}
