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

// storable reports whether a database stores s faithfully: UTF-8 without a NUL character
// (PostgreSQL refuses both).
func storable(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// checkText refuses text that is not storable. The JSON API refuses such bodies before they
// get here; this covers every other surface.
func checkText(field, s string) error {
	if !storable(s) {
		return Errorf(KindInvalid, "invalid_text", "%s must be UTF-8 text without NUL characters", field)
	}
	return nil
}
