package discord

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agentgate/agentgate/internal/reveal"
)

// Discord's limits on embed texts, in characters.
const (
	maxTitle      = 256
	maxFieldValue = 1024
)

// shower turns texts that others chose (the agent, a key's name, a chat user) into text a
// message can show: hidden characters revealed as ⟨U+…⟩ marks, and Discord's markdown
// escaped, so that a text cannot make a link, a heading or a mention of its own.
type shower struct {
	hidden bool // some text held hidden characters
}

// plain reveals s's hidden characters, remembering whether there were any.
func (v *shower) plain(s string) string {
	shown, hidden := reveal.String(s)
	v.hidden = v.hidden || hidden
	return shown
}

// show is plain, escaped for markdown.
func (v *shower) show(s string) string { return escape(v.plain(s)) }

// line is show on one line: line breaks become spaces.
func (v *shower) line(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(v.show(s))
}

// markdown are the characters Discord's markdown gives a meaning: each is escaped with a
// backslash, which Discord then does not show.
const markdown = "\\*_~`|>#-[]()<@:"

func escape(s string) string {
	if !strings.ContainsAny(s, markdown) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		if r < utf8.RuneSelf && strings.ContainsRune(markdown, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cut returns s in at most n characters, ending in "…" when it was longer.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	// A cut escape would escape the ellipsis: drop its lone backslash.
	if len(r) > 0 && r[len(r)-1] == '\\' && (len(r) < 2 || r[len(r)-2] != '\\') {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// stamp shows t in each reader's own time zone and language (Discord's timestamp markup):
// "1 March 2026 12:00".
func stamp(t time.Time) string { return "<t:" + strconv.FormatInt(t.Unix(), 10) + ":f>" }

// relative shows t as "in 2 hours" or "3 minutes ago", kept current by Discord.
func relative(t time.Time) string { return "<t:" + strconv.FormatInt(t.Unix(), 10) + ":R>" }

// codeBlock shows a JSON object indented in a code block of at most limit characters,
// cut with a closing note when longer. Backticks, which only occur inside JSON strings,
// are written as the equivalent \u0060, so no text can close the block early.
func (v *shower) codeBlock(raw json.RawMessage, limit int, more string) string {
	var b bytes.Buffer
	if json.Indent(&b, raw, "", "  ") != nil {
		b.Reset()
		b.Write(raw)
	}
	body := v.plain(strings.ReplaceAll(b.String(), "`", `\u0060`))
	const open, close = "```json\n", "\n```"
	if n := utf8.RuneCountInString(open + body + close); n <= limit {
		return open + body + close
	}
	tail := close + "\n" + more
	room := limit - utf8.RuneCountInString(open+tail)
	return open + cutLines(body, room) + tail
}

// cutLines cuts s to at most n characters, at a line break when one is near, ending in "…".
func cutLines(s string, n int) string {
	s = cut(s, n)
	if i := strings.LastIndexByte(s, '\n'); i > len(s)/2 {
		s = s[:i] + "\n…"
	}
	return s
}
