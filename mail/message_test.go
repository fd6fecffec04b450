package mail_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/agentgate/agentgate/mail"
)

func TestBuildRefusesIncompleteMessages(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*mail.Message)
		want   string
	}{
		{"unknown kind", func(m *mail.Message) { m.Kind = "voted" }, "unknown message kind"},
		{"no request", func(m *mail.Message) { m.Request.ID = "" }, "no request"},
		{"bad from", func(m *mail.Message) { m.From = "agentgate" }, "SMTP_FROM"},
		{"bad recipient", func(m *mail.Message) { m.To.Address = "Alice <alice@example.com>" }, "not an email address"},
		{"no approve link", func(m *mail.Message) { m.Links.Approve = "" }, "approve link"},
		{"relative deny link", func(m *mail.Message) { m.Links.Deny = "/decide/x" }, "deny link"},
		{"script link", func(m *mail.Message) { m.Links.Request = "javascript:alert(1)" }, "request link"},
		{"no date", func(m *mail.Message) { m.Date = time.Time{} }, "no date"},
		{"no base URL", func(m *mail.Message) { m.BaseURL = "" }, "BASE_URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := message(mail.KindRequest, pending())
			tc.change(&m)
			if _, err := mail.Build(m); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Build = %v, want an error about %q", err, tc.want)
			}
		})
	}
	// A follow-up needs no decision links.
	m := message(mail.KindExpired, pending())
	m.Links.Approve, m.Links.Deny = "", ""
	if _, err := mail.Build(m); err != nil {
		t.Fatalf("Build(follow-up without decision links) = %v", err)
	}
}

func TestMessageID(t *testing.T) {
	id := mail.MessageID("req_1", "Alice@Example.com", mail.KindRequest, "gate.example.com")
	if id != mail.MessageID("req_1", "alice@example.com", mail.KindRequest, "gate.example.com") {
		t.Error("the Message-ID depends on the address's case")
	}
	for _, other := range []string{
		mail.MessageID("req_2", "alice@example.com", mail.KindRequest, "gate.example.com"),
		mail.MessageID("req_1", "bob@example.com", mail.KindRequest, "gate.example.com"),
		mail.MessageID("req_1", "alice@example.com", mail.KindDenied, "gate.example.com"),
	} {
		if other == id {
			t.Errorf("two different messages share the Message-ID %s", id)
		}
	}
	m := message(mail.KindCancelled, pending())
	m.BaseURL = "http://[::1]:3000/agentgate"
	b, err := mail.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Header("In-Reply-To"); !strings.HasSuffix(got, "@[::1]>") || !strings.HasPrefix(got, "<req_") {
		t.Errorf("In-Reply-To %q; want an IPv6 host as a domain literal", got)
	}
	if b.Header("In-Reply-To") != mail.MessageID(m.Request.ID, m.To.Address, mail.KindRequest, "[::1]") {
		t.Error("a follow-up's In-Reply-To is not the request message's Message-ID")
	}
}

// TestBuildLimits: params and context show at most MaxFields keys, in the agent's order,
// and MaxValueChars characters per value, and say how much more there is.
func TestBuildLimits(t *testing.T) {
	r := pending()
	var p strings.Builder
	p.WriteString(`{"long":"` + strings.Repeat("é", mail.MaxValueChars+500) + `"`)
	for i := mail.MaxFields + 4; i > 0; i-- { // descending: a sorted map would reverse them
		fmt.Fprintf(&p, `,"k%02d":true`, i)
	}
	r.Params = json.RawMessage(p.String() + "}")
	b, err := mail.Build(message(mail.KindRequest, r))
	if err != nil {
		t.Fatal(err)
	}
	for part, body := range map[string]string{"text": b.Text, "html": b.HTML} {
		if n := strings.Count(body, "é"); n != mail.MaxValueChars {
			t.Errorf("%s shows %d characters of the long value, want %d", part, n, mail.MaxValueChars)
		}
		if !strings.Contains(body, "500 more characters") || !strings.Contains(body, "5 more keys") {
			t.Errorf("%s does not say what it left out", part)
		}
		shown := fmt.Sprintf("k%02d", mail.MaxFields+4-(mail.MaxFields-2)) // the last key shown
		first, last := strings.Index(body, "k44"), strings.Index(body, shown)
		if first < 0 || last < first || strings.Contains(body, fmt.Sprintf("k%02d", mail.MaxFields+4-(mail.MaxFields-1))) {
			t.Errorf("%s does not show keys k44 down to %s in order, and no more", part, shown)
		}
	}
}

// TestHTMLIsSelfContained: no images, scripts, style sheets or remote anything, and the
// hints that keep it readable in dark mode and on a phone.
func TestHTMLIsSelfContained(t *testing.T) {
	for name, m := range goldenCases() {
		b, err := mail.Build(m)
		if err != nil {
			t.Fatal(err)
		}
		html := strings.ToLower(b.HTML)
		for _, banned := range []string{"<img", "<script", "<link", "<style", "<iframe", " src=", "url(", "@import", "javascript:"} {
			if strings.Contains(html, banned) {
				t.Errorf("%s: the HTML holds %q", name, banned)
			}
		}
		for _, want := range []string{`<meta name="color-scheme" content="light dark">`, `<meta name="viewport" content="width=device-width, initial-scale=1">`} {
			if !strings.Contains(html, want) {
				t.Errorf("%s: the HTML lacks %s", name, want)
			}
		}
	}
}
