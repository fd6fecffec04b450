package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func mapEnv(m map[string]string) env {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// A bad email setting stops the start with one line naming the variable.
func TestMailConfigErrorsNameTheVariable(t *testing.T) {
	base := map[string]string{"SMTP_HOST": "smtp.example.com", "SMTP_FROM": "gate@example.com"}
	for _, tc := range []struct{ name, value string }{
		{"SMTP_PORT", "smtp"}, {"SMTP_PORT", "70000"}, {"SMTP_TLS", "ssl"}, {"SMTP_FOLLOW_UPS", "maybe"},
		{"APPROVER_EMAILS", "ana@example.com, bob"}, {"APPROVER_EMAILS", "Ana <ana@example.com>"},
		{"SMTP_FROM", ""}, {"SMTP_HOST", "smtp.example.com:587"}, {"SMTP_USER", "gate"},
	} {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		env[tc.name] = tc.value
		_, err := loadConfig(mapEnv(env))
		want := tc.name
		if tc.name == "SMTP_USER" {
			want = "SMTP_PASS" // the user is fine; the password it needs is missing
		}
		if err == nil || !strings.HasPrefix(err.Error(), want+":") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s=%q: error %v, want one line starting with %s:", tc.name, tc.value, err, want)
		}
	}
}

func TestMailConfig(t *testing.T) {
	pass := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(pass, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(mapEnv(map[string]string{"SMTP_HOST": "smtp.example.com", "SMTP_FROM": "AgentGate <gate@example.com>",
		"SMTP_USER": "gate", "SMTP_PASS_FILE": pass, "SMTP_TLS": "TLS", "SMTP_PORT": "465", "SMTP_FOLLOW_UPS": "false",
		"APPROVER_EMAILS": " ana@example.com , ,bob@example.com", "BASE_URL": "https://gate.example.com"}))
	if err != nil {
		t.Fatal(err)
	}
	m := c.Mail
	if m == nil || m.Password != "s3cret" || m.Port != 465 || !m.NoFollowUps || m.Username != "gate" {
		t.Fatalf("mail config %+v", m)
	}
	if !slices.Equal(c.ApproverEmails, []string{"ana@example.com", "bob@example.com"}) {
		t.Errorf("APPROVER_EMAILS = %q", c.ApproverEmails)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings: %q", c.Warnings)
	}

	// Email with a loopback BASE_URL sends links no one else can open: a warning.
	for _, base := range []string{"", "http://127.0.0.1:3000", "http://[::1]:3000", "http://app.localhost"} {
		c, err = loadConfig(mapEnv(map[string]string{"SMTP_HOST": "mail", "SMTP_FROM": "gate@example.com", "BASE_URL": base}))
		if err != nil || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "BASE_URL") {
			t.Errorf("BASE_URL %q: warnings %q, %v", base, c.Warnings, err)
		}
	}
	// Without SMTP_HOST no email goes, and settings that need it say so.
	c, err = loadConfig(mapEnv(map[string]string{"APPROVER_EMAILS": "ana@example.com"}))
	if err != nil || c.Mail != nil || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "SMTP_HOST") {
		t.Errorf("no SMTP_HOST: mail %+v, warnings %q, %v", c.Mail, c.Warnings, err)
	}
}
