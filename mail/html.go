package mail

import (
	_ "embed"
	"html/template"
	"regexp"
	"strings"
)

// The HTML body uses inline styles only (mail clients drop style sheets and block remote
// ones), no images and no scripts. It sets no page or text colour, so that a client in
// dark mode uses its own; the few coloured boxes carry their own text colour.
//
//go:embed message.html
var messageHTML string

var htmlTemplate = template.Must(template.New("message").Funcs(template.FuncMap{
	"upper":  strings.ToUpper,
	"count":  count,
	"plural": plural,
	"status": statusColours,
	"marked": marked,
	"fieldsOf": func(title string, f fields, request string) fieldsView {
		return fieldsView{Title: title, Fields: f, Request: request}
	},
}).Parse(messageHTML))

// fieldsView is one section of params or context, with the link that shows what is cut.
type fieldsView struct {
	Title   string
	Fields  fields
	Request string
}

// renderHTML writes the text/html body; html/template escapes everything from the request.
func renderHTML(v *view) (string, error) {
	var b strings.Builder
	if err := htmlTemplate.Execute(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}

// statusColours are the background and text colours of a follow-up's outcome badge.
func statusColours(k Kind) []string {
	switch k {
	case KindApproved:
		return []string{"#15803d", "#ffffff"}
	case KindDenied:
		return []string{"#b91c1c", "#ffffff"}
	}
	return []string{"#4b5563", "#ffffff"}
}

// markPattern matches the marks reveal.String puts in place of hidden characters.
var markPattern = regexp.MustCompile(`⟨(?:U\+[0-9A-F]{4,6}|0x[0-9A-F]{2})⟩`)

// marked escapes s for HTML and highlights its marks, so that a hidden character stands
// out in a long value. The highlight has its own text colour, for dark mode.
func marked(s string) template.HTML {
	e := template.HTMLEscapeString(s)
	if !strings.Contains(s, "⟨") {
		return template.HTML(e)
	}
	return template.HTML(markPattern.ReplaceAllString(e,
		`<span style="padding:0 2px;border-radius:3px;background-color:#fde68a;color:#1f2937">$0</span>`))
}
