package views

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// Below the limit and the indent cap, IndentJSON writes what encoding/json's Indent does;
// cut anywhere, it writes a prefix of that within the limit and counts what it left out.
func FuzzIndentJSON(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `{"a":[1,2,{"b":null}],"c":{}, "d" : [ ] }`, `"x"`, `{"s":"a\"}{,:","t":"é😀"}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`, `{"n":-1.5e10,"t":true,"f":false}`,
	} {
		f.Add([]byte(s), uint16(20))
	}
	f.Fuzz(func(t *testing.T, src []byte, limit uint16) {
		if !json.Valid(src) || depth(src) > maxIndent {
			return
		}
		var want bytes.Buffer
		_ = json.Indent(&want, src, "", "  ")
		full, more := IndentJSON(nil, src, len(src)*100+100)
		if more != 0 || string(full) != strings.TrimSpace(want.String()) {
			t.Fatalf("%q: got %q (%d more), json.Indent gives %q", src, full, more, want.String())
		}
		cut, more := IndentJSON([]byte("prefix"), src, int(limit))
		cut = cut[len("prefix"):]
		if len(cut) > int(limit) || !bytes.HasPrefix(full, cut) || (more == 0) != (len(cut) == len(full)) || more > len(src) {
			t.Fatalf("%q cut at %d: %q, %d more", src, limit, cut, more)
		}
	})
}

// depth is how deeply arrays and objects nest in valid JSON.
func depth(src []byte) int {
	d, deepest := 0, 0
	dec := json.NewDecoder(bytes.NewReader(src))
	for {
		tok, err := dec.Token()
		if err != nil {
			return deepest
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			d++
			deepest = max(deepest, d)
		case json.Delim('}'), json.Delim(']'):
			d--
		}
	}
}

// Issue 8's value, 9,990 nested arrays holding 20,000 zeros (60 KB), indented by
// encoding/json made a 600 MB page; it now stops at the limit and says how much is left.
func TestPrettyJSONIsBounded(t *testing.T) {
	deep := `{"a":` + strings.Repeat("[", 9990) + strings.Repeat("0,", 19999) + "0" + strings.Repeat("]", 9990) + `}`
	wide := `{"s":"` + strings.Repeat("é", PrettyLimit) + `"}`
	for _, tc := range []struct {
		name, raw string
	}{{"deep", deep}, {"long string", wide}, {"not JSON", "{" + strings.Repeat("x", 2*PrettyLimit)}} {
		p := PrettyJSON([]byte(tc.raw))
		if len(p.Text) > PrettyLimit || len(p.Text) < PrettyLimit-100 || p.More <= 0 || p.More >= len(tc.raw) {
			t.Errorf("%s: %d bytes shown, %d more of %d", tc.name, len(p.Text), p.More, len(tc.raw))
		}
		if !strings.HasPrefix(p.Truncated(), "truncated, ") || !strings.HasSuffix(p.Truncated(), " bytes more") {
			t.Errorf("%s: note %q", tc.name, p.Truncated())
		}
		if !utf8.ValidString(p.Text) {
			t.Errorf("%s: cut inside a character", tc.name)
		}
	}
	// Deeper than the indent cap, levels stay at the cap's indentation.
	p := PrettyJSON([]byte(deep))
	if strings.Contains(p.Text, "\n"+strings.Repeat(" ", 2*maxIndent+1)) {
		t.Errorf("indented past %d levels", maxIndent)
	}
	if p := PrettyJSON([]byte(`{"a":[1]}`)); p.Text != "{\n  \"a\": [\n    1\n  ]\n}" || p.More != 0 || p.Truncated() != "" {
		t.Errorf("small value: %q, %d more", p.Text, p.More)
	}
}
