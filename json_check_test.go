package agentgate

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// nested returns an object holding n levels of objects and arrays in all, the outer object
// included, with leaf at the bottom.
func nested(n int, leaf string) string {
	var b strings.Builder
	for i := 1; i < n; i++ {
		if i%2 == 1 {
			b.WriteString(`{"a":`)
		} else {
			b.WriteString(`[`)
		}
	}
	b.WriteString(`{"leaf":` + leaf + `}`)
	for i := n - 1; i >= 1; i-- {
		if i%2 == 1 {
			b.WriteString(`}`)
		} else {
			b.WriteString(`]`)
		}
	}
	return b.String()
}

func TestValidateRefusesWhatCannotBeStoredFaithfully(t *testing.T) {
	long := "1" + strings.Repeat("0", MaxNumberLen-1) // 100 digits: allowed
	tests := []struct {
		name, params, code, path string
	}{
		{"ordinary", `{"items":[{"amount":12.5},{"amount":-3e2}],"ok":true,"n":null}`, "", ""},
		{"largest in full", `{"a":1e99,"b":-9.99e99,"c":0.5e100}`, "", ""},
		{"smallest in full", `{"a":1e-99,"b":-1.5e-98,"c":0.01e-97}`, "", ""},
		{"zero with exponent", `{"a":0e999,"b":-0.0E-90,"c":0e99999}`, "", ""},
		{"integer beyond 2^53", `{"a":123456789012345678901234567890}`, "", ""},
		{"100-character integer", `{"a":` + long + `}`, "", ""},
		{"overflow", `{"items":[1,2,3,{"amount":1e999}]}`, "number_out_of_range", "params.items[3].amount"},
		{"overflow by digits", `{"a":1` + strings.Repeat("0", 90) + `e300}`, "number_out_of_range", "params.a"},
		{"negative overflow", `{"a":-1.8e308}`, "number_out_of_range", "params.a"},
		{"underflow", `{"a":{"b":1e-400}}`, "number_out_of_range", "params.a.b"},
		{"huge exponent", `{"a":1e999999}`, "number_out_of_range", "params.a"},
		{"101-character number", `{"a":` + long + `0}`, "number_too_long", "params.a"},
		{"long fraction", `{"a":0.` + strings.Repeat("1", 200) + `}`, "number_too_long", "params.a"},
		{"float64 but 101 digits in full", `{"a":1e100}`, "number_too_long", "params.a"},
		{"largest float64", `{"a":1.7976931348623157e308}`, "number_too_long", "params.a"},
		{"101 digits of fraction in full", `{"a":1e-100}`, "number_too_long", "params.a"},
		{"zero with a long scale", `{"a":0e-20000}`, "number_too_long", "params.a"},
		{"duplicate key", `{"to":"a@example.com","to":"b@example.com"}`, "duplicate_key", "params.to"},
		{"duplicate nested", `{"user":{"id":1,"name":"x","id":2}}`, "duplicate_key", "params.user.id"},
		{"duplicate through an escape", `{"id":1,"\u0069d":2}`, "duplicate_key", "params.id"},
		{"duplicate in a large object", `{` + manyKeys(40) + `,"k7":0}`, "duplicate_key", "params.k7"},
		{"same key in sibling objects", `{"a":{"id":1},"b":{"id":2},"c":[{"id":1},{"id":1}]}`, "", ""},
		{"odd key in path", `{"a b":{"x.y":[0,{"z":1e400}]}}`, "number_out_of_range", `params["a b"]["x.y"][1].z`},
		{"32 levels", nested(32, `1`), "", ""},
		{"33 levels", nested(33, `1`), "too_deep", "params.a[0].a[0].a[0].a[0].a[0].a[0].a[0].a[0].a[0].a[0].a[0].a[0].a[0].a[0].a[0].a[0]"},
		{"deep arrays", `{"a":` + strings.Repeat("[", 9990) + strings.Repeat("]", 9990) + `}`, "too_deep", "params.a" + strings.Repeat("[0]", 31)},
		{"NUL escape", `{"note":"a\u0000b"}`, "invalid_text", "params.note"},
		{"lone surrogate", `{"note":["\ud800x"]}`, "invalid_text", "params.note[0]"},
		{"lone low surrogate", `{"note":"\udc00"}`, "invalid_text", "params.note"},
		{"surrogate pair", `{"note":"\ud83d\ude00"}`, "", ""},
		{"invalid UTF-8", "{\"note\":\"a\xffb\"}", "invalid_text", "params.note"},
		{"not JSON", `{"a":01}`, "invalid_params", ""},
		{"trailing comma", `{"a":1,}`, "invalid_params", ""},
		{"bad literal", `{"a":nul}`, "invalid_params", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewRequest{Action: "x", Params: []byte(tt.params)}.Validate(time.Time{})
			if tt.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code || e.Kind != KindInvalid {
				t.Fatalf("err = %v (code %s), want %s", err, ErrorCode(err), tt.code)
			}
			if tt.path != "" && (e.Details["path"] != tt.path || !strings.HasPrefix(e.Message, tt.path+": ")) {
				t.Fatalf("message %q, details %v; want path %s", e.Message, e.Details, tt.path)
			}
		})
	}
	// Context gets the same checks, named as context.
	_, err := NewRequest{Action: "x", Context: []byte(`{"run":{"a":1,"a":1}}`)}.Validate(time.Time{})
	if ErrorCode(err) != "duplicate_key" || !strings.HasPrefix(ErrorMessage(err), "context.run.a: ") {
		t.Fatalf("context: %v", err)
	}
}

func manyKeys(n int) string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = `"k` + strconv.Itoa(i) + `":` + strconv.Itoa(i)
	}
	return strings.Join(keys, ",")
}

// FuzzCheckObject holds the one-pass checker to encoding/json: it refuses all that
// json.Valid refuses, and on valid UTF-8 JSON that PostgreSQL can store it finds the first of
// the faults a walk over encoding/json's tokens finds, or none. What it accepts decodes.
func FuzzCheckObject(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a":1}`, ` {"a" : [1, 2.5e3, {"b":null}], "c":"\u00e9"} `, `{"a":1,"a":2}`,
		`{"a":1e999}`, `{"a":1e-999}`, `{"a":0e99999}`, `{"a":1e99,"b":1e100,"c":0.0e-99,"d":-0.5e-98}`, nested(33, `1`), nested(32, `[]`),
		`{"a":"\ud800"}`, `{"a":"\u0000"}`, `{"a\u0062":1,"ab":2}`, `{"a":-0.0}`, `{"a":[}`,
		`{"a":` + strings.Repeat("9", 120) + `}`, `{"a":tru}`, `{"a":"x"}}`, `{"\u00e9":1,"é":2}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 || b[0] != '{' {
			return
		}
		compact, err := checkObject("params", b)
		code := ErrorCode(err)
		if err == nil {
			code = ""
		}
		switch {
		case !json.Valid(b):
			if err == nil {
				t.Fatalf("%q: accepted; json.Valid refuses it", b)
			}
			return
		case code == "invalid_params":
			t.Fatalf("%q: called not JSON; json.Valid accepts it", b)
		case !utf8.Valid(b) || UnstorableJSON(b) != "":
			if err == nil {
				t.Fatalf("%q: accepted text PostgreSQL refuses", b)
			}
			return
		}
		if want := firstFault(t, b); code != want {
			t.Fatalf("%q: code %q, the token walk finds %q", b, code, want)
		}
		if err == nil {
			var v map[string]any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatalf("%q: accepted; does not decode: %v", b, err)
			}
			var c bytes.Buffer
			_ = json.Compact(&c, b)
			if compact != bytes.Equal(c.Bytes(), b) {
				t.Fatalf("%q: compact = %v", b, compact)
			}
		}
	})
}

// firstFault walks encoding/json's tokens of valid JSON and returns the code of the first
// fault checkObject must report, or "".
func firstFault(t *testing.T, b []byte) string {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	type frame struct {
		object, wantKey bool
		keys            map[string]bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return ""
		}
		if err != nil {
			t.Fatalf("%q: token: %v", b, err)
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		isKey := top != nil && top.object && top.wantKey
		if top != nil && top.object {
			top.wantKey = !top.wantKey
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if len(stack) == MaxJSONDepth {
					return "too_deep"
				}
				stack = append(stack, &frame{object: v == '{', wantKey: true, keys: map[string]bool{}})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].wantKey = true
				}
			}
		case string:
			if isKey {
				if top.keys[v] {
					return "duplicate_key"
				}
				top.keys[v] = true
			}
		case json.Number:
			if code := numberFault(string(v)); code != "" {
				return code
			}
		}
	}
}

// numberFault is the number rule said plainly, with math/big working out the integer part
// PostgreSQL writes; the scale is the fraction's digits less the exponent.
func numberFault(s string) string {
	if len(s) > MaxNumberLen {
		return "number_too_long"
	}
	mant, expText, _ := strings.Cut(strings.ToLower(s), "e")
	exp, err := strconv.Atoi(expText)
	if expText == "" {
		exp, err = 0, nil
	}
	_, frac, _ := strings.Cut(mant, ".")
	nonZero := strings.Trim(mant, "-0.") != ""
	var digits int
	switch {
	case err != nil || exp > 5000 || exp < -5000:
		digits = MaxNumberLen + 1
		if !nonZero && !strings.HasPrefix(expText, "-") {
			digits = 1
		}
	default:
		r, _ := new(big.Rat).SetString(s)
		whole := new(big.Int).Quo(new(big.Int).Abs(r.Num()), r.Denom())
		digits = len(whole.String()) + max(0, len(frac)-exp)
	}
	if digits <= MaxNumberLen {
		return ""
	}
	if f, err := strconv.ParseFloat(s, 64); err != nil || f == 0 && nonZero {
		return "number_out_of_range"
	}
	return "number_too_long"
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
