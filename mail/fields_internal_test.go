package mail

import (
	"encoding/json"
	"testing"
)

func TestObjectFields(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		want      []field
	}{
		{"order kept", `{"b":1,"a":"x"}`, []field{{Key: "b", Value: "1"}, {Key: "a", Value: "x"}}},
		{"string unquoted, escapes undone", `{"s":"line\n\u003ctag\u003e \"q\""}`, []field{{Key: "s", Value: "line\n<tag> \"q\""}}},
		{"nested indented, HTML escapes undone, a literal backslash-u kept",
			`{"o":{"h":"\u003cb\u003e \u0026","lit":"\\u003c"}}`,
			[]field{{Key: "o", Value: "{\n  \"h\": \"<b> &\",\n  \"lit\": \"\\\\u003c\"\n}"}}},
		{"scalars as written", `{"n":1.50,"t":true,"z":null}`, []field{{Key: "n", Value: "1.50"}, {Key: "t", Value: "true"}, {Key: "z", Value: "null"}}},
		{"empty", `{}`, nil},
		{"absent", ``, nil},
		{"null", `null`, nil},
		{"not an object, shown whole", `[1,2]`, []field{{Value: "[\n  1,\n  2\n]"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := objectFields(json.RawMessage(tc.raw))
			if len(got.List) != len(tc.want) || got.More != 0 {
				t.Fatalf("objectFields(%s) = %+v, want %+v", tc.raw, got, tc.want)
			}
			for i := range tc.want {
				if got.List[i] != tc.want[i] {
					t.Errorf("field %d = %+v, want %+v", i, got.List[i], tc.want[i])
				}
			}
		})
	}
}

func TestCut(t *testing.T) {
	for _, tc := range []struct {
		s     string
		n     int
		want  string
		extra int
	}{
		{"abc", 3, "abc", 0},
		{"abcd", 3, "abc", 1},
		{"ééé", 2, "éé", 1},
		{"éé", 2, "éé", 0},
		{"", 0, "", 0},
	} {
		if got, extra := cut(tc.s, tc.n); got != tc.want || extra != tc.extra {
			t.Errorf("cut(%q, %d) = %q, %d; want %q, %d", tc.s, tc.n, got, extra, tc.want, tc.extra)
		}
	}
}
