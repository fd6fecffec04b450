package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	ag "github.com/agentgate/agentgate"
)

// TestAPIKeyNamesAreUniqueAmongLiveKeys: a name a live key has is refused on create and on
// rename with 409 name_taken, also when many callers race for it; a revoked key's name is
// free again.
func TestAPIKeyNamesAreUniqueAmongLiveKeys(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		create := func(name string) *apiResponse {
			return e.call(http.MethodPost, "/api/api-keys", e.admin, map[string]any{"name": name, "scopes": []string{"request:create"}})
		}
		var agent struct{ ID string }
		create("agent").want(t, http.StatusCreated)
		create("agent").wantError(t, http.StatusConflict, "name_taken")
		// The attack: a request:create key named like the admin.
		if ae := create(apiAdminName).wantError(t, http.StatusConflict, "name_taken"); ae.Details["name"] != apiAdminName {
			t.Errorf("details %v", ae.Details)
		}
		create("other").decode(t, &agent)
		e.call(http.MethodPatch, "/api/api-keys/"+agent.ID, e.admin, `{"name":"agent"}`).wantError(t, http.StatusConflict, "name_taken")
		e.must(http.StatusOK, http.MethodPatch, "/api/api-keys/"+agent.ID, e.admin, `{"name":"other","rateLimit":5}`, nil) // its own name

		var l apiList
		e.must(http.StatusOK, http.MethodGet, "/api/api-keys?limit=100", e.admin, nil, &l)
		for _, k := range l.Keys {
			if k.Name == "agent" && k.RevokedAt == nil {
				e.must(http.StatusOK, http.MethodDelete, "/api/api-keys/"+k.ID, e.admin, nil, nil)
			}
		}
		create("agent").want(t, http.StatusCreated) // revoked keys do not hold their names

		// Concurrent creates of one name: the unique index lets exactly one win.
		results := make([]*apiResponse, 8)
		var wg sync.WaitGroup
		for i := range results {
			wg.Go(func() { results[i] = create("racer") })
		}
		wg.Wait()
		won := 0
		for _, r := range results {
			if r.status == http.StatusCreated {
				won++
			} else {
				r.wantError(t, http.StatusConflict, "name_taken")
			}
		}
		if won != 1 {
			t.Fatalf("%d creates of one name won, want 1", won)
		}
	})
}

// TestAPICancelIsByKeyID: ownership is the creating key's id. A key that takes the
// creator's old name cannot cancel; the creator, renamed, still can.
func TestAPICancelIsByKeyID(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		owner, ownerID := e.newKey("deploy-bot", nil, ag.ScopeRequestCreate, ag.ScopeRequestRead)
		r := e.submit(owner, `{"action":"deploy"}`)
		if r.CreatedBy != "deploy-bot" || r.CreatedByID != ownerID {
			t.Fatalf("created by %q (%q), want deploy-bot (%s)", r.CreatedBy, r.CreatedByID, ownerID)
		}
		e.must(http.StatusOK, http.MethodPatch, "/api/api-keys/"+ownerID, e.admin, `{"name":"deploy-bot-old"}`, nil)
		impostor, _ := e.newKey("deploy-bot", nil, ag.ScopeRequestCreate)
		cancel := "/api/requests/" + r.ID + "/cancel"
		e.call(http.MethodPost, cancel, impostor, nil).wantError(t, http.StatusForbidden, "not_request_owner")

		var got ag.Request
		e.must(http.StatusOK, http.MethodPost, cancel, owner, nil, &got)
		if got.Status != ag.StatusCancelled || got.DecidedBy != "deploy-bot-old" {
			t.Errorf("cancelled by the renamed owner: %s by %q", got.Status, got.DecidedBy)
		}
	})
}

// TestAPIRenamedKeyCannotVoteTwice: the quorum attack. A key votes, is renamed,
// and votes again: the second vote is the same key's and is refused, so one key cannot
// approve a 2-of-2 request.
func TestAPIRenamedKeyCannotVoteTwice(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		e.must(http.StatusCreated, http.MethodPost, "/api/policies", e.admin,
			`{"name":"four eyes","rules":[{"match":{"action":"transfer"},"decision":"route_to_human","requiredApprovals":2}]}`, nil)
		alice, aliceID := e.newKey("alice", nil, ag.ScopeRequestDecide)
		bob, _ := e.newKey("bob", nil, ag.ScopeRequestDecide)
		r := e.submit(e.admin, `{"action":"transfer"}`)
		decide := "/api/requests/" + r.ID + "/decide"

		e.must(http.StatusOK, http.MethodPost, decide, alice, `{"decision":"approved"}`, nil)
		e.must(http.StatusOK, http.MethodPatch, "/api/api-keys/"+aliceID, e.admin, `{"name":"alice-2"}`, nil)
		e.call(http.MethodPost, decide, alice, `{"decision":"approved"}`).wantError(t, http.StatusConflict, "already_voted")

		var got ag.Request
		e.must(http.StatusOK, http.MethodGet, "/api/requests/"+r.ID, e.admin, nil, &got)
		if got.Status != ag.StatusPending || len(got.Votes) != 1 || got.Votes[0].VoterID != aliceID || got.Votes[0].Voter != "alice" {
			t.Fatalf("after the renamed key's second vote: %s, votes %+v", got.Status, got.Votes)
		}
		e.must(http.StatusOK, http.MethodPost, decide, bob, `{"decision":"approved"}`, &got)
		if got.Status != ag.StatusApproved || len(got.Votes) != 2 {
			t.Fatalf("after a second key's vote: %s, votes %+v", got.Status, got.Votes)
		}
	})
}

// TestAPIDecideIgnoresDecidedBy: the original CLI's body sends decidedBy. It is accepted,
// never taken as the identity, and recorded as claimedBy when it differs.
func TestAPIDecideIgnoresDecidedBy(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		approver, _ := e.newKey("ops-lead", nil, ag.ScopeRequestDecide)
		claims := func(r ag.Request) any {
			es := e.events(r.ID)
			var d map[string]any
			if err := json.Unmarshal(es[len(es)-1].Details, &d); err != nil {
				t.Fatal(err)
			}
			if es[len(es)-1].Actor != "ops-lead" {
				t.Errorf("audit actor %q, want the key's name", es[len(es)-1].Actor)
			}
			return d["claimedBy"]
		}
		for _, tc := range []struct {
			claim string
			want  any
		}{{"someone", "someone"}, {"ops-lead", nil}} {
			r := e.submit(e.admin, `{"action":"deploy"}`)
			var got ag.Request
			body := fmt.Sprintf(`{"decision":"approved","reason":"ok","decidedBy":%q}`, tc.claim)
			e.must(http.StatusOK, http.MethodPost, "/api/requests/"+r.ID+"/decide", approver, body, &got)
			if got.DecidedBy != "ops-lead" || got.Status != ag.StatusApproved {
				t.Errorf("decidedBy %q claimed: decided %s by %q", tc.claim, got.Status, got.DecidedBy)
			}
			if c := claims(got); c != tc.want {
				t.Errorf("decidedBy %q: audit claimedBy = %v, want %v", tc.claim, c, tc.want)
			}
		}
		r := e.submit(e.admin, `{"action":"deploy"}`)
		long := fmt.Sprintf(`{"decision":"approved","decidedBy":%q}`, strings.Repeat("x", ag.MaxClaimLen+1))
		e.call(http.MethodPost, "/api/requests/"+r.ID+"/decide", approver, long).wantError(t, http.StatusBadRequest, "invalid_decided_by")
	})
}
