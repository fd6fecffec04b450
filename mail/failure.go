package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"github.com/agentgate/agentgate"
)

// failed turns a failed attempt into its result. Refusals of this recipient or this
// message (a 5xx to RCPT TO or DATA) are Permanent. Everything else is retried: a 4xx
// answer is the server asking for it, and a problem with the server as a whole (down,
// refusing the login, failing TLS, refusing the sender) is for the operator to fix, after
// which the waiting deliveries go out. Those are logged once per distinct reason.
func (s *Sender) failed(ctx context.Context, err error) (agentgate.SendResult, error) {
	var send *gomail.SendError
	var login *loginError
	switch {
	case errors.Is(err, context.Canceled):
		return agentgate.SendResult{}, fmt.Errorf("email: the attempt was cancelled: %w", err)
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return agentgate.SendResult{}, fmt.Errorf("email: the SMTP server did not finish in time: %w", err)
	case errors.As(err, &login):
		return s.outage.Report(slog.LevelError, "email: "+login.Error())
	case errors.As(err, &send):
		return s.refused(send)
	case isTLSFailure(err):
		return s.outage.Report(slog.LevelError, "email: TLS with the SMTP server failed: "+err.Error())
	case strings.Contains(err.Error(), "does not support STARTTLS"): // go-mail's words; only the message depends on them
		return s.outage.Report(slog.LevelError, "email: the SMTP server does not offer STARTTLS: set SMTP_TLS=tls if it speaks TLS from the start (port 465), or none for a relay without TLS")
	case isNetworkFailure(err):
		return s.outage.Report(slog.LevelWarn, "email: cannot reach the SMTP server: "+err.Error())
	}
	return s.outage.Report(slog.LevelError, "email: the SMTP session failed: "+err.Error())
}

// refused reads an SMTP answer to the transaction. go-mail marks 4xx answers temporary.
func (s *Sender) refused(e *gomail.SendError) (agentgate.SendResult, error) {
	err := fmt.Errorf("email: the SMTP server answered %s: %w", e.Reason, e)
	if e.IsTemp() || e.ErrorCode() < 500 {
		return agentgate.SendResult{}, err
	}
	switch e.Reason {
	case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose, gomail.ErrWriteContent:
		return agentgate.SendResult{Permanent: true}, err
	}
	// A 5xx to MAIL FROM refuses the sender, so every message: a setting to fix, not a
	// reason to drop this one.
	return s.outage.Report(slog.LevelError, err.Error())
}

func isTLSFailure(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var header tls.RecordHeaderError
	var alert tls.AlertError
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) ||
		errors.As(err, &header) || errors.As(err, &alert)
}

func isNetworkFailure(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &op) || errors.As(err, &dns)
}
