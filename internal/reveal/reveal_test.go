package reveal_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/agentgate/agentgate/internal/reveal"
)

func TestString(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		hidden         bool
	}{
		{"empty", "", "", false},
		{"ascii", "send_email to ceo@example.com", "send_email to ceo@example.com", false},
		{"newline and tab stay", "a\n\tb", "a\n\tb", false},
		{"visible letters of other scripts stay", "Grüße, привет, 你好, مرحبا, 👍🏽", "Grüße, привет, 你好, مرحبا, 👍🏽", false},
		{"right-to-left override", "invoice\u202Efdp.exe", "invoice⟨U+202E⟩fdp.exe", true},
		{"every bidi embedding and override", "\u202A\u202B\u202C\u202D\u202E", "⟨U+202A⟩⟨U+202B⟩⟨U+202C⟩⟨U+202D⟩⟨U+202E⟩", true},
		{"bidi isolates", "\u2066\u2067\u2068\u2069", "⟨U+2066⟩⟨U+2067⟩⟨U+2068⟩⟨U+2069⟩", true},
		{"zero-width space, joiners, word joiner", "a\u200Bb\u200Cc\u200Dd\u2060e", "a⟨U+200B⟩b⟨U+200C⟩c⟨U+200D⟩d⟨U+2060⟩e", true},
		{"byte order mark", "\uFEFFadmin", "⟨U+FEFF⟩admin", true},
		{"soft hyphen, another Cf", "ad\u00ADmin", "ad⟨U+00AD⟩min", true},
		{"tag characters smuggle text", "ok\U000E0041\U000E0042", "ok⟨U+E0041⟩⟨U+E0042⟩", true},
		{"control characters but newline and tab", "a\x00b\rc\x1bd\x7f", "a⟨U+0000⟩b⟨U+000D⟩c⟨U+001B⟩d⟨U+007F⟩", true},
		{"C1 control", "a\u0085b", "a⟨U+0085⟩b", true},
		{"line and paragraph separators", "a\u2028b\u2029c", "a⟨U+2028⟩b⟨U+2029⟩c", true},
		{"blank Hangul filler", "adm\u3164in", "adm⟨U+3164⟩in", true},
		{"invalid UTF-8", "a\xffb", "a⟨0xFF⟩b", true},
		{"truncated UTF-8", "a\xe2\x80", "a⟨0xE2⟩⟨0x80⟩", true},
		{"variation selector of an emoji stays", "❤\uFE0F", "❤\uFE0F", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, hidden := reveal.String(tc.in)
			if got != tc.want || hidden != tc.hidden {
				t.Errorf("String(%q) = %q, %v; want %q, %v", tc.in, got, hidden, tc.want, tc.hidden)
			}
		})
	}
}

func TestMixedScript(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"paypal.com", false},
		{"p\u0430ypal.com", true}, // Cyrillic а in a Latin word
		{"micr\u03BFsoft", true},  // Greek ο
		{"\u0440\u0430ss", true},  // Cyrillic р, а then Latin
		{"привет world", false},   // two scripts, two words
		{"Ελληνικά και English", false},
		{"build-2 сборка", false},
		{"", false},
		{"x1\u0430", true}, // digits do not break a word
	} {
		if got := reveal.MixedScript(tc.in); got != tc.want {
			t.Errorf("MixedScript(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// FuzzString: the output is valid UTF-8 with nothing hidden left, and equal to the input
// exactly when nothing was found.
func FuzzString(f *testing.F) {
	for _, s := range []string{"", "abc", "a\u202Eb", "\xff", "\U000E0041", "x\ny"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, hidden := reveal.String(s)
		if !utf8.ValidString(got) {
			t.Fatalf("String(%q) = %q: not UTF-8", s, got)
		}
		for _, r := range got {
			if reveal.IsHidden(r) {
				t.Fatalf("String(%q) = %q still holds %U", s, got, r)
			}
		}
		if hidden == (got == s) {
			t.Fatalf("String(%q) = %q, %v: hidden must say whether it changed", s, got, hidden)
		}
	})
}

func BenchmarkString(b *testing.B) {
	plain := strings.Repeat("send the quarterly report to ceo@example.com; ", 40)
	marked := plain + "\u202E"
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			reveal.String(plain)
		}
	})
	b.Run("hidden", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			reveal.String(marked)
		}
	})
}
