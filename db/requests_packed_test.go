package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// A page of the list holds every request exactly as GetRequest reads it by columns: on
// SQLite the page comes packed, one text a row (requests_packed.go), and a request whose
// text holds the packing's separator sends its page back to the columns.
func TestListRequestsAsStored(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		decided := t0.Add(30 * time.Second)
		variants := []func(r *agentgate.Request){
			func(r *agentgate.Request) {},
			func(r *agentgate.Request) { // decided, with votes and a rule-less outcome
				r.Status, r.DecidedAt, r.DecidedBy, r.DecisionReason = agentgate.StatusApproved, &decided, "ops@example.com", "fine, <ship> it & go"
				r.Votes = []agentgate.Vote{{Voter: "ops@example.com", Decision: "approved", Reason: "ok\x1f", CreatedAt: decided}}
				r.PolicyDecision = agentgate.Outcome{Decision: agentgate.RouteToHuman, OWASP: agentgate.DefaultOWASP}
				r.RequiredApprovals, r.CreatedByID = 2, "key_01"
			},
			func(r *agentgate.Request) { // empty text and JSON, no expiry time
				r.Action, r.CreatedBy, r.Params, r.Context = "x", "", json.RawMessage(`{}`), json.RawMessage(`{}`)
				r.ExpiresAt = time.Time{}
			},
			func(r *agentgate.Request) { // text beyond ASCII, and what JSON escapes
				r.Action, r.CreatedBy = "envoyer_é", "bot \u2028 «1»"
				r.Params = json.RawMessage(`{"html":"<b>&amp;</b>","s":"\u001f \" \\ é"}`)
			},
		}
		if s.Dialect() == db.DialectSQLite { // SQLite's text keeps what PostgreSQL refuses
			variants = append(variants, func(r *agentgate.Request) { r.CreatedBy = "nul\x00 and \xff\xfe" })
		}
		var ids []string
		for i, v := range variants {
			r := newRequest(fmt.Sprintf("req_%02d", i), t0.Add(time.Duration(i)*time.Minute))
			v(r)
			if err := s.CreateRequest(ctx, r, agentgate.Effects{}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		check := func(name string, unpacked bool) {
			t.Helper()
			before := db.UnpackedPages()
			got, total, err := s.ListRequests(ctx, agentgate.RequestFilter{Sort: agentgate.SortOldest})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if total != len(ids) || len(got) != len(ids) {
				t.Fatalf("%s: %d requests, total %d; want %d", name, len(got), total, len(ids))
			}
			for i, id := range ids {
				want, err := s.GetRequest(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got[i], *want) {
					t.Errorf("%s: listed\n%#v\nread by columns\n%#v", name, got[i], *want)
				}
			}
			// The packed page is what is measured (BENCHMARKS.md, Listing): it must not
			// fall back to the columns when nothing needs it.
			if again := db.UnpackedPages() > before; s.Dialect() == db.DialectSQLite && again != unpacked {
				t.Errorf("%s: read again by columns: %v, want %v", name, again, unpacked)
			}
		}
		check("packable", false)

		// Text columns other than JSON may hold the separator, U+001F: the page is then
		// read by columns.
		odd := []func(r *agentgate.Request){
			func(r *agentgate.Request) { r.Action = "a\x1fb" },
			func(r *agentgate.Request) { r.CreatedBy, r.CreatedByID = "\x1f", "\x1f\x1f" },
		}
		for i, v := range odd {
			r := newRequest(fmt.Sprintf("req_odd_%02d", i), t0.Add(time.Duration(len(ids))*time.Minute))
			v(r)
			if err := s.CreateRequest(ctx, r, agentgate.Effects{}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
			check(r.ID, true)
		}
	})
}
