package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// transmit sends msg over a new connection. The connection is closed when ctx ends, so a
// cancelled or overdue attempt stops at once whatever it is waiting for.
func (s *Sender) transmit(ctx context.Context, msg *gomail.Msg) error {
	return s.connect(ctx, func(ctx context.Context, client *gomail.Client) error {
		return client.DialAndSendWithContext(ctx, msg)
	})
}

// Check connects to the SMTP server, says hello, protects the connection as SMTP_TLS
// says, logs in when SMTP_USER is set, and quits, sending nothing: what `agentgate doctor`
// asks of the email settings. Its errors read as a failed attempt's do.
func (s *Sender) Check(ctx context.Context) error {
	return s.connect(ctx, func(ctx context.Context, client *gomail.Client) error {
		if err := client.DialWithContext(ctx); err != nil {
			return err
		}
		return client.Close()
	})
}

// connect runs use with a client for one connection, bounded by the attempt's timeout,
// and words what went wrong: the attempt's end, or a refused login.
func (s *Sender) connect(ctx context.Context, use func(context.Context, *gomail.Client) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	timeout := time.Until(deadline)
	if err := ctx.Err(); err != nil {
		return err
	}
	if timeout <= 0 {
		return context.DeadlineExceeded
	}
	auth := &login{user: s.cfg.Username, pass: s.cfg.Password, host: s.cfg.Host}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.port()),
		gomail.WithTimeout(timeout),
		gomail.WithDialContextFunc(s.dialer(ctx)),
		gomail.WithTLSConfig(s.tlsConfig()),
	}
	switch s.cfg.mode() {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL()) // the dialer speaks TLS; go-mail must not STARTTLS
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		auth.clear = true
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuthCustom(auth))
	}
	client, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return err
	}
	err = use(ctx, client)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil: // the connection was closed under it; say why
		return fmt.Errorf("%w: %v", ctx.Err(), err)
	case errors.Is(err, os.ErrDeadlineExceeded): // go-mail's deadline is the attempt's
		return fmt.Errorf("%w: %v", context.DeadlineExceeded, err)
	case auth.started && !auth.done:
		return &loginError{user: s.cfg.Username, err: auth.failure(err)}
	}
	return err
}

func (s *Sender) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: s.cfg.Host, RootCAs: s.opts.RootCAs, MinVersion: tls.VersionTLS12}
}

// dialer connects to the configured host and port (go-mail's own address joins an IPv6
// host wrongly), speaking TLS from the start in the tls mode.
func (s *Sender) dialer(attempt context.Context) gomail.DialContextFunc {
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.port()))
		d := &net.Dialer{}
		var conn net.Conn
		var err error
		if s.cfg.mode() == TLSImplicit {
			conn, err = (&tls.Dialer{NetDialer: d, Config: s.tlsConfig()}).DialContext(ctx, "tcp", addr)
		} else {
			conn, err = d.DialContext(ctx, "tcp", addr)
		}
		if err != nil {
			return nil, err
		}
		context.AfterFunc(attempt, func() { _ = conn.Close() })
		return conn, nil
	}
}

// login is SMTP AUTH with the strongest of the common mechanisms the server offers. It
// records that authentication began, which tells a refused login from other failures.
type login struct {
	user, pass, host string
	clear            bool // SMTP_TLS=none: the operator accepted sending credentials unencrypted
	mech             smtp.Auth
	started, done    bool
	refused          error // why Start chose no mechanism
}

// Start picks the mechanism: over TLS PLAIN first (the password is protected and every
// server has it); in clear CRAM-MD5 first, which does not send the password.
func (a *login) Start(info *smtp.ServerInfo) (string, []byte, error) {
	a.started = true
	offers := func(m string) bool {
		for _, o := range info.Auth {
			if strings.EqualFold(o, m) {
				return true
			}
		}
		return false
	}
	switch {
	case !info.TLS && offers("CRAM-MD5"):
		a.mech = smtp.CRAMMD5Auth(a.user, a.pass)
	case offers("PLAIN"):
		a.mech = smtp.PlainAuth("", a.user, a.pass, a.host, a.clear)
	case offers("LOGIN"):
		a.mech = smtp.LoginAuth(a.user, a.pass, a.host, a.clear)
	case offers("CRAM-MD5"):
		a.mech = smtp.CRAMMD5Auth(a.user, a.pass)
	case len(info.Auth) == 0:
		a.refused = errors.New("the server offers no login (no AUTH in its EHLO answer); leave SMTP_USER empty if it needs none")
		return "", nil, a.refused
	default:
		a.refused = fmt.Errorf("the server offers only %s; AgentGate logs in with PLAIN, LOGIN or CRAM-MD5", strings.Join(info.Auth, ", "))
		return "", nil, a.refused
	}
	return a.mech.Start(info)
}

// Next continues the chosen mechanism; a final answer without more ends the login.
func (a *login) Next(fromServer []byte, more bool) ([]byte, error) {
	b, err := a.mech.Next(fromServer, more)
	if err == nil && !more {
		a.done = true
	}
	return b, err
}

// loginError is a refused or failed SMTP login.
type loginError struct {
	user string
	err  error
}

func (e *loginError) Error() string {
	return fmt.Sprintf("logging in to the SMTP server as %q failed: %v", e.user, e.err)
}

func (e *loginError) Unwrap() error { return e.err }

// failure is why the login failed: the server's answer, or why none was tried, rather
// than go-mail's wrapping of it.
func (a *login) failure(err error) error {
	if a.refused != nil {
		return a.refused
	}
	var reply *textproto.Error
	if errors.As(err, &reply) {
		return reply
	}
	return err
}
