package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"

	ag "github.com/agentgate/agentgate"
)

// What parseNewRequest accepts must decode to the same request through encoding/json, and
// the bodies agents usually send must take the fast path.
func FuzzParseNewRequest(f *testing.F) {
	for _, s := range []string{
		`{"action":"read_file","params":{"path":"/srv/app/README.md","bytes":4096},"context":{"agent":"bench","run":42},"urgency":"low"}`,
		` { "action" : "x" , "params" : [1, {"a": "}"}] , "context" : null } `,
		`{"action":"x","params":"s\"}","context":1e3}`,
		`{"action":"x","params":{"a":"\u00e9\\"}}`,
		`{}`, `{"action":"x",}`, `{"action":"x"}x`, `{"Action":"x"}`, `{"action":"x","action":"y"}`,
		`{"action":"a\u0041"}`, `{"params":tru}`, `{"params":{"a":1}}}`, `{"expiresAt":"2030-01-01T00:00:00Z"}`,
		// Bodies the intake checks refuse must still read the same on both paths.
		`{"action":"x","params":{"a":1,"a":2}}`, `{"action":"x","params":{"n":1e999},"context":{"m":1e-999}}`,
		`{"action":"x","params":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
	} {
		f.Add([]byte(s))
	}
	for _, s := range compactMistakes {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, ok := parseNewRequest(body)
		if !ok {
			return
		}
		var slow ag.NewRequest
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&slow); err != nil {
			t.Fatalf("fast path took %q; encoding/json refuses it: %v", body, err)
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			t.Fatalf("fast path took %q; encoding/json finds trailing data", body)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q: fast path gives %+v, encoding/json %+v", body, fast, slow)
		}
	})
}

// compactMistakes are broken bodies written without a space, where the fast parser must
// find each value's end from the punctuation alone.
var compactMistakes = []string{
	`{"action":"x","params":{"a":1}`,          // the object is not closed
	`{"action":"x""urgency":"low"}`,           // no comma
	`{"action":"x",,"urgency":"low"}`,         // two commas
	`{"action":x}`,                            // a bare word for a string
	`{action:"x"}`,                            // a bare key
	`{"action":"x","params":{"a":}}`,          // no value
	`{"action":"x","params":[1,2}}`,           // an array closed as an object
	`{"action":"x","params":{"a":1]}`,         // an object closed as an array
	`{"action":"x","params":"}`,               // a string not closed
	`{"action":"x","context":nul}`,            // a cut literal
	`{"action":"x","params":01}`,              // a leading zero
	`{"action":"x","params":1.}`,              // a number without its fraction
	`{"action":"x","params":-}`,               // a sign alone
	`{"action":"x","params":1e}`,              // an exponent without digits
	`{"action":"x","params":{}x}`,             // junk after a value
	`{"action":"x","params":{}}]`,             // junk after the object
	`{"action":"x"}{"action":"y"}`,            // two objects
	`{"action":"x","params":{"a":1}"}`,        // a stray quote
	`{"action":"x","params":truefalse}`,       // two literals
	`{"action":"x","params":[1,]}`,            // a trailing comma in an array
	`{"action":"x","params":{"a":1,}}`,        // a trailing comma in an object
	`{"action":"x","urgency":"low"`,           // the body cut short
	`{"action":"x","params":{"a":"\q"}}`,      // a bad escape
	`{"action":"x","params":"\u12"}`,          // a short unicode escape
	"{\"action\":\"x\",\"params\":\"a\x01\"}", // a control character in a string
}

// The fast parser refuses every broken compact body, and so does the full decoder, which
// then words the error.
func TestParseNewRequestRefusesCompactMistakes(t *testing.T) {
	for _, body := range compactMistakes {
		if in, ok := parseNewRequest([]byte(body)); ok {
			t.Errorf("fast path took %s as %+v", body, in)
		}
		if err := unmarshalStrict([]byte(body), &ag.NewRequest{}); err == nil {
			t.Errorf("the full decoder took %s", body)
		}
	}
}

func TestParseNewRequestTakesPlainBodies(t *testing.T) {
	for _, body := range []string{
		`{"action":"read_file","params":{"path":"/srv/app/README.md","bytes":4096},"context":{"agent":"bench","run":42},"urgency":"low"}`,
		"{\n  \"action\": \"send_email\",\n  \"params\": {\"to\": \"a@example.com\", \"cc\": [\"b@example.com\"]}\n}\n",
		`{"action":"deploy","params":{"note":"say \"hi\""},"urgency":"critical","context":{}}`,
	} {
		if _, ok := parseNewRequest([]byte(body)); !ok {
			t.Errorf("fast path refused %s", body)
		}
	}
}
