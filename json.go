package agentgate

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// jsonUnmarshalStrict decodes b into v, refusing unknown fields.
func jsonUnmarshalStrict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// checkText refuses text no database stores faithfully: invalid UTF-8 or a NUL character.
// The JSON API refuses such bodies before they get here; this covers every other surface.
func checkText(field, s string) error {
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return Errorf(KindInvalid, "invalid_text", "%s must be UTF-8 text without NUL characters", field)
	}
	return nil
}
