package slack_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/agentgate/agentgate"
	chatslack "github.com/agentgate/agentgate/chat/slack"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/internal/fakeslack"
)

// TestSocketMode: with an app token the clicks arrive over the WebSocket, are answered in
// the envelope's ack as the HTTP endpoint answers them, and decide.
func TestSocketMode(t *testing.T) {
	e := newEnv(t, dbtest.Open(t, db.DialectSQLite), func(c *chatslack.Config) { c.SigningSecret, c.AppToken = "", fakeslack.AppToken })
	e.policy(t, `[{"match": {"action": "why"}, "decision": "route_to_human", "requireReason": true}]`)
	ctx, cancel := context.WithCancel(bg)
	stopped := make(chan error, 1)
	go func() { stopped <- e.interactions.RunSocketMode(ctx) }()

	r := e.submit(t, "deploy")
	if ack := e.slack.Interact(t, fakeslack.Click(alice, chatslack.ActionApprove, r.ID)); ack != nil {
		t.Errorf("ack payload %s; want none", ack)
	}
	if e.status(t, r.ID) != agentgate.StatusApproved {
		t.Errorf("the click over Socket Mode left the request %s", e.status(t, r.ID))
	}

	why := e.submit(t, "why")
	e.slack.Interact(t, fakeslack.Click(bob, chatslack.ActionApprove, why.ID))
	meta := fakeslack.DialogMetadata(t, e.slack.WaitCalls(t, "views.open", 1)[0])
	var answer struct {
		Errors map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(e.slack.Interact(t, fakeslack.Submit(bob, meta, " ")), &answer); err != nil || !strings.Contains(answer.Errors["reason"], "Give a reason") {
		t.Errorf("a blank reason over Socket Mode answered %+v, %v", answer, err)
	}

	cancel()
	if err := <-stopped; err != nil {
		t.Errorf("RunSocketMode after its context ended = %v", err)
	}
	if !strings.Contains(e.logs.String(), "Connected to Slack over Socket Mode.") {
		t.Errorf("logs:\n%s", e.logs.String())
	}
}

// TestSocketModeRefusedToken: a refused app token stops Socket Mode with the reason.
func TestSocketModeRefusedToken(t *testing.T) {
	e := newEnv(t, dbtest.Open(t, db.DialectSQLite), func(c *chatslack.Config) { c.AppToken = "xapp-wrong" })
	if err := e.interactions.RunSocketMode(bg); err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("RunSocketMode with a refused app token = %v", err)
	}
}
