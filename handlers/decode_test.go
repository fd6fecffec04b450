package handlers

import (
	"cmp"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
)

// decodeCase is one body and the error the decoder must answer it with.
type decodeCase struct {
	name    string
	body    string
	into    any // a pointer to the value decoded into; *ag.NewRequest when nil
	code    string
	message string
	field   string // details.field, when the error names one
	// quotes says the message ends with encoding/json's own description of a syntax
	// error, which is shown but never matched: only the part before it is ours.
	quotes bool
}

// Every message the JSON decoder words, each from a body that causes it. The messages are
// ours: none may change because encoding/json words an error differently.
func TestDecodeErrorMessages(t *testing.T) {
	const timeHint = `such as "2026-01-31T15:04:05Z"`
	cases := []decodeCase{
		{name: "empty", body: ``, code: "invalid_json", message: "the body is empty; send a JSON object"},
		{name: "space only", body: " \n", code: "invalid_json", message: "the body is empty; send a JSON object"},
		{name: "cut short", body: `{"action":"x"`, code: "invalid_json", message: "the body ends in the middle of a JSON value"},
		{name: "syntax", body: `{"action" "x"}`, code: "invalid_json", quotes: true,
			message: "the body is not valid JSON (at byte 11): "},
		{name: "array", body: `[1]`, code: "invalid_json", message: "the body must be a JSON object, not array"},
		{name: "string", body: `"x"`, code: "invalid_json", message: "the body must be a JSON object, not string"},
		{name: "two values", body: `{"action":"x"} {}`, code: "invalid_json", message: "the body must hold exactly one JSON object"},
		{name: "trailing junk", body: `{"action":"x"} x`, code: "invalid_json", quotes: true,
			message: "the body is not valid JSON (at byte 15): "},
		{name: "string field a number", body: `{"action":7}`, code: "invalid_field", field: "action",
			message: `field "action" must be a string, not number`},
		{name: "number field a string", body: `{"name":"p","priority":"high"}`, into: &policyBody{}, code: "invalid_field", field: "priority",
			message: `field "priority" must be a number, not string`},
		{name: "bool field a string", body: `{"name":"p","enabled":"yes"}`, into: &policyBody{}, code: "invalid_field", field: "enabled",
			message: `field "enabled" must be true or false, not string`},
		{name: "array field an object", body: `{"name":"p","rules":{}}`, into: &policyBody{}, code: "invalid_field", field: "rules",
			message: `field "rules" must be an array, not object`},
		{name: "object field an array", body: `{"rules":[{"match":[]}]}`, into: &policyBody{}, code: "invalid_field", field: "rules.match",
			message: `field "rules.match" must be an object, not array`},
		{name: "typed string field a number", body: `{"scopes":[1]}`, into: &ag.KeyInput{}, code: "invalid_field", field: "scopes",
			message: `field "scopes" must be a string, not number`},
		{name: "time not RFC 3339", body: `{"action":"x","expiresAt":"tomorrow"}`, code: "invalid_field",
			message: `times must be RFC 3339 strings ` + timeHint + `, not "tomorrow"`},
		{name: "time a number", body: `{"action":"x","expiresAt":1767225600}`, code: "invalid_field", field: "expiresAt",
			message: `field "expiresAt" must be an RFC 3339 time string ` + timeHint},
		{name: "time an object", body: `{"policy":{},"from":{}}`, into: &simulateBody{}, code: "invalid_field", field: "from",
			message: `field "from" must be an RFC 3339 time string ` + timeHint},
		{name: "unknown field", body: `{"action":"x","priority":1}`, code: "unknown_field", field: "priority",
			message: `unknown field "priority"; check its spelling`},
		{name: "unknown field first of two", body: `{"zeta":1,"alpha":2}`, code: "unknown_field", field: "zeta",
			message: `unknown field "zeta"; check its spelling`},
		{name: "unknown nested field", body: `{"name":"p","rules":[{"decision":"auto_deny"},{"decison":"auto_deny"}]}`, into: &policyBody{},
			code: "unknown_field", field: "rules.decison", message: `unknown field "decison" in rules[1]; check its spelling`},
		{name: "unknown field in a nested object", body: `{"policy":{"name":"p","colour":"red"}}`, into: &simulateBody{},
			code: "unknown_field", field: "policy.colour", message: `unknown field "colour" in policy; check its spelling`},
		{name: "a bad time beats an earlier unknown field", body: `{"extra":1,"action":"x","expiresAt":true}`, code: "invalid_field", field: "expiresAt",
			message: `field "expiresAt" must be an RFC 3339 time string ` + timeHint},
		{name: "own type's error", body: `{"rateLimit":"lots"}`, into: &ag.KeyInput{}, code: "invalid_request",
			message: "rateLimit must be a whole number of requests per minute, or null for unlimited"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			into := tc.into
			if into == nil {
				into = &ag.NewRequest{}
			}
			wantDecodeError(t, unmarshalStrict([]byte(tc.body), into), tc)
		})
	}
}

// encoding/json matches keys to fields ignoring case, so a key spelled in another case is
// known, and only a key that matches no field is named as unknown.
func TestDecodeNamesOnlyKeysThatMatchNoField(t *testing.T) {
	var in ag.NewRequest
	if err := unmarshalStrict([]byte(`{"ACTION":"x","Urgency":"high"}`), &in); err != nil || in.Action != "x" || in.Urgency != "high" {
		t.Fatalf("got %+v, %v", in, err)
	}
	err := unmarshalStrict([]byte(`{"ACTION":"x","Urgency":"high","urgent":true}`), &ag.NewRequest{})
	wantDecodeError(t, err, decodeCase{code: "unknown_field", field: "urgent", message: `unknown field "urgent"; check its spelling`})
}

// The reading of a body, before its JSON: media type, size and text.
func TestReadJSONErrorMessages(t *testing.T) {
	cases := []struct {
		decodeCase
		contentType string
		limit       int64
	}{
		{decodeCase: decodeCase{name: "text", body: `{}`, code: "unsupported_media_type",
			message: `send the body as application/json, not "text/plain"`}, contentType: "text/plain"},
		{decodeCase: decodeCase{name: "look-alike", body: `{}`, code: "unsupported_media_type",
			message: `send the body as application/json, not "application/jsonp"`}, contentType: "application/jsonp"},
		{decodeCase: decodeCase{name: "too large", body: `{"action":"xxxxxxxx"}`, code: "body_too_large",
			message: "request body is larger than 1 MiB; send less"}, limit: 4},
		{decodeCase: decodeCase{name: "not UTF-8", body: "{\"action\":\"\xff\"}", code: "invalid_json",
			message: "the body is not valid UTF-8"}},
		{decodeCase: decodeCase{name: "NUL", body: `{"action":"a\u0000"}`, code: "invalid_text",
			message: "the body holds a NUL character (\\u0000); text may not contain those"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", cmp.Or(tc.contentType, "application/json; charset=utf-8"))
			rec := httptest.NewRecorder()
			if tc.limit > 0 {
				req.Body = http.MaxBytesReader(rec, req.Body, tc.limit)
			}
			wantDecodeError(t, decodeJSON(echo.New().NewContext(req, rec), &ag.NewRequest{}), tc.decodeCase)
		})
	}
}

// An error the decoder cannot place is still a 400 that says the body could not be read.
func TestDecodeErrorFallsBackToInvalidJSON(t *testing.T) {
	err := decodeError(errors.New("connection reset"))
	wantDecodeError(t, err, decodeCase{code: "invalid_json", message: "the body could not be read as JSON: connection reset"})
}

// The rules editor words the same errors for a person looking at the text. A want ending
// in ": " is the part of a syntax error's message that is ours.
func TestRulesEditorMessages(t *testing.T) {
	for text, want := range map[string]string{
		`[{"match":{},"decision":"auto_deny"},` + "\n" + ` {"decison":"auto_deny"}]`: `Unknown field "decison" in rules[1]; a rule has match, decision, approvers, channels, requireReason, requiredApprovals and owasp.`,
		`[{"match":{}, "decision":"auto_deny"}`:                                      "The JSON ends too early: a bracket or brace is not closed.",
		`{"match":{}}`:                                                               "Line 1, column 2: the rules must be a JSON array of rule objects.",
		"[\n{\"requiredApprovals\":\"two\"}]":                                        `Line 2, column 27: requiredApprovals must be a number, not string.`,
		"[\n{\"match\" {}}]":                                                         "Line 2, column 11: ", // then encoding/json's words
		`[{"match":{},"decision":"auto_deny"}] []`:                                   "Only one JSON array is allowed; remove what follows it.",
		`[{"match":{},"decision":"auto_deny"}] {"a":1}`:                              "Only one JSON array is allowed; remove what follows it.",
	} {
		got := checkRules(text).check.Error
		if strings.HasSuffix(want, ": ") && strings.HasPrefix(got, want) {
			continue
		}
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", text, got, want)
		}
	}
}

func wantDecodeError(t *testing.T, err error, want decodeCase) {
	t.Helper()
	var e *ag.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *ag.Error", err, err)
	}
	message := e.Message
	if want.quotes && len(message) > len(want.message) {
		message = message[:len(want.message)]
	}
	if e.Code != want.code || message != want.message {
		t.Errorf("got  %s: %s\nwant %s: %s", e.Code, e.Message, want.code, want.message)
	}
	var details map[string]any
	if want.field != "" {
		details = map[string]any{"field": want.field}
	}
	if !reflect.DeepEqual(e.Details, details) {
		t.Errorf("details %v, want %v", e.Details, details)
	}
}
