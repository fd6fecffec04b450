package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/handlers"
)

// FuzzCreateRequest sends arbitrary bodies to the gate check. Whatever arrives, the answer
// is a 201 or a 4xx with a JSON error, never a 5xx.
func FuzzCreateRequest(f *testing.F) {
	for _, seed := range []string{
		`{"action":"send_email","params":{"to":"a@b"},"context":{"run":1},"urgency":"high"}`,
		`{"action":"x","expiresAt":"2099-01-01T00:00:00Z"}`,
		`{"action":"","params":[]}`,
		`{"action":"x","params":{"a":"\u0000"}}`,
		`{"action":"x","urgency":3}`,
		`{"action":"x"}{"action":"y"}`,
		`{"action":"x","params":{"deep":[[[[[[[[[[{}]]]]]]]]]]}}`,
		`{"action":"x","expiresAt":"yesterday"}`,
		`{"action":"\ud800"}`,
		`[]`, `null`, ``, `{`, `{"unknown":true}`,
	} {
		f.Add(seed)
	}
	ctx := context.Background()
	g := ag.NewGate(dbtest.Open(f, "sqlite"), ag.Options{})
	secret, err := g.BootstrapKey(ctx, "fuzz", false)
	if err != nil {
		f.Fatal(err)
	}
	p := ag.Policy{Name: "mail", Enabled: true, Rules: []ag.Rule{{Match: map[string]json.RawMessage{
		"params.to": json.RawMessage(`{"$regex": "@example\\.com$"}`)}, Decision: ag.AutoApprove}}}
	if _, err := g.CreatePolicy(ctx, ag.Actor{Name: "fuzz"}, p); err != nil {
		f.Fatal(err)
	}
	h := handlers.New(g, handlers.Config{})
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/api/requests", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch {
		case rec.Code == http.StatusCreated:
		case rec.Code >= 400 && rec.Code < 500:
			if !strings.Contains(rec.Body.String(), `"code":`) {
				t.Fatalf("%d without an error code: %s", rec.Code, rec.Body)
			}
		default:
			t.Fatalf("body %q: status %d: %s", body, rec.Code, rec.Body)
		}
	})
}
