package mail

import (
	"fmt"
	"net"
	"net/mail"
	"strings"
)

// TLSMode says how the connection to the SMTP server is protected (SMTP_TLS).
type TLSMode string

// TLS modes.
const (
	// TLSStartTLS connects in clear and upgrades with STARTTLS, refusing to go on when the
	// server does not offer it (the usual submission port, 587). The default.
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the first byte (SMTPS, port 465).
	TLSImplicit TLSMode = "tls"
	// TLSNone never encrypts: for a relay on the same host or network only.
	TLSNone TLSMode = "none"
)

// ParseTLSMode reads SMTP_TLS; the empty string means starttls.
func ParseTLSMode(s string) (TLSMode, error) {
	switch m := TLSMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return TLSStartTLS, nil
	case TLSStartTLS, TLSImplicit, TLSNone:
		return m, nil
	}
	return "", fmt.Errorf("SMTP_TLS: %q is not one of starttls, tls, none", s)
}

// Config is how to reach the SMTP server, from the SMTP_* settings.
type Config struct {
	Host     string  // SMTP_HOST: a host name or IP address, without a port
	Port     int     // SMTP_PORT: 0 means the mode's usual port (587, 465, or 25 for none)
	Username string  // SMTP_USER: empty sends without logging in
	Password string  // SMTP_PASS or SMTP_PASS_FILE
	From     string  // SMTP_FROM: "agentgate@example.com" or "AgentGate <agentgate@example.com>"
	TLS      TLSMode // SMTP_TLS: empty means starttls
	// NoFollowUps turns off the short message sent when a request is decided, expires or is
	// cancelled (SMTP_FOLLOW_UPS=false): such deliveries succeed without sending.
	NoFollowUps bool
}

// Validate checks c and returns the first problem as one line that names the setting, for
// the server to stop on. It does not connect.
func (c Config) Validate() error {
	if _, err := ParseTLSMode(string(c.TLS)); err != nil {
		return err
	}
	if err := checkHost(c.Host); err != nil {
		return err
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("SMTP_PORT: %d is not a port number (1-65535)", c.Port)
	}
	if _, err := parseFrom(c.From); err != nil {
		return err
	}
	switch {
	case c.Username != "" && c.Password == "":
		return fmt.Errorf("SMTP_PASS: required when SMTP_USER is set (or give SMTP_PASS_FILE)")
	case c.Username == "" && c.Password != "":
		return fmt.Errorf("SMTP_USER: required when SMTP_PASS is set")
	case strings.ContainsAny(c.Username, "\x00\r\n"):
		return fmt.Errorf("SMTP_USER: must not contain line breaks or NUL")
	case strings.ContainsAny(c.Password, "\x00\r\n"):
		return fmt.Errorf("SMTP_PASS: must not contain line breaks or NUL (a password file's last newline is trimmed)")
	}
	return nil
}

// Warnings lists what is allowed but probably wrong, one line each, for the server to log
// at start.
func (c Config) Warnings() []string {
	var w []string
	mode, _ := ParseTLSMode(string(c.TLS))
	if mode == TLSNone && c.Password != "" {
		w = append(w, "SMTP_TLS=none: the SMTP password is sent unencrypted; use starttls or tls unless the server is on this host")
	}
	switch {
	case mode == TLSStartTLS && c.Port == 465:
		w = append(w, "SMTP_PORT=465 usually expects TLS from the start: set SMTP_TLS=tls")
	case mode == TLSImplicit && (c.Port == 587 || c.Port == 25):
		w = append(w, fmt.Sprintf("SMTP_PORT=%d usually expects STARTTLS: set SMTP_TLS=starttls", c.Port))
	}
	return w
}

// mode is c's TLS mode, with the default applied. Validate has checked it.
func (c Config) mode() TLSMode {
	m, _ := ParseTLSMode(string(c.TLS))
	return m
}

// port is the port to dial: the one given, or the mode's usual one.
func (c Config) port() int {
	switch {
	case c.Port != 0:
		return c.Port
	case c.mode() == TLSImplicit:
		return 465
	case c.mode() == TLSNone:
		return 25
	}
	return 587
}

func checkHost(h string) error {
	switch {
	case h == "":
		return fmt.Errorf("SMTP_HOST: required to send email")
	case strings.Contains(h, "://"):
		return fmt.Errorf("SMTP_HOST: %q must be a host name, without a scheme", h)
	case strings.HasPrefix(h, "["):
		return fmt.Errorf("SMTP_HOST: %q: write an IPv6 address without brackets", h)
	case strings.ContainsAny(h, " \t\r\n/"):
		return fmt.Errorf("SMTP_HOST: %q is not a host name", h)
	}
	if _, _, err := net.SplitHostPort(h); err == nil {
		return fmt.Errorf("SMTP_HOST: %q: give the port in SMTP_PORT, not in the host", h)
	}
	return nil
}

// parseFrom reads SMTP_FROM: one address, with or without a display name.
func parseFrom(from string) (*mail.Address, error) {
	if from == "" {
		return nil, fmt.Errorf("SMTP_FROM: required: the address approval emails come from")
	}
	a, err := mail.ParseAddress(from)
	if err != nil || !strings.Contains(a.Address, "@") {
		return nil, fmt.Errorf("SMTP_FROM: %q is not an email address", from)
	}
	return a, nil
}
