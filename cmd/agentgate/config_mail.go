package main

import (
	"fmt"
	"net"
	netmail "net/mail"
	"net/url"
	"strings"

	"github.com/agentgate/agentgate/mail"
)

// loadMail reads the email settings: SMTP_HOST (no email without it), SMTP_PORT,
// SMTP_USER, SMTP_PASS, SMTP_FROM, SMTP_TLS, SMTP_FOLLOW_UPS and APPROVER_EMAILS. A bad
// setting is one line naming the variable; what is allowed but probably wrong is a warning.
func (c *config) loadMail(e env) error {
	m := mail.Config{Host: c.get(e, "SMTP_HOST"), Username: c.get(e, "SMTP_USER"), Password: c.get(e, "SMTP_PASS"),
		From: c.get(e, "SMTP_FROM"), TLS: mail.TLSMode(c.get(e, "SMTP_TLS"))}
	var err error
	if m.Port, err = intVar(c.get(e, "SMTP_PORT"), 0, 1, 65535); err != nil {
		return fmt.Errorf("SMTP_PORT: %w", err)
	}
	switch v := strings.ToLower(c.get(e, "SMTP_FOLLOW_UPS")); v {
	case "", "true", "1":
	case "false", "0":
		m.NoFollowUps = true
	default:
		return fmt.Errorf("SMTP_FOLLOW_UPS: %q is not true or false", v)
	}
	for _, a := range strings.Split(c.get(e, "APPROVER_EMAILS"), ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		if p, err := netmail.ParseAddress(a); err != nil || p.Address != a || !strings.Contains(a, "@") {
			return fmt.Errorf("APPROVER_EMAILS: %q is not an email address such as ana@example.com (separate several with commas)", a)
		}
		c.ApproverEmails = append(c.ApproverEmails, a)
	}
	if m.Host == "" {
		if len(c.ApproverEmails) > 0 || m.From != "" {
			c.Warnings = append(c.Warnings, "SMTP_HOST is not set, so no email is sent (APPROVER_EMAILS and SMTP_FROM have no effect)")
		}
		return nil
	}
	if err := m.Validate(); err != nil {
		return err
	}
	c.Mail = &m
	c.Warnings = append(c.Warnings, m.Warnings()...)
	if loopback(c.BaseURL) {
		c.Warnings = append(c.Warnings, fmt.Sprintf("BASE_URL is %s, a loopback address: the decision links in approval emails open only on this machine; set BASE_URL to the server's public URL", c.BaseURL))
	}
	return nil
}

// loopback reports whether a URL's host is this machine only.
func loopback(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	h := strings.ToLower(u.Hostname())
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
