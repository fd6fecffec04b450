package mail_test

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/mail"
)

// TestSendRequestAndFollowUp sends an approval request and its follow-up through a real
// SMTP server and reads them as a mail client would.
func TestSendRequestAndFollowUp(t *testing.T) {
	srv := (&smtpServer{}).start(t, 0)
	s, _ := newSender(t, config(srv.Port), links{})

	r := pending()
	r.Action = "send\u202Eemail"
	r.Params = json.RawMessage(`{"to":"ceo@example.com","note":"zero\u200Bwidth"}`)
	first := delivery(t, "request.created", r, created)
	done := decided(r, agentgate.StatusApproved, "alice", "fine", created.Add(time.Minute))
	second := delivery(t, "request.approved", done, created.Add(time.Minute))
	for _, d := range []agentgate.Delivery{first, first, second} { // the first one twice: a retry
		if res, err := send(t, s, d); err != nil || res.Permanent {
			t.Fatalf("Send(%s) = %+v, %v", d.Event, res, err)
		}
	}

	got := srv.messages()
	if len(got) != 3 {
		t.Fatalf("server received %d messages, want 3", len(got))
	}
	req, retry, follow := parse(t, got[0].Data), parse(t, got[1].Data), parse(t, got[2].Data)
	for i, m := range got {
		if m.From != "agentgate@example.com" || len(m.To) != 1 || m.To[0] != "alice@example.com" {
			t.Errorf("message %d: envelope %s → %v", i, m.From, m.To)
		}
	}
	h := req.Header
	for name, want := range map[string]string{
		"From": `"AgentGate" <agentgate@example.com>`, "To": `"Alice Martin" <alice@example.com>`,
		"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	subject, err := decodeHeader(h.Get("Subject"))
	if err != nil || subject != "Approval needed: send⟨U+202E⟩email (high urgency)" {
		t.Errorf("Subject %q (%v)", subject, err)
	}
	if date, err := h.Date(); err != nil || !date.Equal(created) {
		t.Errorf("Date %q: %v, %v; want the event's time %v", h.Get("Date"), date, err, created)
	}
	id := h.Get("Message-ID")
	if !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@gate.example.com>") || strings.ContainsAny(id, " \"") {
		t.Errorf("Message-ID %q", id)
	}
	if retry.Header.Get("Message-ID") != id {
		t.Errorf("a retry has Message-ID %q, the first attempt %q", retry.Header.Get("Message-ID"), id)
	}
	fh := follow.Header
	if fh.Get("In-Reply-To") != id || fh.Get("References") != id || fh.Get("Message-ID") == id {
		t.Errorf("follow-up: Message-ID %q, In-Reply-To %q, References %q; want the first %q in both",
			fh.Get("Message-ID"), fh.Get("In-Reply-To"), fh.Get("References"), id)
	}
	if s, _ := decodeHeader(fh.Get("Subject")); s != "Re: "+subject {
		t.Errorf("follow-up Subject %q, want %q", s, "Re: "+subject)
	}

	l, _ := links{}.Recipient(context.Background(), first)
	for part, body := range map[string]string{"text": req.Text, "html": req.HTML} {
		for _, link := range []string{l.Links.Approve, l.Links.Deny, l.Links.Request} {
			if n := strings.Count(body, link); n != 1 {
				t.Errorf("%s part holds %s %d times, want once", part, link, n)
			}
		}
		for _, want := range []string{"⟨U+202E⟩", "⟨U+200B⟩", "hidden characters"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s part lacks %q", part, want)
			}
		}
		if strings.ContainsAny(body, "\u202E\u200B") {
			t.Errorf("%s part holds a hidden character as it is", part)
		}
	}
	if !strings.Contains(req.Text, "send⟨U+202E⟩email") || !strings.Contains(req.Text, "zero⟨U+200B⟩width") {
		t.Errorf("text part does not reveal in place: %q", req.Text)
	}
	if !strings.Contains(follow.Text, "Approved") || strings.Contains(follow.Text, l.Links.Approve) {
		t.Errorf("follow-up text: %q", follow.Text)
	}
}

func decodeHeader(v string) (string, error) {
	return new(mime.WordDecoder).DecodeHeader(v)
}

// TestSendSMTPAnswers maps what the server answers RCPT TO to what the outbox does next.
func TestSendSMTPAnswers(t *testing.T) {
	for _, tc := range []struct {
		name      string
		rcpt      func(string, int) error
		permanent []bool // per attempt; nil entry means success
		delivered int
	}{
		{"450 then 250: retried, then sent",
			func(_ string, n int) error {
				if n == 1 {
					return smtpReply(450, smtp.EnhancedCode{4, 2, 0}, "Mailbox busy, try later")
				}
				return nil
			}, []bool{false, false}, 1},
		{"550: permanent",
			func(string, int) error { return smtpReply(550, smtp.EnhancedCode{5, 1, 1}, "No such user") },
			[]bool{true}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := (&smtpServer{rcpt: tc.rcpt}).start(t, 0)
			s, _ := newSender(t, config(srv.Port), links{})
			d := delivery(t, "request.created", pending(), created)
			for i, perm := range tc.permanent {
				res, err := send(t, s, d)
				last := i == len(tc.permanent)-1
				switch {
				case last && tc.delivered > 0 && err != nil:
					t.Fatalf("attempt %d: %v", i+1, err)
				case (!last || tc.delivered == 0) && err == nil:
					t.Fatalf("attempt %d succeeded; want an error", i+1)
				case res.Permanent != perm:
					t.Fatalf("attempt %d: Permanent = %v, want %v (%v)", i+1, res.Permanent, perm, err)
				}
			}
			if n := len(srv.messages()); n != tc.delivered {
				t.Errorf("delivered %d, want %d", n, tc.delivered)
			}
		})
	}
}

// TestSendServerDownThenUp: a server that is not there yet is retried; once it listens, the
// same delivery goes out.
func TestSendServerDownThenUp(t *testing.T) {
	port := freePort(t)
	s, logs := newSender(t, config(port), links{})
	d := delivery(t, "request.created", pending(), created)
	for range 2 {
		res, err := send(t, s, d)
		if err == nil || res.Permanent {
			t.Fatalf("Send with no server = %+v, %v; want a retryable error", res, err)
		}
	}
	srv := (&smtpServer{}).start(t, port)
	if res, err := send(t, s, d); err != nil {
		t.Fatalf("Send after the server started = %+v, %v", res, err)
	}
	if n := len(srv.messages()); n != 1 {
		t.Fatalf("delivered %d, want 1", n)
	}
	if lines := logs.lines(); len(lines) != 2 || !strings.Contains(lines[0], "cannot reach") || !strings.Contains(lines[1], "sent again") {
		t.Errorf("log: %q; want the outage once, then the recovery", lines)
	}
}

// TestSendLogin: the right password sends; a wrong one is retried and logged once.
func TestSendLogin(t *testing.T) {
	srv := (&smtpServer{user: "agentgate", pass: "s3cret"}).start(t, 0)
	d := delivery(t, "request.created", pending(), created)

	cfg := config(srv.Port)
	cfg.Username, cfg.Password = "agentgate", "wrong"
	s, logs := newSender(t, cfg, links{})
	for i := range 2 {
		res, err := send(t, s, d)
		if err == nil || res.Permanent || !strings.Contains(err.Error(), `logging in to the SMTP server as "agentgate" failed: 535`) {
			t.Fatalf("attempt %d with a wrong password = %+v, %v; want a retryable 535", i+1, res, err)
		}
	}
	if lines := logs.lines(); len(lines) != 1 || !strings.Contains(lines[0], "535") || strings.Contains(lines[0], "wrong") {
		t.Errorf("log after two refused logins: %q; want one line with the reason and no password", lines)
	}

	cfg.Password = "s3cret"
	s, _ = newSender(t, cfg, links{})
	if res, err := send(t, s, d); err != nil {
		t.Fatalf("Send with the right password = %+v, %v", res, err)
	}
	if n := len(srv.messages()); n != 1 {
		t.Errorf("delivered %d, want 1", n)
	}
}

// TestSendEndsWhatCannotBeSent: deliveries that can never become an email end at once.
func TestSendEndsWhatCannotBeSent(t *testing.T) {
	srv := (&smtpServer{}).start(t, 0)
	s, _ := newSender(t, config(srv.Port), links{})
	gone, _ := newSender(t, config(srv.Port), links{notFound: true})
	bad := delivery(t, "request.created", pending(), created)
	bad.Payload = json.RawMessage(`{"event":"request.created"}`)
	for name, tc := range map[string]struct {
		s *mail.Sender
		d agentgate.Delivery
	}{
		"unknown event":   {s, delivery(t, "request.voted", pending(), created)},
		"no request":      {s, bad},
		"request is gone": {gone, delivery(t, "request.created", pending(), created)},
		"recipient is wrong": {s, func() agentgate.Delivery {
			d := delivery(t, "request.created", pending(), created)
			d.Target = "not an address"
			return d
		}()},
	} {
		res, err := send(t, tc.s, tc.d)
		if err == nil || !res.Permanent {
			t.Errorf("%s: Send = %+v, %v; want a permanent error", name, res, err)
		}
	}
	if n := len(srv.messages()); n != 0 {
		t.Errorf("delivered %d, want none", n)
	}
}

// TestSendFollowUpsOff: with follow-ups turned off they succeed without a message.
func TestSendFollowUpsOff(t *testing.T) {
	srv := (&smtpServer{}).start(t, 0)
	cfg := config(srv.Port)
	cfg.NoFollowUps = true
	s, _ := newSender(t, cfg, links{})
	done := decided(pending(), agentgate.StatusDenied, "alice", "no", created)
	for _, d := range []agentgate.Delivery{delivery(t, "request.denied", done, created), delivery(t, "request.created", pending(), created)} {
		if res, err := send(t, s, d); err != nil || res.Permanent {
			t.Fatalf("Send(%s) = %+v, %v", d.Event, res, err)
		}
	}
	if got := srv.messages(); len(got) != 1 || !strings.Contains(string(got[0].Data), "Approval needed") {
		t.Errorf("delivered %d messages; want only the request", len(got))
	}
}

// TestSendHonoursContext: a server that stops answering in the middle of the session holds
// the attempt only until its context ends, by deadline or by cancel, however long the
// Sender's own timeout.
func TestSendHonoursContext(t *testing.T) {
	for _, how := range []string{"deadline", "cancel"} {
		t.Run(how, func(t *testing.T) {
			heard := make(chan struct{}, 1)
			port := hungServer(t, heard)
			s, _ := newSender(t, config(port), links{}, func(o *mail.Options) { o.Timeout = time.Hour })
			ctx, cancel := context.WithCancel(context.Background())
			want := context.Canceled
			if how == "deadline" {
				ctx, cancel = context.WithTimeout(context.Background(), 200*time.Millisecond)
				want = context.DeadlineExceeded
			}
			defer cancel()
			done := make(chan error, 1)
			go func() {
				res, err := s.Send(ctx, delivery(t, "request.created", pending(), created))
				if res.Permanent {
					err = errors.Join(err, errors.New("and the result is permanent"))
				}
				done <- err
			}()
			if how == "cancel" {
				<-heard // the session is under way
				cancel()
			}
			select {
			case err := <-done:
				if !errors.Is(err, want) || strings.Contains(err.Error(), "permanent") {
					t.Fatalf("Send = %v; want a retryable %v", err, want)
				}
			case <-time.After(15 * time.Second): // guards against a Send that ignores its context
				t.Fatal("Send is still waiting after its context ended")
			}
		})
	}
}
