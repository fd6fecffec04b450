package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// The SDK validates arguments against the input schema before a tool runs, but its
// messages are written for schema authors ("validating /properties/waitSeconds: type:
// <invalid reflect.Value> has type \"null\", want \"number\""). A model corrects itself
// best from a plain sentence, so checkArguments checks each call against the same schema
// first and answers a tool error such as `waitSeconds must be a number, not null`.
// The SDK's validation still runs after it, as a backstop.

// argSchema is the part of JSON Schema our input schemas use.
type argSchema struct {
	Type       string                `json:"type"`
	Properties map[string]*argSchema `json:"properties"`
	Required   []string              `json:"required"`
	Enum       []string              `json:"enum"`
	Items      *argSchema            `json:"items"`
	Minimum    *float64              `json:"minimum"`
	Maximum    *float64              `json:"maximum"`
}

// mustArgSchema parses one of the tools' input schemas, which are constants.
func mustArgSchema(raw json.RawMessage) *argSchema {
	var s argSchema
	if err := json.Unmarshal(raw, &s); err != nil {
		panic(fmt.Sprintf("mcp: input schema: %v", err))
	}
	return &s
}

// checkArguments is receiving middleware that refuses a tools/call whose arguments do not
// fit the tool's schema, with a tool error that names the argument and what it must be.
func checkArguments(schemas map[string]*argSchema) sdk.Middleware {
	return func(next sdk.MethodHandler) sdk.MethodHandler {
		return func(ctx context.Context, method string, req sdk.Request) (sdk.Result, error) {
			if call, ok := req.(*sdk.CallToolRequest); ok && call.Params != nil {
				if s := schemas[call.Params.Name]; s != nil {
					if err := s.checkArgs(call.Params.Arguments); err != nil {
						res := &sdk.CallToolResult{}
						res.SetError(err)
						return res, nil
					}
				}
			}
			return next(ctx, method, req)
		}
	}
}

// checkArgs checks a call's arguments object: required properties first, then each given
// property in name order. Properties the schema does not name are left to the tool.
func (s *argSchema) checkArgs(raw json.RawMessage) error {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		raw = json.RawMessage("{}")
	}
	var args map[string]json.RawMessage
	if err := json.Unmarshal(raw, &args); err != nil {
		return fmt.Errorf("arguments must be an object, not %s", describe(raw))
	}
	for _, name := range s.Required {
		if _, ok := args[name]; !ok {
			return fmt.Errorf("%s is required", name)
		}
	}
	names := make([]string, 0, len(args))
	for name := range args {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if p := s.Properties[name]; p != nil {
			if err := p.checkValue(name, args[name]); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkValue checks one value against its property's type, enum, bounds and items.
func (s *argSchema) checkValue(name string, raw json.RawMessage) error {
	kind := jsonKind(raw)
	if s.Type != "" && kind != s.Type {
		return fmt.Errorf("%s must be %s, not %s", name, article(s.Type), describe(raw))
	}
	switch kind {
	case "string":
		var v string
		_ = json.Unmarshal(raw, &v) // the kind says it is a string
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, v) {
			return fmt.Errorf("%s must be one of %s, not %s", name, strings.Join(s.Enum, ", "), describe(raw))
		}
	case "number":
		var v float64
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("%s is too large a number: %s", name, raw)
		}
		if (s.Minimum != nil && v < *s.Minimum) || (s.Maximum != nil && v > *s.Maximum) {
			return fmt.Errorf("%s must be %s, not %s", name, bounds(s.Minimum, s.Maximum), raw)
		}
	case "array":
		if s.Items == nil {
			return nil
		}
		var items []json.RawMessage
		_ = json.Unmarshal(raw, &items) // the kind says it is an array
		for i, item := range items {
			if err := s.Items.checkValue(fmt.Sprintf("%s[%d]", name, i), item); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonKind names a JSON value's type as JSON Schema does (numbers are "number").
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "null"
	}
	switch raw[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// article names a schema type for a sentence: "a string", "an object".
func article(typ string) string {
	switch typ {
	case "object", "array":
		return "an " + typ
	case "boolean":
		return "a boolean (true or false)"
	}
	return "a " + typ
}

// describe names a wrong value for a sentence: null, true, the number 5, the string "x",
// an array, an object. Long strings are cut short.
func describe(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	switch kind := jsonKind(raw); kind {
	case "null", "boolean":
		return string(raw)
	case "number":
		return "the number " + string(raw)
	case "string":
		var v string
		_ = json.Unmarshal(raw, &v)
		if utf8.RuneCountInString(v) > 40 {
			v = string([]rune(v)[:40]) + "…"
		}
		return fmt.Sprintf("the string %q", v)
	default:
		return article(kind)
	}
}

// bounds says which numbers are allowed: "from 0 to 3600", "at least 0", "at most 10".
func bounds(lo, hi *float64) string {
	switch {
	case lo != nil && hi != nil:
		return fmt.Sprintf("from %g to %g", *lo, *hi)
	case lo != nil:
		return fmt.Sprintf("at least %g", *lo)
	}
	return fmt.Sprintf("at most %g", *hi)
}
