package main

import (
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/agentgate/agentgate/internal/smtptest"
)

// serve with SMTP settings sends approval emails through the outbox: APPROVER_EMAILS gets
// the request no rule routes, with links under BASE_URL; a loopback BASE_URL is warned about.
func TestServeSendsApprovalEmails(t *testing.T) {
	in := smtptest.New()
	port := smtptest.Start(t, in, 0)
	s := startServer(t, "DATABASE_URL="+filepath.Join(t.TempDir(), "gate.db"), "ADMIN_API_KEY=a-long-admin-secret-value",
		"SMTP_HOST=127.0.0.1", "SMTP_PORT="+strconv.Itoa(port), "SMTP_TLS=none", "SMTP_FROM=AgentGate <gate@example.com>",
		"APPROVER_EMAILS=boss@example.com", "BASE_URL=http://127.0.0.1:1")
	if code, body := s.call(t, "a-long-admin-secret-value", http.MethodPost, "/api/requests", `{"action":"deploy"}`); code != http.StatusCreated {
		t.Fatalf("submit: %d %s", code, body)
	}
	m := in.Wait(t, 1)[0]
	if !strings.Contains(m.To, "boss@example.com") || !strings.HasPrefix(m.Link(t, "Approve:"), "http://127.0.0.1:1/decide/") {
		t.Errorf("mail to %q with link %q", m.To, m.Link(t, "Approve:"))
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "loopback address") {
		t.Errorf("no warning about the loopback BASE_URL in:\n%s", logs)
	}
	if strings.Contains(logs, "nothing delivers to") {
		t.Errorf("serve says email is not delivered:\n%s", logs)
	}
}
