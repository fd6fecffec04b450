package slack_test

import (
	"strings"
	"testing"

	"github.com/agentgate/agentgate"
	chatslack "github.com/agentgate/agentgate/chat/slack"
	"github.com/agentgate/agentgate/internal/fakeslack"
)

var alice = fakeslack.Clicker{UserID: "U0ALICE", UserName: "alice", Channel: "CAPPROVALS", TS: "1700000000.000101"}

func TestParseInteraction(t *testing.T) {
	const id = "req_01JNX6B5Z0K3T9V7Q2M4W8Y6RA"
	ref := `{"requestId":"` + id + `","decision":"denied"}`
	noUser := alice
	noUser.UserID = ""
	for _, tc := range []struct {
		name    string
		payload []byte
		want    chatslack.Interaction
		wantErr string
	}{
		{"approve", fakeslack.Click(alice, chatslack.ActionApprove, id), chatslack.Interaction{Kind: chatslack.Click, RequestID: id,
			Decision: agentgate.DecisionApproved, UserID: "U0ALICE", UserName: "alice", ChannelID: "CAPPROVALS", TriggerID: "1337.42.trigger"}, ""},
		{"deny", fakeslack.Click(alice, chatslack.ActionDeny, id), chatslack.Interaction{Kind: chatslack.Click, RequestID: id,
			Decision: agentgate.DecisionDenied, UserID: "U0ALICE", UserName: "alice", ChannelID: "CAPPROVALS", TriggerID: "1337.42.trigger"}, ""},
		{"the dashboard link", fakeslack.Click(alice, chatslack.ActionOpen, ""), chatslack.Interaction{UserID: "U0ALICE", UserName: "alice"}, ""},
		{"another app's button", fakeslack.Click(alice, "other_action", id), chatslack.Interaction{UserID: "U0ALICE", UserName: "alice"}, ""},
		{"the reason dialog", fakeslack.Submit(alice, ref, "not today"), chatslack.Interaction{Kind: chatslack.Submission, RequestID: id,
			Decision: agentgate.DecisionDenied, Reason: "not today", UserID: "U0ALICE", UserName: "alice"}, ""},
		{"another dialog", []byte(`{"type":"view_submission","user":{"id":"U1"},"view":{"callback_id":"other"}}`), chatslack.Interaction{UserID: "U1"}, ""},
		{"a shortcut", []byte(`{"type":"shortcut","user":{"id":"U1"}}`), chatslack.Interaction{UserID: "U1"}, ""},
		{"not JSON", []byte(`payload=1`), chatslack.Interaction{}, "not valid JSON"},
		{"no user", fakeslack.Click(noUser, chatslack.ActionApprove, id), chatslack.Interaction{}, "no user"},
		{"no request", fakeslack.Click(alice, chatslack.ActionApprove, ""), chatslack.Interaction{}, "no request"},
		{"an overlong request id", fakeslack.Click(alice, chatslack.ActionApprove, strings.Repeat("x", 101)), chatslack.Interaction{}, "no request"},
		{"dialog metadata not ours", fakeslack.Submit(alice, "xyz", "r"), chatslack.Interaction{}, "metadata"},
		{"dialog with another decision", fakeslack.Submit(alice, `{"requestId":"`+id+`","decision":"maybe"}`, "r"), chatslack.Interaction{}, "neither approved nor denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := chatslack.ParseInteraction(tc.payload)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseInteraction = %+v, %v; want an error about %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseInteraction =\n %+v, %v\nwant\n %+v", got, err, tc.want)
			}
		})
	}
}

func TestFormPayload(t *testing.T) {
	p := fakeslack.Click(alice, chatslack.ActionApprove, "req_1")
	if got, err := chatslack.FormPayload(fakeslack.FormBody(p)); err != nil || string(got) != string(p) {
		t.Errorf("FormPayload = %s, %v", got, err)
	}
	for _, body := range []string{"", "text=hello", "payload=%zz"} {
		if _, err := chatslack.FormPayload([]byte(body)); err == nil {
			t.Errorf("FormPayload(%q) found a payload", body)
		}
	}
}
