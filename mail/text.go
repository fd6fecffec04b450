package mail

import (
	"fmt"
	"strings"
)

// renderText writes the text/plain body: the same facts as the HTML, links on lines of
// their own so that every client makes them clickable.
func renderText(v *view) string {
	var b strings.Builder
	for _, w := range v.Warnings() {
		b.WriteString("! " + w + "\n")
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	if v.Greeting != "" {
		b.WriteString("Hello " + v.Greeting + ",\n\n")
	}
	fmt.Fprintf(&b, "%s:\n\n", v.Title)
	writeIndented(&b, "    ", v.Action)
	fmt.Fprintf(&b, "\nUrgency: %s\n", strings.ToUpper(v.Urgency.Name))
	for _, f := range v.Facts {
		fmt.Fprintf(&b, "%s: %s\n", f.Label, f.Value)
	}
	if len(v.Votes) > 0 {
		b.WriteString("\nVotes:\n")
		for _, line := range v.Votes {
			writeIndented(&b, "  ", line)
		}
	}
	if v.Kind == KindRequest {
		writeFields(&b, "Parameters", v.Params)
		writeFields(&b, "Context", v.Context)
		fmt.Fprintf(&b, "\nApprove:\n%s\n\nDeny:\n%s\n", v.Links.Approve, v.Links.Deny)
		b.WriteString("\nEach link opens a page where you confirm; nothing is decided before you do.\n")
	}
	fmt.Fprintf(&b, "\nOpen the request in the dashboard:\n%s\n", v.Links.Request)
	fmt.Fprintf(&b, "\n-- \n%s\n", v.Footer())
	return b.String()
}

func writeFields(b *strings.Builder, title string, f fields) {
	fmt.Fprintf(b, "\n%s:\n", title)
	if len(f.List) == 0 {
		b.WriteString("  (none)\n")
	}
	for _, fl := range f.List {
		if strings.Contains(fl.Value, "\n") || fl.Cut > 0 {
			fmt.Fprintf(b, "  %s:\n", fl.Key)
			writeIndented(b, "    ", fl.Value)
		} else {
			fmt.Fprintf(b, "  %s: %s\n", fl.Key, fl.Value)
		}
		if fl.Cut > 0 {
			fmt.Fprintf(b, "    [… %s more characters: open the request to see all]\n", count(fl.Cut))
		}
	}
	if f.More > 0 {
		fmt.Fprintf(b, "  [… %s: open the request to see all]\n", plural(f.More, "more key"))
	}
}

// writeIndented writes s line by line, each line indented.
func writeIndented(b *strings.Builder, indent, s string) {
	for line := range strings.SplitSeq(s, "\n") {
		if line != "" {
			b.WriteString(indent + line)
		}
		b.WriteString("\n")
	}
}

// Warnings returns the lines that go above everything else.
func (v *view) Warnings() []string {
	var w []string
	if v.Hidden {
		w = append(w, "This request contains hidden characters; they are shown as ⟨U+…⟩.")
	}
	if v.Mixed {
		w = append(w, "Some words mix Latin with Cyrillic or Greek letters, which can imitate other words.")
	}
	return w
}

// Footer says to whom the message went, and why.
func (v *view) Footer() string {
	if v.Kind == KindRequest {
		return "Sent by AgentGate to " + v.Address + " because a policy routes this request to you."
	}
	return "Sent by AgentGate to " + v.Address + ", who was asked to decide on this request."
}

// count writes n with thousands separators, as people read long numbers.
func count(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return count(n) + " " + noun + "s"
}
