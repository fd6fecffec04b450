package mail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/mail"
)

// links is the gate's side of the contract: each recipient's links, by request.
type links struct{ notFound bool }

func (l links) Recipient(_ context.Context, d agentgate.Delivery) (mail.Recipient, error) {
	if l.notFound {
		return mail.Recipient{}, agentgate.NotFound("request", d.RequestID)
	}
	base := "https://gate.example.com"
	return mail.Recipient{Name: "Alice Martin", Links: mail.Links{
		Approve: base + "/decide/tokA-" + d.Target, Deny: base + "/decide/tokD-" + d.Target,
		Request: base + "/requests/" + d.RequestID,
	}}, nil
}

// delivery is an outbox row for r, as the gate writes it.
func delivery(t *testing.T, event string, r agentgate.Request, at time.Time) agentgate.Delivery {
	t.Helper()
	data, err := r.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(map[string]any{"event": event, "timestamp": at, "data": json.RawMessage(data)})
	return agentgate.Delivery{ID: "dlv_" + event, Channel: agentgate.ChannelEmail, Target: "alice@example.com",
		Event: event, RequestID: r.ID, Payload: payload, CreatedAt: at}
}

func config(port int) mail.Config {
	return mail.Config{Host: "127.0.0.1", Port: port, From: "AgentGate <agentgate@example.com>", TLS: mail.TLSNone}
}

// logBuffer collects a sender's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *logBuffer) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.FieldsFunc(l.b.String(), func(r rune) bool { return r == '\n' })
}

func newSender(t *testing.T, cfg mail.Config, src mail.MessageSource, tune ...func(*mail.Options)) (*mail.Sender, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	opts := mail.Options{BaseURL: "https://gate.example.com", Logger: slog.New(slog.NewTextHandler(logs, nil))}
	for _, f := range tune {
		f(&opts)
	}
	s, err := mail.NewSender(cfg, src, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, logs
}

func send(t *testing.T, s *mail.Sender, d agentgate.Delivery) (agentgate.SendResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // only guards a hung test
	defer cancel()
	return s.Send(ctx, d)
}

// parsed is a received message read as a mail client reads it.
type parsed struct {
	Header     netmail.Header
	Text, HTML string
}

func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	p := parsed{Header: m.Header}
	media, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || media != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v): want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(part) // NextPart has undone quoted-printable
		if err != nil {
			t.Fatal(err)
		}
		ct, ps, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if ps["charset"] != "UTF-8" && ps["charset"] != "utf-8" {
			t.Errorf("part %s has charset %q, want UTF-8", ct, ps["charset"])
		}
		switch ct {
		case "text/plain":
			p.Text = string(b)
		case "text/html":
			p.HTML = string(b)
		default:
			t.Errorf("unexpected part %q", ct)
		}
	}
	return p
}
