package mail_test

import (
	"context"
	"strings"
	"testing"
)

// TestCheck: Check logs in and quits without sending; a wrong password is the refused
// login a send would report, and a server that is not there says so.
func TestCheck(t *testing.T) {
	srv := (&smtpServer{user: "agentgate", pass: "s3cret"}).start(t, 0)
	cfg := config(srv.Port)
	cfg.Username, cfg.Password = "agentgate", "s3cret"
	s, _ := newSender(t, cfg, nil)
	if err := s.Check(context.Background()); err != nil {
		t.Fatalf("Check with the right password: %v", err)
	}
	if n := len(srv.messages()); n != 0 {
		t.Fatalf("Check sent %d messages", n)
	}

	cfg.Password = "wrong"
	s, _ = newSender(t, cfg, nil)
	if err := s.Check(context.Background()); err == nil || !strings.Contains(err.Error(), `logging in to the SMTP server as "agentgate" failed: 535`) {
		t.Fatalf("Check with a wrong password: %v", err)
	}

	s, _ = newSender(t, config(freePort(t)), nil)
	if err := s.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("Check with no server: %v", err)
	}
}
