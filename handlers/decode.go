package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
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
			return nil, ag.Errorf(ag.KindMediaType, "unsupported_media_type", "send the body as application/json, not %q", ct)
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
	err := decodeStrict(body, v)
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

// decodeStrict decodes one JSON value from body into v, refusing unknown fields and
// anything after the value. Its errors all have types, matched with errors.As or
// errors.Is: encoding/json's typed errors as they are, an *unknownFieldError or a
// *timeTypeError for the two mistakes encoding/json reports only in text, or
// errTrailingData. The callers word them.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if wordError(err) == nil {
			if fe := findFieldError(body, reflect.TypeOf(v)); fe != nil {
				return fe
			}
		}
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

// decodeError words a decoding error for the person who sent the body.
func decodeError(err error) error {
	if worded := wordError(err); worded != nil {
		return worded
	}
	return ag.Errorf(ag.KindInvalid, "invalid_json", "the body could not be read as JSON: %s", err.Error())
}

// wordError words err if it is one of the errors with a type that reading and decoding a
// body give: encoding/json's, time's, http's, decodeStrict's or our own (a type's
// UnmarshalJSON returns an *ag.Error). It returns nil for any other error.
func wordError(err error) error {
	var (
		syntax  *json.SyntaxError
		typ     *json.UnmarshalTypeError
		tooBig  *http.MaxBytesError
		when    *time.ParseError
		notTime *timeTypeError
		unknown *unknownFieldError
		domErr  *ag.Error
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
		return ag.Errorf(ag.KindInvalid, "invalid_field", "field %q must be %s, not %s", field, typeName(typ.Type), typ.Value).
			WithDetails(map[string]any{"field": field})
	case errors.As(err, &when):
		return ag.Errorf(ag.KindInvalid, "invalid_field", "times must be RFC 3339 strings such as \"2026-01-31T15:04:05Z\", not %q", when.Value)
	case errors.As(err, &notTime):
		return ag.Errorf(ag.KindInvalid, "invalid_field", "field %q must be an RFC 3339 time string such as \"2026-01-31T15:04:05Z\"", notTime.Field).
			WithDetails(map[string]any{"field": notTime.Field})
	case errors.As(err, &unknown):
		where := ""
		if unknown.Where != "" {
			where = " in " + unknown.Where
		}
		return ag.Errorf(ag.KindInvalid, "unknown_field", "unknown field %q%s; check its spelling", unknown.Key, where).
			WithDetails(map[string]any{"field": unknown.Field})
	}
	return nil
}

// typeName says a Go type the way a JSON author thinks of it.
func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return "an RFC 3339 time string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "of type " + t.String()
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
