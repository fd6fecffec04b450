package views

import (
	"regexp"
	"slices"
	"strings"
)

// Destructive words in SQL and shell commands are marked so that they stand out in a long
// statement. This is a reading aid, not a parser: it recognises the common forms (DROP,
// TRUNCATE, DELETE or UPDATE without WHERE, rm -rf, --force) and never hides anything.

// Languages a string may read as.
const (
	LangSQL   = "sql"
	LangShell = "shell"
)

var (
	// sqlStart is a statement's first word, after leading space and comments.
	sqlStart = regexp.MustCompile(`(?is)^(?:\s|--[^\n]*\n|/\*.*?\*/)*(select|insert|update|delete|drop|truncate|alter|create|grant|revoke|with|merge|replace|vacuum)\b`)
	// shellStart is a command line's first word.
	shellStart = regexp.MustCompile(`^\s*(?:sudo\s+)?(rm|git|kubectl|docker|terraform|helm|sh|bash|zsh|curl|wget|chmod|chown|mv|cp|dd|mkfs\S*|find|rsync|psql|mysql|aws|gcloud|az|systemctl|npm|pip|make)\b`)
	sqlWord    = regexp.MustCompile(`(?i)\b(drop|truncate|delete|update|where)\b`)
	shellWord  = regexp.MustCompile(`\brm\s+(?:-[a-zA-Z]*(?:r[a-zA-Z]*f|f[a-zA-Z]*r)[a-zA-Z]*|-r\s+-f|-f\s+-r|--recursive\s+--force|--force\s+--recursive)\b|--force\S*|\bgit\s+push\s+-f\b|\bmkfs\S*`)
)

// codeKeys are param names whose strings are code whatever they start with.
var (
	sqlKeys   = []string{"sql", "query", "statement", "stmt"}
	shellKeys = []string{"command", "cmd", "shell", "script", "commandline", "command_line"}
)

// codeLanguage says whether s, the value of key, reads as SQL or a shell command.
func codeLanguage(key, s string) string {
	k := strings.ToLower(key)
	switch {
	case sqlStart.MatchString(s):
		return LangSQL
	case shellStart.MatchString(s) || (slices.Contains(shellKeys, k) && s != ""):
		return LangShell
	case slices.Contains(sqlKeys, k) && s != "":
		return LangSQL
	}
	return ""
}

// markDanger splits s into segments with its destructive words marked, for lang; it
// reports whether it marked any.
func markDanger(lang, s string) ([]Segment, bool) {
	var spans [][]int
	switch lang {
	case LangSQL:
		spans = sqlDanger(s)
	case LangShell:
		spans = shellWord.FindAllStringIndex(s, -1)
	}
	if len(spans) == 0 {
		return Reveal(s), false
	}
	var out []Segment
	at := 0
	for _, sp := range spans {
		out = appendRevealed(out, s[at:sp[0]], false)
		out = appendRevealed(out, s[sp[0]:sp[1]], true)
		at = sp[1]
	}
	return appendRevealed(out, s[at:], false), true
}

// sqlDanger finds DROP and TRUNCATE anywhere, and DELETE or UPDATE in a statement (up to
// the next semicolon) that has no WHERE: the statements that change every row.
func sqlDanger(s string) [][]int {
	var spans [][]int
	var open []int // a DELETE or UPDATE waiting for its WHERE
	flush := func() {
		if open != nil {
			spans = append(spans, open)
			open = nil
		}
	}
	stmtEnd := 0
	for _, m := range sqlWord.FindAllStringIndex(s, -1) {
		if m[0] >= stmtEnd {
			flush()
			if i := strings.IndexByte(s[m[0]:], ';'); i >= 0 {
				stmtEnd = m[0] + i + 1
			} else {
				stmtEnd = len(s)
			}
		}
		switch strings.ToLower(s[m[0]:m[1]]) {
		case "drop", "truncate":
			spans = append(spans, m)
		case "delete", "update":
			if clause(s[:m[0]]) {
				continue // ON DELETE CASCADE, SELECT ... FOR UPDATE: no rows change here
			}
			flush()
			open = m
		case "where":
			open = nil
		}
	}
	flush()
	slices.SortFunc(spans, func(a, b []int) int { return a[0] - b[0] })
	return spans
}

// clause reports whether the text before DELETE or UPDATE makes it part of a clause (ON
// DELETE, FOR UPDATE) rather than a statement.
func clause(before string) bool {
	before = strings.ToLower(strings.TrimRight(before, " \t\r\n"))
	return strings.HasSuffix(before, " on") || strings.HasSuffix(before, " for") ||
		strings.HasSuffix(before, "\non") || strings.HasSuffix(before, "\nfor")
}
