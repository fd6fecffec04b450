package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/handlers"
	"github.com/agentgate/agentgate/internal/fakeslack"
)

// TestChannelTestAPI: POST /api/channels/:type/test sends the sample through the channel
// and reports the platform's answer, taken or not; only an admin may.
func TestChannelTestAPI(t *testing.T) {
	eachSlack(t, func(t *testing.T, e *slackEnv) {
		var res handlers.ChannelTest
		e.must(http.StatusOK, http.MethodPost, "/api/channels/slack/test", e.admin, nil, &res)
		if !res.Success || res.Channel != "slack" || res.Target != "#approvals" || res.StatusCode != 200 ||
			!strings.Contains(res.Response, "posted to CAPPROVALS") || res.Error != "" {
			t.Errorf("test = %+v", res)
		}
		if m := e.slack.Messages(); len(m) != 1 || m[0].Channel != "CAPPROVALS" || !strings.Contains(m[0].Text, "AgentGate can post here") {
			t.Errorf("Slack holds %+v", m)
		}

		e.slack.Fail("chat.postMessage", fakeslack.Failure{Error: "channel_not_found"})
		e.must(http.StatusOK, http.MethodPost, "/api/channels/slack/test", e.admin, nil, &res)
		if res.Success || !strings.Contains(res.Error, "channel_not_found") || res.Response != "the token is the bot agentgate in the workspace Fake Workspace; channel_not_found" {
			t.Errorf("a refused test = %+v", res)
		}

		e.call(http.MethodPost, "/api/channels/discord/test", e.admin, nil).wantError(t, http.StatusNotFound, "channel_not_configured")
		e.call(http.MethodPost, "/api/channels/webhook/test", e.admin, nil).wantError(t, http.StatusBadRequest, "invalid_channel_type")
		reader, _ := e.newKey("reader", nil, ag.ScopeRequestRead, ag.ScopeRequestDecide)
		e.call(http.MethodPost, "/api/channels/slack/test", reader, nil).wantError(t, http.StatusForbidden, "missing_scope")
		e.call(http.MethodPost, "/api/channels/slack/test", "", nil).want(t, http.StatusUnauthorized)
		if n := len(e.slack.Calls("chat.postMessage")); n != 2 {
			t.Errorf("%d posts; refused tests must send nothing", n)
		}
	})
}
