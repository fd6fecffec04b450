package mail

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/agentgate/agentgate"
)

// Kind is what a message tells its recipient.
type Kind string

// Message kinds: the request itself, and the follow-ups that close its thread.
const (
	KindRequest   Kind = "request" // a request waits for the recipient's decision
	KindApproved  Kind = "approved"
	KindDenied    Kind = "denied"
	KindExpired   Kind = "expired"
	KindCancelled Kind = "cancelled"
)

// FollowUp reports whether k answers an earlier request message, in its thread.
func (k Kind) FollowUp() bool { return k != KindRequest }

// KindOf returns the message for an outbox event (request.created, request.approved,
// request.denied, request.expired, request.cancelled; request.decided by the request's
// status), or false when email has nothing to say about it.
func KindOf(event string, status agentgate.Status) (Kind, bool) {
	switch event {
	case "request.created":
		return KindRequest, true
	case "request.approved":
		return KindApproved, true
	case "request.denied":
		return KindDenied, true
	case "request.expired":
		return KindExpired, true
	case "request.cancelled":
		return KindCancelled, true
	case "request.decided":
		switch status {
		case agentgate.StatusApproved, agentgate.StatusDenied, agentgate.StatusExpired, agentgate.StatusCancelled:
			return Kind(status), true
		}
	}
	return "", false
}

// Address is a recipient: a display name (may be empty) and an email address.
type Address struct {
	Name    string
	Address string
}

// Links are the absolute URLs a message points to.
type Links struct {
	Approve string // opens the page that approves, for this recipient; request messages only
	Deny    string // opens the page that denies, for this recipient; request messages only
	Request string // the request in the dashboard
}

// Message is everything one email is made of; Build looks nothing up.
type Message struct {
	Kind    Kind
	Request agentgate.Request // as the API returns it, at the time of the event
	To      Address
	From    string    // SMTP_FROM, with or without a display name
	Links   Links     // all absolute
	BaseURL string    // the server's public URL; its host ends every Message-ID
	Date    time.Time // when the event happened: the Date header
}

// Field is one header of a built message, in the order it is written.
type Field struct {
	Name, Value string
}

// Built is a message ready to send: its envelope, headers and two bodies.
type Built struct {
	From    *mail.Address
	To      *mail.Address
	Subject string
	// Headers are Message-ID, In-Reply-To and References (follow-ups only), Date, and the
	// headers that keep out-of-office replies and auto-forwards quiet.
	Headers []Field
	Text    string // text/plain
	HTML    string // text/html, the preferred alternative
}

// Header returns the value of the named header, or "".
func (b *Built) Header(name string) string {
	for _, f := range b.Headers {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Build makes the email m describes. It is a pure function of m: the same message gives
// the same bytes, so a retried delivery sends the same Message-ID. An error means m is
// incomplete (a missing link, an unparsable address) and will not get better by retrying.
func Build(m Message) (*Built, error) {
	from, to, host, err := m.check()
	if err != nil {
		return nil, err
	}
	v := newView(m)
	html, err := renderHTML(v)
	if err != nil {
		return nil, err
	}
	b := &Built{From: from, To: to, Subject: v.Subject, Text: renderText(v), HTML: html}
	b.Headers = append(b.Headers, Field{"Message-ID", MessageID(m.Request.ID, m.To.Address, m.Kind, host)})
	if m.Kind.FollowUp() {
		first := MessageID(m.Request.ID, m.To.Address, KindRequest, host)
		b.Headers = append(b.Headers, Field{"In-Reply-To", first}, Field{"References", first})
	}
	b.Headers = append(b.Headers,
		Field{"Date", m.Date.Format(time.RFC1123Z)},
		Field{"Auto-Submitted", "auto-generated"},
		Field{"X-Auto-Response-Suppress", "All"})
	return b, nil
}

// check returns m's parsed addresses and the host for Message-IDs, or what is missing.
func (m Message) check() (from, to *mail.Address, host string, err error) {
	switch m.Kind {
	case KindRequest, KindApproved, KindDenied, KindExpired, KindCancelled:
	default:
		return nil, nil, "", fmt.Errorf("mail: unknown message kind %q", m.Kind)
	}
	if m.Request.ID == "" {
		return nil, nil, "", errors.New("mail: the message has no request")
	}
	if m.Date.IsZero() {
		return nil, nil, "", errors.New("mail: the message has no date")
	}
	if from, err = parseFrom(m.From); err != nil {
		return nil, nil, "", err
	}
	to, err = mail.ParseAddress(m.To.Address)
	if err != nil || to.Address != m.To.Address {
		return nil, nil, "", fmt.Errorf("mail: recipient %q is not an email address", m.To.Address)
	}
	to.Name = m.To.Name
	if host, err = messageIDHost(m.BaseURL); err != nil {
		return nil, nil, "", err
	}
	links := map[string]string{"request": m.Links.Request}
	if m.Kind == KindRequest {
		links["approve"], links["deny"] = m.Links.Approve, m.Links.Deny
	}
	for name, link := range links {
		if !absoluteHTTP(link) {
			return nil, nil, "", fmt.Errorf("mail: the %s link %q is not an absolute http(s) URL", name, link)
		}
	}
	return from, to, host, nil
}

func absoluteHTTP(link string) bool {
	u, err := url.Parse(link)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// messageIDHost is the right-hand side of Message-IDs: the public URL's host, so that the
// IDs are unique to this gateway and the same on every instance.
func messageIDHost(baseURL string) (string, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("mail: BASE_URL %q has no host to end Message-IDs with", baseURL)
	}
	h := strings.ToLower(u.Hostname())
	if strings.Contains(h, ":") { // an IPv6 address is a domain literal
		h = "[" + h + "]"
	}
	return h, nil
}

// MessageID is the Message-ID, with its angle brackets, of the message of kind k about
// request requestID to address: derived, not stored, so that a follow-up names the first
// message in In-Reply-To and every retry of a delivery sends the same ID.
func MessageID(requestID, address string, k Kind, host string) string {
	sum := sha256.Sum256([]byte(requestID + "\x00" + strings.ToLower(address)))
	return "<" + atom(requestID) + "." + string(k) + "." + hex.EncodeToString(sum[:10]) + "@" + host + ">"
}

// atom keeps the characters of s that a Message-ID may hold unquoted and that need no
// thought (request ids are "req_" and a ULID), at most 64 of them.
func atom(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < 64; i++ {
		if c := s[i]; 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' {
			b.WriteByte(c)
		}
	}
	return b.String()
}
