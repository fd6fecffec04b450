package mail_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/agentgate/agentgate/mail"
)

func TestConfigValidate(t *testing.T) {
	good := mail.Config{Host: "smtp.example.com", Port: 587, Username: "u", Password: "p", From: "AgentGate <agentgate@example.com>"}
	for _, tc := range []struct {
		name   string
		change func(*mail.Config)
		want   string // the start of the error; "" for none
	}{
		{"complete", func(*mail.Config) {}, ""},
		{"bare address, no login, default port", func(c *mail.Config) { c.From, c.Username, c.Password, c.Port = "a@example.com", "", "", 0 }, ""},
		{"IPv6 host", func(c *mail.Config) { c.Host = "::1" }, ""},
		{"tls mode", func(c *mail.Config) { c.TLS = "TLS" }, ""},
		{"no host", func(c *mail.Config) { c.Host = "" }, "SMTP_HOST: required"},
		{"host with port", func(c *mail.Config) { c.Host = "smtp.example.com:587" }, "SMTP_HOST: \"smtp.example.com:587\": give the port in SMTP_PORT"},
		{"IPv6 host in brackets", func(c *mail.Config) { c.Host = "[::1]" }, "SMTP_HOST: \"[::1]\": write an IPv6 address without brackets"},
		{"host as URL", func(c *mail.Config) { c.Host = "smtp://smtp.example.com" }, "SMTP_HOST: \"smtp://smtp.example.com\" must be a host name"},
		{"port too big", func(c *mail.Config) { c.Port = 70000 }, "SMTP_PORT: 70000 is not a port number"},
		{"negative port", func(c *mail.Config) { c.Port = -1 }, "SMTP_PORT: -1 is not a port number"},
		{"from not an address", func(c *mail.Config) { c.From = "x" }, `SMTP_FROM: "x" is not an email address`},
		{"no from", func(c *mail.Config) { c.From = "" }, "SMTP_FROM: required"},
		{"user without password", func(c *mail.Config) { c.Password = "" }, "SMTP_PASS: required when SMTP_USER is set"},
		{"password without user", func(c *mail.Config) { c.Username = "" }, "SMTP_USER: required when SMTP_PASS is set"},
		{"password with a newline", func(c *mail.Config) { c.Password = "p\n" }, "SMTP_PASS: must not contain line breaks"},
		{"unknown TLS mode", func(c *mail.Config) { c.TLS = "ssl" }, `SMTP_TLS: "ssl" is not one of starttls, tls, none`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.change(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Fatalf("Validate() = %v, want %q…", err, tc.want)
			case err != nil && strings.Contains(err.Error(), "\n"):
				t.Fatalf("Validate() = %q: more than one line", err)
			}
		})
	}
}

func TestConfigWarnings(t *testing.T) {
	for _, tc := range []struct {
		c    mail.Config
		want []string // the start of each warning
	}{
		{mail.Config{TLS: mail.TLSNone, Username: "u", Password: "p"}, []string{"SMTP_TLS=none: the SMTP password is sent unencrypted"}},
		{mail.Config{TLS: mail.TLSNone}, nil},
		{mail.Config{Port: 465}, []string{"SMTP_PORT=465 usually expects TLS from the start"}},
		{mail.Config{TLS: mail.TLSImplicit, Port: 587}, []string{"SMTP_PORT=587 usually expects STARTTLS"}},
		{mail.Config{TLS: mail.TLSStartTLS, Port: 587, Password: "p"}, nil},
	} {
		got := tc.c.Warnings()
		if len(got) != len(tc.want) || !slices.EqualFunc(got, tc.want, strings.HasPrefix) {
			t.Errorf("%+v: Warnings() = %q, want %q", tc.c, got, tc.want)
		}
	}
}

func TestParseTLSMode(t *testing.T) {
	for in, want := range map[string]mail.TLSMode{"": mail.TLSStartTLS, "starttls": mail.TLSStartTLS, " TLS ": mail.TLSImplicit, "none": mail.TLSNone} {
		if got, err := mail.ParseTLSMode(in); err != nil || got != want {
			t.Errorf("ParseTLSMode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := mail.ParseTLSMode("starttls,tls"); err == nil {
		t.Error("ParseTLSMode accepted two modes")
	}
}
