package mail

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Limits on what a message shows of params and context; the rest is a link away. They keep
// a message readable and well under the size at which mail clients clip it.
const (
	MaxFields     = 40   // keys shown per object
	MaxValueChars = 2000 // characters shown per value
	maxKeyChars   = 200
	maxShortValue = 60 // bytes: a value this short goes on its key's line
)

// field is one top-level key of params or context, ready to show.
type field struct {
	Key   string
	Value string // a string as it is; anything else as indented JSON
	Cut   int    // characters of the value left out
}

// Short reports whether f fits on one line beside its key.
func (f field) Short() bool {
	return f.Cut == 0 && len(f.Value) <= maxShortValue && !strings.Contains(f.Value, "\n")
}

// fields is a JSON object as a list of keys in their order, cut to MaxFields.
type fields struct {
	List []field
	More int // keys left out
}

// objectFields reads the JSON object raw, keeping the agent's key order (a map would sort
// it). Text that is not an object (which intake refuses) is shown whole as one value.
func objectFields(raw json.RawMessage) fields {
	var f fields
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		if len(bytes.TrimSpace(raw)) > 0 && string(bytes.TrimSpace(raw)) != "null" {
			f.List = append(f.List, newField("", json.RawMessage(raw)))
		}
		return f
	}
	for dec.More() {
		t, err := dec.Token()
		key, ok := t.(string)
		var value json.RawMessage
		if err != nil || !ok || dec.Decode(&value) != nil {
			break
		}
		if len(f.List) == MaxFields {
			f.More++
			continue
		}
		f.List = append(f.List, newField(key, value))
	}
	return f
}

func newField(key string, value json.RawMessage) field {
	k, _ := cut(key, maxKeyChars)
	v, n := cut(valueText(value), MaxValueChars)
	return field{Key: k, Value: v, Cut: n}
}

// valueText shows a value as a person reads it: a string without quotes or escapes, other
// scalars as written, objects and arrays indented.
func valueText(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) > 0 && v[0] == '"' {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	}
	if len(v) == 0 || (v[0] != '{' && v[0] != '[') {
		return string(v)
	}
	var b bytes.Buffer
	if json.Indent(&b, v, "", "  ") != nil {
		return string(v)
	}
	// The API escapes <, > and & inside JSON strings for the sake of HTML; here the message
	// escapes what it must itself, and a person should read the characters.
	return unescapeHTML(b.Bytes())
}

// unescapeHTML turns the escapes \u003c, \u003e and \u0026 of JSON text back into <, > and &.
// Every backslash in JSON starts an escape, so the text is read escape by escape.
func unescapeHTML(b []byte) string {
	var out strings.Builder
	out.Grow(len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			out.WriteByte(b[i])
			continue
		}
		if b[i+1] == 'u' && i+6 <= len(b) {
			switch strings.ToLower(string(b[i+2 : i+6])) {
			case "003c":
				out.WriteByte('<')
				i += 5
				continue
			case "003e":
				out.WriteByte('>')
				i += 5
				continue
			case "0026":
				out.WriteByte('&')
				i += 5
				continue
			}
		}
		out.Write(b[i : i+2])
		i++
	}
	return out.String()
}

// cut returns s's first n characters and how many it left out.
func cut(s string, n int) (string, int) {
	if len(s) <= n { // bytes ≥ characters
		return s, 0
	}
	i, count := 0, 0
	for i < len(s) && count < n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	if i == len(s) {
		return s, 0
	}
	return s[:i], utf8.RuneCountInString(s[i:])
}
