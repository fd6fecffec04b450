package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/agentgate/agentgate/chat/discord/discordtest"
	chatslack "github.com/agentgate/agentgate/chat/slack"
	"github.com/agentgate/agentgate/internal/fakeslack"
	"github.com/agentgate/agentgate/internal/smtptest"
)

// TestServeDecisionReachesEveryChannel: through the built binary and its outbox, a request
// routed to email, Slack and Discord at once is approved by its email link, and both chat
// messages lose their buttons and say who approved, whichever channel the decision came by.
func TestServeDecisionReachesEveryChannel(t *testing.T) {
	in := smtptest.New()
	smtpPort := smtptest.Start(t, in, 0)
	slack := fakeslack.Start(t)
	discord := discordtest.New(t, "bot-token")
	const key = "a-long-admin-secret-value"
	s := startServer(t, "DATABASE_URL="+filepath.Join(t.TempDir(), "gate.db"), "ADMIN_API_KEY="+key,
		"SMTP_HOST=127.0.0.1", "SMTP_PORT="+strconv.Itoa(smtpPort), "SMTP_TLS=none", "SMTP_FROM=gate@example.com",
		"SLACK_BOT_TOKEN="+fakeslack.Token, "SLACK_SIGNING_SECRET="+fakeslack.SigningSecret,
		"SLACK_DEFAULT_CHANNEL=#approvals", "SLACK_API_URL="+slack.URL,
		"DISCORD_BOT_TOKEN=bot-token", "DISCORD_APPLICATION_ID="+testApp, "DISCORD_PUBLIC_KEY="+discordtest.NewKeys().PublicHex(),
		"DISCORD_API_URL="+discord.URL, "DISCORD_DEFAULT_CHANNEL=1100000000000000000")
	// BASE_URL is the server's own address, so the mailed link can be followed.
	if code, body := s.call(t, key, http.MethodPost, "/api/people", `{"name":"Ana","email":"ana@example.com"}`); code != http.StatusCreated {
		t.Fatalf("person: %d %s", code, body)
	}
	if code, body := s.call(t, key, http.MethodPost, "/api/policies", `{"name":"payments","rules":[
		{"match":{"action":"pay"},"decision":"route_to_human","approvers":["Ana"],"channels":["email","slack","discord"]}]}`); code != http.StatusCreated {
		t.Fatalf("policy: %d %s", code, body)
	}
	code, body := s.call(t, key, http.MethodPost, "/api/requests", `{"action":"pay","params":{"amount":120}}`)
	var r struct{ ID string }
	if code != http.StatusCreated || json.Unmarshal([]byte(body), &r) != nil || r.ID == "" {
		t.Fatalf("submit: %d %s", code, body)
	}

	buttons := func(m fakeslack.Message) bool {
		return strings.Contains(string(m.Attachments)+m.Text, chatslack.ActionApprove)
	}
	slack.WaitMessages(t, "the Slack post", func(ms []fakeslack.Message) bool { return len(ms) == 1 && buttons(ms[0]) })
	discord.Wait(t, "the Discord post", func() bool { return len(discord.Messages()) == 1 })
	mail := in.Wait(t, 1)[0]
	if !strings.Contains(mail.To, "ana@example.com") {
		t.Fatalf("the approval email went to %q", mail.To)
	}

	// The link's page is on this server whatever BASE_URL says: follow its path here.
	link, err := url.Parse(mail.Link(t, "Approve:"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.PostForm(s.base+link.Path, url.Values{"reason": {"paid by email"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the approval by link answered %d", res.StatusCode)
	}
	_, body = s.call(t, key, http.MethodGet, "/api/requests/"+r.ID, "")
	if !strings.Contains(body, `"status":"approved"`) || !strings.Contains(body, `"channel":"email"`) || !strings.Contains(body, `"decidedBy":"Ana"`) {
		t.Fatalf("after the email link the request is %s", body)
	}

	slack.WaitMessages(t, "the Slack message to show the email decision", func(ms []fakeslack.Message) bool {
		return len(ms) == 1 && !buttons(ms[0]) && strings.Contains(string(ms[0].Attachments)+ms[0].Text, "Ana")
	})
	discord.Wait(t, "the Discord message to show the email decision", func() bool {
		ms := discord.Messages()
		if len(ms) != 1 || len(ms[0].Body.Embeds) == 0 {
			return false
		}
		for _, row := range ms[0].Body.Components {
			for _, c := range row.Components {
				if c.CustomID != "" {
					return false // a button still decides
				}
			}
		}
		return strings.Contains(ms[0].Body.Embeds[0].Description+fieldText(ms[0]), "Ana")
	})
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
}
