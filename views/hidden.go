package views

import (
	"encoding/json"
	"unicode"
	"unicode/utf8"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/internal/reveal"
)

// Segment is a piece of text as a page shows it: plain, a hidden character made visible
// (Hidden: its mark, such as ⟨U+202E⟩), a Cyrillic or Greek letter inside a Latin word
// (Lookalike), or a word that destroys something (Danger).
type Segment struct {
	Text      string
	Hidden    bool
	Lookalike bool
	Danger    bool
}

// Reveal splits s into segments, each hidden character (see reveal.IsHidden) and invalid
// byte a segment of its own holding its mark, so that the page can set marks apart and no
// character in s can reorder or hide what is around it. Text with nothing hidden is one
// segment, without allocating more than the slice.
func Reveal(s string) []Segment {
	return appendRevealed(nil, s, false)
}

// appendRevealed appends s's segments to out, each plain one marked danger when danger.
func appendRevealed(out []Segment, s string, danger bool) []Segment {
	if _, hidden := reveal.String(s); !hidden {
		if s == "" {
			return out
		}
		if reveal.MixedScript(s) {
			return appendLookalikes(out, s, danger)
		}
		return append(out, Segment{Text: s, Danger: danger})
	}
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r != utf8.RuneError || size != 1) && !reveal.IsHidden(r) {
			i += size
			continue
		}
		if start < i {
			out = appendRevealed(out, s[start:i], danger)
		}
		mark, _ := reveal.String(s[i : i+size])
		out = append(out, Segment{Text: mark, Hidden: true})
		i += size
		start = i
	}
	if start < len(s) {
		out = appendRevealed(out, s[start:], danger)
	}
	return out
}

// appendLookalikes appends s, which has nothing hidden, marking the Cyrillic and Greek
// letters of each word that mixes them with Latin ones.
func appendLookalikes(out []Segment, s string, danger bool) []Segment {
	start := 0 // of the text not yet appended
	for i := 0; i < len(s); {
		w := wordEnd(s, i)
		if w == i {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			continue
		}
		if reveal.MixedScript(s[i:w]) {
			for j := i; j < w; {
				r, size := utf8.DecodeRuneInString(s[j:])
				if unicode.In(r, unicode.Cyrillic, unicode.Greek) {
					if start < j {
						out = append(out, Segment{Text: s[start:j], Danger: danger})
					}
					out = append(out, Segment{Text: s[j : j+size], Lookalike: true})
					start = j + size
				}
				j += size
			}
		}
		i = w
	}
	if start < len(s) {
		out = append(out, Segment{Text: s[start:], Danger: danger})
	}
	return out
}

// wordEnd returns where the word (letters, marks, digits) starting at i ends; i if none does.
func wordEnd(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.In(r, unicode.L, unicode.M, unicode.Nd) {
			break
		}
		i += size
	}
	return i
}

// Suspicious reports whether s holds a hidden character or a word that mixes scripts (a
// Cyrillic letter among Latin ones): text that may not say what it seems to.
func Suspicious(s string) bool {
	_, hidden := reveal.String(s)
	return hidden || reveal.MixedScript(s)
}

// RequestSuspicious reports whether anything of r a person reads before deciding (action,
// requester, params, context, reasons, votes) holds hidden characters or mixed scripts.
func RequestSuspicious(r *ag.Request) bool {
	if Suspicious(r.Action) || Suspicious(r.CreatedBy) || Suspicious(r.DecisionReason) || Suspicious(r.DecidedBy) {
		return true
	}
	for _, v := range r.Votes {
		if Suspicious(v.Voter) || Suspicious(v.Reason) {
			return true
		}
	}
	return jsonSuspicious(r.Params) || jsonSuspicious(r.Context)
}

// jsonSuspicious reports whether a key or string of a JSON document is Suspicious. JSON
// escapes (\u202e) count as what they stand for, so the document is decoded first.
func jsonSuspicious(raw []byte) bool {
	if len(raw) == 0 {
		return false
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return Suspicious(string(raw))
	}
	return anySuspicious(v)
}

func anySuspicious(v any) bool {
	switch v := v.(type) {
	case string:
		return Suspicious(v)
	case map[string]any:
		for k, e := range v {
			if Suspicious(k) || anySuspicious(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if anySuspicious(e) {
				return true
			}
		}
	}
	return false
}
