package webhook

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestExcerpt(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"short", `{"ok":true}`, `{"ok":true}`},
		{"empty", "", ""},
		{"NUL, which PostgreSQL text refuses", "a\x00b", "a\uFFFDb"},
		{"invalid UTF-8", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"long ASCII", strings.Repeat("x", 5000), strings.Repeat("x", 1024)},
		{"a 3-byte character across the cut", strings.Repeat("x", 1022) + "€tail", strings.Repeat("x", 1022)},
		{"a 4-byte character up to the cut", strings.Repeat("x", 1020) + "😀tail", strings.Repeat("x", 1020) + "😀"},
	}
	for _, tt := range tests {
		got := excerpt([]byte(tt.body))
		if got != tt.want {
			t.Errorf("%s: excerpt = %.60q (%d bytes), want %.60q", tt.name, got, len(got), tt.want)
		}
		if len(got) > maxExcerpt || !utf8.ValidString(got) || strings.ContainsRune(got, 0) {
			t.Errorf("%s: excerpt of %d bytes, valid %v", tt.name, len(got), utf8.ValidString(got))
		}
	}
	// Invalid bytes grow threefold as U+FFFD; the bound holds on the result, not the input.
	if got := excerpt([]byte(strings.Repeat("\xff", 1024))); len(got) > maxExcerpt {
		t.Errorf("excerpt of invalid bytes is %d bytes", len(got))
	}
}
