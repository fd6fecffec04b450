package handlers_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// issueDeepBody is issue 8's body: 9,990 nested arrays holding 20,000 zeros, about 60 KB.
var issueDeepBody = `{"action":"x","params":{"a":` + strings.Repeat("[", 9990) +
	strings.Repeat("0,", 19999) + "0" + strings.Repeat("]", 9990) + `}}`

// Params and context that a database or the policy would read differently from what was
// sent are refused with the same answer on every database, through the fast body reader
// and the strict decoder alike, and nothing is written.
func TestAPIIntakeRefusesWhatCannotBeStoredFaithfully(t *testing.T) {
	cases := []struct {
		name, fields, code, path string
	}{
		{"number beyond float64", `"params":{"items":[{"amount":1},{"amount":1e999999}]}`, "number_out_of_range", "params.items[1].amount"},
		{"200,000-digit integer", `"params":{"n":` + strings.Repeat("9", 200_000) + `}`, "number_too_long", "params.n"},
		{"underflow", `"context":{"p":1e-400}`, "number_out_of_range", "context.p"},
		{"float64 that reads back as 301 digits", `"params":{"n":1e300}`, "number_too_long", "params.n"},
		{"zero PostgreSQL refuses", `"params":{"n":0e-20000}`, "number_too_long", "params.n"},
		{"duplicate key", `"params":{"to":"a@example.com","cc":[],"to":"evil@example.com"}`, "duplicate_key", "params.to"},
		{"duplicate key in context", `"context":{"run":{"id":1,"id":2}}`, "duplicate_key", "context.run.id"},
		{"33 levels", `"params":` + strings.Repeat(`{"a":`, 33) + `1` + strings.Repeat(`}`, 33), "too_deep", "params" + strings.Repeat(".a", 32)},
		// The body reader refuses this before the domain sees it, naming no path.
		{"NUL in a value", `"params":{"s":"a\u0000"}`, "invalid_text", ""},
	}
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		before := e.counts()
		for _, tc := range cases {
			// The second body carries expiresAt, which only the strict decoder reads.
			for _, body := range []string{`{"action":"x",` + tc.fields + `}`,
				`{"action":"x","expiresAt":"2099-01-01T00:00:00Z",` + tc.fields + `}`} {
				ae := e.call(http.MethodPost, "/api/requests", e.admin, body).wantError(t, http.StatusBadRequest, tc.code)
				if tc.path != "" && (ae.Details["path"] != tc.path || !strings.HasPrefix(ae.Error, tc.path+": ")) {
					t.Errorf("%s: error %q, details %v; want path %s", tc.name, ae.Error, ae.Details, tc.path)
				}
			}
		}
		ae := e.call(http.MethodPost, "/api/requests", e.admin, issueDeepBody).wantError(t, http.StatusBadRequest, "too_deep")
		if want := "params.a" + strings.Repeat("[0]", 31); ae.Details["path"] != want {
			t.Errorf("deep body: path %v, want %s", ae.Details["path"], want)
		}
		if after := e.counts(); after != before {
			t.Errorf("refused requests wrote something: %+v, then %+v", before, after)
		}
	})
}

// What is accepted at the edges of the limits reads back as sent, on every database: the
// same values a policy saw at intake.
func TestAPIIntakeKeepsEdgeValuesAsSent(t *testing.T) {
	params := `{"big":1e99,"small":-1e-99,"exact":123456789012345678901234567890,"zero":0e99999,` +
		`"scaled":0.0e-98,"long":` + strings.Repeat("7", 100) + `,"emoji":"\ud83d\ude00","deep":` +
		strings.Repeat(`[`, 31) + strings.Repeat(`]`, 31) + `}`
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		r := e.submit(e.admin, `{"action":"x","params":`+params+`}`)
		var got struct {
			Params json.RawMessage `json:"params"`
		}
		e.must(http.StatusOK, http.MethodGet, "/api/requests/"+r.ID, e.admin, nil, &got)
		var sent, stored map[string]any
		if err := json.Unmarshal([]byte(params), &sent); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(got.Params, &stored); err != nil || !reflect.DeepEqual(stored, sent) {
			t.Fatalf("stored %s (%v), sent %s", got.Params, err, params)
		}
	})
}
