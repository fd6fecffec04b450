package main

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// finishMail decides whether email is on (SMTP_HOST) and checks the SMTP_* settings
// together. A bad setting is one line naming the variable; what is allowed but probably
// wrong is a warning.
func (c *config) finishMail() error {
	m := c.smtp
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
