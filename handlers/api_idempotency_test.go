package handlers_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	ag "github.com/agentgate/agentgate"
)

// TestAPIIdempotencyKey: a retry with the same Idempotency-Key and body gets the first
// request back (same status, Idempotent-Replayed); another body under the key is 422; keys
// are per API key and last 24 hours.
func TestAPIIdempotencyKey(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		agent, _ := e.newKey("agent", nil, ag.ScopeRequestCreate)
		other, _ := e.newKey("other-agent", nil, ag.ScopeRequestCreate)
		post := func(secret, key, body string) (*apiResponse, ag.Request) {
			t.Helper()
			res := e.call(http.MethodPost, "/api/requests", secret, body, "Idempotency-Key", key)
			var r ag.Request
			if res.status == http.StatusCreated {
				res.decode(t, &r)
			}
			return res, r
		}
		const body = `{"action":"deploy","params":{"env":"prod","n":1}}`
		before := e.counts()

		first, r1 := post(agent, "deploy-42", body)
		first.want(t, http.StatusCreated)
		if first.header.Get("Idempotent-Replayed") != "" {
			t.Error("the first answer says it is replayed")
		}
		// The same JSON spaced otherwise is the same request.
		again, r2 := post(agent, "deploy-42", `{ "action": "deploy", "params": { "env": "prod", "n": 1 } }`)
		again.want(t, http.StatusCreated)
		if r2.ID != r1.ID || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry: id %s (first %s), Idempotent-Replayed %q", r2.ID, r1.ID, again.header.Get("Idempotent-Replayed"))
		}
		if got := e.counts(); got.requests != before.requests+1 || got.audit != before.audit+1 {
			t.Fatalf("after a retry: %+v, before %+v; want one request and one event more", got, before)
		}

		reused, _ := post(agent, "deploy-42", `{"action":"deploy","params":{"env":"staging"}}`)
		ae := reused.wantError(t, http.StatusUnprocessableEntity, "idempotency_key_reused")
		if ae.Details["requestId"] != r1.ID {
			t.Errorf("details %v", ae.Details)
		}
		if _, r := post(other, "deploy-42", body); r.ID == "" || r.ID == r1.ID {
			t.Errorf("another API key's same Idempotency-Key gave %q; want a request of its own", r.ID)
		}

		e.clock.advance(ag.IdempotencyWindow)
		if res, r := post(agent, "deploy-42", body); r.ID == r1.ID || res.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("after 24 h the key still names %s", r.ID)
		}
	})
}

func TestAPIIdempotencyKeyIsChecked(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		before := e.counts()
		for name, key := range map[string]string{
			"empty": "", "too long": strings.Repeat("k", ag.MaxIdempotencyKeyLen+1), "not printable": "tab\there", "not ASCII": "clé",
		} {
			res := e.call(http.MethodPost, "/api/requests", e.admin, `{"action":"deploy"}`, "Idempotency-Key", key)
			if res.status != http.StatusBadRequest {
				t.Errorf("%s key: status %d, want 400: %s", name, res.status, res.body)
				continue
			}
			res.wantError(t, http.StatusBadRequest, "invalid_idempotency_key")
		}
		if got := e.counts(); got != before {
			t.Errorf("refused keys wrote something: %+v, before %+v", got, before)
		}
		e.call(http.MethodPost, "/api/requests", e.admin, `{"action":"deploy"}`, "Idempotency-Key", strings.Repeat("k", ag.MaxIdempotencyKeyLen)).
			want(t, http.StatusCreated)
	})
}

// TestAPIIdempotencyKeyConcurrent: many calls at once with one key and body create one
// request, and every answer names it; exactly one is not a replay.
func TestAPIIdempotencyKeyConcurrent(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		before := e.counts()
		results := make([]*apiResponse, 16)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range results {
			wg.Go(func() {
				<-start
				results[i] = e.call(http.MethodPost, "/api/requests", e.admin, `{"action":"transfer"}`, "Idempotency-Key", "once")
			})
		}
		close(start)
		wg.Wait()
		ids := map[string]bool{}
		fresh := 0
		for _, res := range results {
			res.want(t, http.StatusCreated)
			var r ag.Request
			res.decode(t, &r)
			ids[r.ID] = true
			if res.header.Get("Idempotent-Replayed") == "" {
				fresh++
			}
		}
		if len(ids) != 1 || fresh != 1 {
			t.Fatalf("%d request ids and %d first answers among 16 calls; want 1 and 1", len(ids), fresh)
		}
		if got := e.counts(); got.requests != before.requests+1 {
			t.Fatalf("%d requests created, want 1", got.requests-before.requests)
		}
	})
}
