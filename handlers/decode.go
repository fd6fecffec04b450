package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
)

// decodeJSON reads the body as one JSON object into v, refusing unknown fields, trailing
// data and bodies over the limit, with errors that say what to fix.
func decodeJSON(c echo.Context, v any) error {
	body, err := readJSON(c)
	if err != nil {
		return err
	}
	return unmarshalStrict(body, v)
}

// readJSON reads a JSON body: its content type, size and text, not yet its syntax.
func readJSON(c echo.Context) ([]byte, error) {
	r := c.Request()
	if ct := r.Header.Get(echo.HeaderContentType); ct != "" && ct != echo.MIMEApplicationJSON {
		// Media types are case-insensitive and may carry parameters; a prefix match would
		// also take "application/jsonp".
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != echo.MIMEApplicationJSON {
			return nil, ag.Errorf(ag.KindInvalid, "unsupported_content_type", "send the body as application/json, not %q", ct)
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, decodeError(err)
	}
	if err := storableText(body); err != nil {
		return nil, err
	}
	return body, nil
}

// unmarshalStrict decodes body, one JSON object, into v.
func unmarshalStrict(body []byte, v any) error {
	err := decodeStrict(bytes.NewReader(body), v)
	switch {
	case err == nil:
		return nil
	case err == errTrailingData: // a trailingError, JSON that does not parse, is worded below
		return ag.Errorf(ag.KindInvalid, "invalid_json", "the body must hold exactly one JSON object")
	}
	return decodeError(err)
}

// errTrailingData is decodeStrict's error for text after the one JSON value.
var errTrailingData = errors.New("text after the JSON value")

// trailingError is errTrailingData when the text after the value is not JSON either: it
// reads as, and unwraps to, the reason, so decodeError words it as before.
type trailingError struct{ error }

func (trailingError) Is(target error) bool { return target == errTrailingData }
func (e trailingError) Unwrap() error      { return e.error }

// decodeStrict decodes one JSON value from r into v, refusing unknown fields and anything
// after the value. It returns encoding/json's error as it is, or errTrailingData (matched
// with errors.Is); the callers word them.
func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return trailingError{err}
		}
		return errTrailingData
	}
	return nil
}

// unknownField returns the field, quoted as encoding/json quotes it, that a decoder with
// DisallowUnknownFields refused; the error has no type to match, only this text.
func unknownField(err error) (string, bool) {
	return strings.CutPrefix(err.Error(), "json: unknown field ")
}

func decodeError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
		tooBig *http.MaxBytesError
		when   *time.ParseError
		domErr *ag.Error
	)
	switch {
	case errors.As(err, &tooBig):
		return tooLarge()
	case errors.As(err, &domErr):
		return domErr
	case errors.Is(err, io.EOF):
		return ag.Errorf(ag.KindInvalid, "invalid_json", "the body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return ag.Errorf(ag.KindInvalid, "invalid_json", "the body ends in the middle of a JSON value")
	case errors.As(err, &syntax):
		return ag.Errorf(ag.KindInvalid, "invalid_json", "the body is not valid JSON (at byte %d): %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return ag.Errorf(ag.KindInvalid, "invalid_json", "the body must be a JSON object, not %s", typ.Value)
		}
		return ag.Errorf(ag.KindInvalid, "invalid_field", "field %q must be %s, not %s", field, typeName(typ.Type.String()), typ.Value).
			WithDetails(map[string]any{"field": field})
	case errors.As(err, &when):
		return ag.Errorf(ag.KindInvalid, "invalid_field", "times must be RFC 3339 strings such as \"2026-01-31T15:04:05Z\", not %q", when.Value)
	case strings.HasPrefix(err.Error(), "Time.UnmarshalJSON: "):
		// time.Time refuses a non-string with a plain error that names no field.
		return ag.Errorf(ag.KindInvalid, "invalid_field", "times must be RFC 3339 strings such as \"2026-01-31T15:04:05Z\"")
	}
	if name, ok := unknownField(err); ok {
		return ag.Errorf(ag.KindInvalid, "unknown_field", "unknown field %s; check its spelling", name).
			WithDetails(map[string]any{"field": strings.Trim(name, `"`)})
	}
	return ag.Errorf(ag.KindInvalid, "invalid_json", "the body could not be read as JSON: %s", err.Error())
}

// typeName says a Go type the way a JSON author thinks of it.
func typeName(goType string) string {
	switch {
	case strings.Contains(goType, "int") || strings.Contains(goType, "float"):
		return "a number"
	case goType == "string" || strings.HasSuffix(goType, "Status") || strings.HasSuffix(goType, "Scope") || strings.HasSuffix(goType, "Urgency"):
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "map") || strings.Contains(goType, "RawMessage"):
		return "an object"
	case strings.Contains(goType, "Time"):
		return "an RFC 3339 time string"
	}
	return fmt.Sprintf("of type %s", goType)
}

// storableText refuses JSON text that a database cannot store (see ag.UnstorableJSON). Left
// in, it would reach the store and fail there as an internal error.
func storableText(b []byte) error {
	if !utf8.Valid(b) {
		return ag.Errorf(ag.KindInvalid, "invalid_json", "the body is not valid UTF-8")
	}
	if what := ag.UnstorableJSON(b); what != "" {
		return ag.Errorf(ag.KindInvalid, "invalid_text", "the body holds %s; text may not contain those", what)
	}
	return nil
}
