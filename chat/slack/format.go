package slack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agentgate/agentgate/internal/reveal"
)

// text prepares the texts a message shows, noting whether any held hidden characters, so
// that the message can say so.
type text struct {
	hidden bool
}

// plain returns an agent's text for a plain_text object, which Slack shows as written:
// hidden characters revealed, on one line when oneLine, at most limit characters.
func (t *text) plain(s string, limit int, oneLine bool) string {
	shown, hidden := reveal.String(s)
	t.hidden = t.hidden || hidden
	if oneLine {
		shown = lineBreaks.Replace(shown)
	}
	out, _ := clip(shown, limit, false)
	return out
}

// mrkdwn returns an agent's text for a mrkdwn object: hidden characters revealed and &, <
// and > escaped, so the text can neither mention anyone (<!channel>) nor make a link, at
// most limit characters once escaped. cut says whether it was shortened.
func (t *text) mrkdwn(s string, limit int) (out string, cut bool) {
	shown, hidden := reveal.String(s)
	t.hidden = t.hidden || hidden
	return clip(shown, limit, true)
}

// lineBreaks marks the line breaks and tabs that reveal keeps, where one line is wanted.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ")

// clip escapes s for mrkdwn when escape is set, and cuts the result to at most limit
// characters (an escape counts whole, and is never cut), ending a shortened text with "…".
func clip(s string, limit int, escape bool) (string, bool) {
	piece := func(r rune) string {
		if escape {
			switch r {
			case '&':
				return "&amp;"
			case '<':
				return "&lt;"
			case '>':
				return "&gt;"
			}
		}
		return string(r)
	}
	total := 0
	for _, r := range s {
		total += utf8.RuneCountInString(piece(r))
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		p := piece(r)
		w := utf8.RuneCountInString(p)
		if total > limit && n+w > limit-1 {
			b.WriteString("…")
			return b.String(), true
		}
		b.WriteString(p)
		n += w
	}
	return b.String(), false
}

// prettyJSON indents a JSON object two spaces a level, keeping the agent's key order.
func prettyJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Indent(&b, raw, "", "  ") != nil {
		return string(raw)
	}
	return b.String()
}

// emptyObject reports whether raw is absent or the empty JSON object.
func emptyObject(raw json.RawMessage) bool {
	t := string(bytes.TrimSpace(raw))
	return t == "" || t == "null" || t == "{}"
}

// date shows t in each reader's own time zone (Slack's date formatting), and as UTC where
// Slack cannot format it.
func date(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}
