// Package smtptest is a real SMTP server (emersion/go-smtp) for tests: it listens on
// loopback, keeps every message it is given, parsed as a mail client would (headers and the
// text/plain body), and wakes a test waiting for messages. Only tests import it.
package smtptest

import (
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Inbox is the messages an SMTP server started by Start was given.
type Inbox struct {
	mu      sync.Mutex
	msgs    []Email
	arrived chan struct{}
}

// Email is one received message, parsed: its headers and its text/plain body.
type Email struct {
	To, Subject, MessageID, InReplyTo string
	Text                              string
}

// Link returns the URL on the line after label ("Approve:", "Deny:") in the text body.
func (m Email) Link(t testing.TB, label string) string {
	t.Helper()
	_, after, ok := strings.Cut(m.Text, "\n"+label+"\n")
	if !ok {
		t.Fatalf("no %q link in the mail to %s:\n%s", label, m.To, m.Text)
	}
	line, _, _ := strings.Cut(after, "\n")
	return strings.TrimSpace(line)
}

// Start serves SMTP into in on 127.0.0.1:port (0: any free port) until the test ends, and
// returns the port.
func Start(t testing.TB, in *Inbox, port int) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{in: in}, nil }))
	srv.Domain = "mx.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

// New returns an empty inbox.
func New() *Inbox { return &Inbox{arrived: make(chan struct{}, 100)} }

// Wait returns the first n messages once they have arrived; the limit only guards
// against a hung test.
func (in *Inbox) Wait(t testing.TB, n int) []Email {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		in.mu.Lock()
		if len(in.msgs) >= n {
			out := append([]Email(nil), in.msgs[:n]...)
			in.mu.Unlock()
			return out
		}
		in.mu.Unlock()
		select {
		case <-in.arrived:
		case <-deadline:
			t.Fatalf("%d of %d emails arrived", len(in.msgs), n)
		}
	}
}

// Count is how many messages have arrived.
func (in *Inbox) Count() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.msgs)
}

type session struct{ in *Inbox }

func (s *session) Mail(string, *smtp.MailOptions) error { return nil }
func (s *session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *session) Reset()                               {}
func (s *session) Logout() error                        { return nil }

// Data parses the message as a mail client would and keeps it.
func (s *session) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	e := Email{To: m.Header.Get("To"), MessageID: m.Header.Get("Message-ID"), InReplyTo: m.Header.Get("In-Reply-To")}
	e.Subject, _ = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if e.Text, err = plainText(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body); err != nil {
		return err
	}
	s.in.mu.Lock()
	s.in.msgs = append(s.in.msgs, e)
	s.in.mu.Unlock()
	s.in.arrived <- struct{}{}
	return nil
}

// plainText finds the text/plain part of a body, decoding its transfer encoding (the
// multipart reader decodes quoted-printable itself).
func plainText(contentType, encoding string, body io.Reader) (string, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return "", err
			}
			if text, err := plainText(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err == nil && text != "" {
				return text, nil
			}
		}
	}
	if mt != "text/plain" {
		return "", nil
	}
	if strings.EqualFold(encoding, "base64") {
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	return strings.ReplaceAll(string(b), "\r\n", "\n"), err
}

// FreePort returns a loopback port nothing listens on now, for a server started later.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
