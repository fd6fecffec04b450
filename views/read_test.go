package views_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/views"
)

// show writes segments as a page shows them, each mark in brackets naming its kind.
func show(ss []views.Segment) string {
	var b strings.Builder
	for _, s := range ss {
		switch {
		case s.Hidden:
			b.WriteString("[hidden " + s.Text + "]")
		case s.Lookalike:
			b.WriteString("[lookalike " + s.Text + "]")
		case s.Danger:
			b.WriteString("[danger " + s.Text + "]")
		default:
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

func TestRevealMarksWhatCouldMislead(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"invoice.pdf", "invoice.pdf"},
		{"invoice_2026_\u202efdp.exe", "invoice_2026_[hidden ⟨U+202E⟩]fdp.exe"},
		{"payroll@acme.com\u200b.attacker.io", "payroll@acme.com[hidden ⟨U+200B⟩].attacker.io"},
		{"\u2066admin\u2069", "[hidden ⟨U+2066⟩]admin[hidden ⟨U+2069⟩]"},
		{"\ufeffroot\u2060", "[hidden ⟨U+FEFF⟩]root[hidden ⟨U+2060⟩]"},
		{"p\u0430ypal.com and паспорт", "p[lookalike \u0430]ypal.com and паспорт"},
		{"a\u200db p\u0430y", "a[hidden ⟨U+200D⟩]b p[lookalike \u0430]y"},
		{"line one\nline two\ttab", "line one\nline two\ttab"},
		{"bad \xff byte", "bad [hidden ⟨0xFF⟩] byte"},
	} {
		if got := show(views.Reveal(tc.in)); got != tc.want {
			t.Errorf("Reveal(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRequestSuspiciousLooksEverywhereAPersonReads(t *testing.T) {
	base := func() *ag.Request {
		return &ag.Request{Action: "send_file", CreatedBy: "files-agent", Params: json.RawMessage(`{"to": "a@example.com"}`), Context: json.RawMessage(`{}`)}
	}
	if views.RequestSuspicious(base()) {
		t.Fatal("a plain request is flagged")
	}
	for name, change := range map[string]func(r *ag.Request){
		"action":            func(r *ag.Request) { r.Action = "send\u200b_file" },
		"requester":         func(r *ag.Request) { r.CreatedBy = "files-\u0430gent" },
		"a param value":     func(r *ag.Request) { r.Params = json.RawMessage(`{"to": "a@example.com\u200b.evil.io"}`) },
		"an escaped value":  func(r *ag.Request) { r.Params = json.RawMessage(`{"file": "x\u202Efdp.exe"}`) },
		"a param key":       func(r *ag.Request) { r.Params = json.RawMessage(`{"t\u200bo": "a"}`) },
		"a nested value":    func(r *ag.Request) { r.Params = json.RawMessage(`{"list": [{"p": "\u2066x"}]}`) },
		"the context":       func(r *ag.Request) { r.Context = json.RawMessage(`{"note": "\u202e"}`) },
		"a reason":          func(r *ag.Request) { r.DecisionReason = "ok\u2067" },
		"a vote's reason":   func(r *ag.Request) { r.Votes = []ag.Vote{{Voter: "bob", Reason: "\ufeffyes"}} },
		"the decider":       func(r *ag.Request) { r.DecidedBy = "b\u043eb" },
		"a look-alike word": func(r *ag.Request) { r.Params = json.RawMessage(`{"to": "ceo@p\u0430ypal.com"}`) },
	} {
		r := base()
		change(r)
		if !views.RequestSuspicious(r) {
			t.Errorf("hidden text in %s is not flagged", name)
		}
	}
}

// TestLayOutReadsAtAnySize: line breaks stay line breaks, long text is a block, objects
// nest, order is kept, and the tree stops at its bounds saying how much it left out.
func TestLayOutReadsAtAnySize(t *testing.T) {
	paths := make([]string, 40)
	for i := range paths {
		paths[i] = fmt.Sprintf("/srv/data/export-%02d.csv", i)
	}
	raw, _ := json.Marshal(map[string]any{"body": "Dear team,\n\nThe numbers are in.\n-- Finance", "paths": paths,
		"nested": map[string]any{"a": map[string]any{"b": 1}}, "short": "x", "n": 1.5, "ok": true, "none": nil})
	tree := views.LayOut(raw)
	if tree.More != 0 || tree.Root.Kind != views.KindObject || len(tree.Root.Kids) != 7 {
		t.Fatalf("tree %+v", tree)
	}
	byKey := map[string]views.Node{}
	for _, k := range tree.Root.Kids {
		byKey[k.Key] = k
	}
	if b := byKey["body"]; !b.Block || show(b.Text) != "Dear team,\n\nThe numbers are in.\n-- Finance" || b.Copy != "Dear team,\n\nThe numbers are in.\n-- Finance" {
		t.Errorf("the email body: %+v", b)
	}
	if p := byKey["paths"]; p.Kind != views.KindArray || len(p.Kids) != 40 || show(p.Kids[39].Text) != "/srv/data/export-39.csv" {
		t.Errorf("the path list: %d items", len(p.Kids))
	}
	if n := byKey["nested"]; len(n.Kids) != 1 || n.Kids[0].Kids[0].Key != "b" || n.Copy != `{"a":{"b":1}}` {
		t.Errorf("the nested object: %+v", n)
	}
	if s := byKey["short"]; s.Block || s.Kind != views.KindString {
		t.Errorf("a short string is a block")
	}
	if byKey["n"].Kind != views.KindNumber || byKey["ok"].Kind != views.KindBool || byKey["none"].Kind != views.KindNull {
		t.Error("scalars lost their kinds")
	}

	huge, _ := json.Marshal(map[string]string{"a": strings.Repeat("x", views.TreeLimit), "b": strings.Repeat("y", 1000)})
	cut := views.LayOut(huge)
	shown := 0
	for _, k := range cut.Root.Kids {
		shown += len(show(k.Text))
	}
	if shown > views.TreeLimit || cut.More < 1000 || cut.More > len(huge) {
		t.Errorf("a huge document shows %d bytes and says %d more of %d", shown, cut.More, len(huge))
	}

	deep := strings.Repeat(`{"d":`, 200) + `1` + strings.Repeat(`}`, 200)
	if d := views.LayOut([]byte(deep)); d.More != 0 || d.Root.Kind != views.KindObject {
		t.Errorf("a deep document: %+v", d.More)
	}
	if odd := views.LayOut([]byte(`not json`)); odd.Root.Kind != views.KindJSON || show(odd.Root.Text) != "not json" {
		t.Errorf("text that is not JSON: %+v", odd.Root)
	}
}

// TestDestructiveWordsAreMarked: DROP, TRUNCATE, DELETE or UPDATE without WHERE, rm -rf and
// --force stand out; their harmless look-alikes do not.
func TestDestructiveWordsAreMarked(t *testing.T) {
	for _, tc := range []struct{ key, in, want string }{
		{"query", "DROP TABLE users", "[danger DROP] TABLE users"},
		{"sql", "truncate events; select 1", "[danger truncate] events; select 1"},
		{"query", "DELETE FROM payments_staging", "[danger DELETE] FROM payments_staging"},
		{"query", "DELETE FROM payments WHERE id = 4", "DELETE FROM payments WHERE id = 4"},
		{"query", "update accounts set frozen = true", "[danger update] accounts set frozen = true"},
		{"query", "DELETE FROM a WHERE x = 1; DELETE FROM b;", "DELETE FROM a WHERE x = 1; [danger DELETE] FROM b;"},
		{"ddl", "CREATE TABLE t (id int REFERENCES u ON DELETE CASCADE)", "CREATE TABLE t (id int REFERENCES u ON DELETE CASCADE)"},
		{"query", "SELECT * FROM jobs FOR UPDATE", "SELECT * FROM jobs FOR UPDATE"},
		{"command", "rm -rf /var/lib/app", "[danger rm -rf] /var/lib/app"},
		{"command", "sudo rm -fr ./build", "sudo [danger rm -fr] ./build"},
		{"cmd", "git push --force origin main", "git push [danger --force] origin main"},
		{"script", "rm ./tmp.txt", "rm ./tmp.txt"},
		{"note", "please drop by and delete nothing", "please drop by and delete nothing"},
	} {
		raw, _ := json.Marshal(map[string]string{tc.key: tc.in})
		n := views.LayOut(raw).Root.Kids[0]
		if got := show(n.Text); got != tc.want || n.Danger != strings.Contains(tc.want, "[danger") {
			t.Errorf("%s=%q shows %q (danger %v), want %q", tc.key, tc.in, got, n.Danger, tc.want)
		}
	}
}

func TestBeforeAfterComparesFieldByField(t *testing.T) {
	d := views.BeforeAfter([]byte(`{"service": "api", "before": {"timeout": 3000, "retries": 3, "tls": {"min": "1.2"}, "n": "5"},
		"after": {"timeout": 500, "retries": 3, "tls": {"min": "1.0"}, "debug": true, "n": 5}}`))
	if d == nil || d.Label != "before → after" || d.Same != 1 {
		t.Fatalf("diff %+v", d)
	}
	var got []string
	for _, c := range d.Changes {
		got = append(got, fmt.Sprintf("%s:%s→%s%s", c.Path, c.Before, c.After, map[bool]string{true: "+"}[c.Added]))
	}
	if want := "[debug:→true+ n:5→5 timeout:3000→500 tls.min:1.2→1.0]"; fmt.Sprint(got) != want {
		t.Errorf("changes %v, want %s", got, want)
	}
	for _, raw := range []string{`{"from": "a@example.com", "to": "b@example.com"}`, `{"old": 1, "new": 2}`, `[]`} {
		if d := views.BeforeAfter([]byte(raw)); d != nil {
			t.Errorf("%s: a diff of values that are not objects: %+v", raw, d)
		}
	}
	if d := views.BeforeAfter([]byte(`{"old": {"a": 1}, "new": {"a": 2}}`)); d == nil || d.Label != "old → new" {
		t.Errorf("old/new: %+v", d)
	}
}

// TestLeadKeysTellRowsApart: the summary of rows of one action starts with the params that
// differ between them.
func TestLeadKeysTellRowsApart(t *testing.T) {
	rows := []ag.Request{
		{Action: "send_email", Params: json.RawMessage(`{"from": "bot@example.com", "template": "invoice", "to": "a@x.io"}`)},
		{Action: "send_email", Params: json.RawMessage(`{"from": "bot@example.com", "template": "invoice", "to": "b@y.io"}`)},
		{Action: "deploy", Params: json.RawMessage(`{"env": "prod"}`)},
	}
	lead := views.LeadKeys(rows)
	if fmt.Sprint(lead["send_email"]) != "[to]" || len(lead["deploy"]) != 0 {
		t.Fatalf("lead keys %v", lead)
	}
	if got := views.SummaryLed(rows[1].Params, lead["send_email"], 200); !strings.HasPrefix(got, "to: b@y.io · from: ") {
		t.Errorf("summary %q does not lead with what differs", got)
	}
}
