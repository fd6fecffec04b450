package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
)

// decodeJSON reads the body as one JSON object into v, refusing unknown fields, trailing
// data and bodies over the limit, with errors that say what to fix.
func decodeJSON(c echo.Context, v any) error {
	r := c.Request()
	if ct := r.Header.Get(echo.HeaderContentType); ct != "" && !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return ag.Errorf(ag.KindInvalid, "unsupported_content_type", "send the body as application/json, not %q", ct)
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return decodeError(err)
		}
		return ag.Errorf(ag.KindInvalid, "invalid_json", "the body must hold exactly one JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
		tooBig *http.MaxBytesError
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
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
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
