package db_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// EachRequest visits every matching request once, in creation order, across page
// boundaries that fall inside runs of requests created in the same microsecond.
func TestEachRequestVisitsEachOnceInOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		// 250 requests, in runs of up to 130 sharing a created_at, so that pages of 100 end
		// inside a run; ids are not in time order, so the tie-break is tested too.
		var rs []*agentgate.Request
		for i := range 250 {
			at := t0.Add(time.Duration(i/130) * time.Second)
			r := newRequest(fmt.Sprintf("req_%04d", (i*7919)%10000), at)
			if i%3 == 0 {
				r.Action = "deploy"
			}
			rs = append(rs, r)
		}
		if err := db.BulkInsertRequests(s, rs); err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(rs, func(a, b *agentgate.Request) int {
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return compareStrings(a.ID, b.ID)
		})
		var deploys []string
		for _, r := range rs {
			if r.Action == "deploy" {
				deploys = append(deploys, r.ID)
			}
		}
		all := ids(derefs(rs))
		tests := []struct {
			name string
			f    agentgate.RequestFilter
			want []string
		}{
			{"all", agentgate.RequestFilter{}, all},
			{"limit inside a page", agentgate.RequestFilter{Page: agentgate.Page{Limit: 42}}, all[:42]},
			{"limit past a page", agentgate.RequestFilter{Page: agentgate.Page{Limit: 201}}, all[:201]},
			{"filtered", agentgate.RequestFilter{Action: "deploy"}, deploys},
			{"time range", agentgate.RequestFilter{From: t0.Add(time.Second), To: t0.Add(time.Hour)}, all[130:]},
		}
		for _, tt := range tests {
			var got []string
			err := s.EachRequest(ctx, tt.f, func(r *agentgate.Request) error {
				got = append(got, r.ID)
				return nil
			})
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("%s: %v, got %d ids, want %d:\n%v\n%v", tt.name, err, len(got), len(tt.want), got, tt.want)
			}
			n, err := s.CountRequests(ctx, tt.f)
			if want := len(tt.want); tt.f.Limit == 0 && (err != nil || n != want) {
				t.Errorf("%s: count %d, %v; want %d", tt.name, n, err, want)
			}
		}
		stop := errors.New("stop")
		n := 0
		err := s.EachRequest(ctx, agentgate.RequestFilter{}, func(*agentgate.Request) error {
			if n++; n == 150 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 150 {
			t.Errorf("stopped after %d with %v", n, err)
		}
	})
}

func derefs(rs []*agentgate.Request) []agentgate.Request {
	out := make([]agentgate.Request, len(rs))
	for i, r := range rs {
		out[i] = *r
	}
	return out
}

// compareStrings orders as both databases order ids: byte by byte.
func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
