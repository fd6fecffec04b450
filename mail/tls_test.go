package mail_test

import (
	"crypto/x509"
	"strings"
	"testing"

	"github.com/agentgate/agentgate/mail"
)

// TestSendTLS: both TLS modes against a server with a self-signed certificate, trusted
// through Options.RootCAs; untrusted or missing TLS is a server problem, retried and logged.
func TestSendTLS(t *testing.T) {
	serverTLS, trusted := selfSigned(t)
	for _, tc := range []struct {
		name     string
		mode     mail.TLSMode
		server   *smtpServer
		roots    *x509.CertPool
		login    bool
		wantSent bool
		wantLog  string
	}{
		{name: "starttls", mode: mail.TLSStartTLS, server: &smtpServer{tls: serverTLS}, roots: trusted, wantSent: true},
		{name: "starttls with login", mode: mail.TLSStartTLS, server: &smtpServer{tls: serverTLS, user: "u", pass: "p"}, roots: trusted, login: true, wantSent: true},
		{name: "implicit tls", mode: mail.TLSImplicit, server: &smtpServer{tls: serverTLS, implicit: true}, roots: trusted, wantSent: true},
		{name: "starttls, certificate not trusted", mode: mail.TLSStartTLS, server: &smtpServer{tls: serverTLS}, wantLog: "TLS"},
		{name: "starttls, server does not offer it", mode: mail.TLSStartTLS, server: &smtpServer{}, roots: trusted, wantLog: "STARTTLS"},
		{name: "implicit tls, server speaks clear", mode: mail.TLSImplicit, server: &smtpServer{}, roots: trusted, wantLog: "TLS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := tc.server.start(t, 0)
			cfg := config(srv.Port)
			cfg.TLS = tc.mode
			if tc.login {
				cfg.Username, cfg.Password = "u", "p"
			}
			s, logs := newSender(t, cfg, links{}, func(o *mail.Options) { o.RootCAs = tc.roots })
			res, err := send(t, s, delivery(t, "request.created", pending(), created))
			got := srv.messages()
			if tc.wantSent {
				if err != nil || len(got) != 1 || !got[0].TLS {
					t.Fatalf("Send = %+v, %v; %d messages (TLS: %v)", res, err, len(got), len(got) == 1 && got[0].TLS)
				}
				return
			}
			if err == nil || res.Permanent || len(got) != 0 {
				t.Fatalf("Send = %+v, %v, %d sent; want a retryable error", res, err, len(got))
			}
			if lines := logs.lines(); len(lines) != 1 || !strings.Contains(lines[0], tc.wantLog) {
				t.Errorf("log %q; want one line about %s", lines, tc.wantLog)
			}
		})
	}
}
