package db_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

func newKey(id string, at time.Time) *agentgate.APIKey {
	limit := 60
	return &agentgate.APIKey{ID: id, Name: "key " + id, Prefix: "agk_abcdef", Hash: "hash-" + id,
		Scopes: []agentgate.Scope{agentgate.ScopeRequestCreate, agentgate.ScopeRequestRead}, RateLimit: &limit,
		CreatedAt: at, UpdatedAt: at}
}

func TestKeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		a, b, c := newKey("key_a", t0), newKey("key_b", t0.Add(time.Minute)), newKey("key_c", t0.Add(2*time.Minute))
		c.RateLimit = nil
		ev := newEvent(nil, agentgate.EventKeyCreated, "admin", t0)
		if err := s.CreateKey(ctx, a, &ev); err != nil {
			t.Fatal(err)
		}
		for _, k := range []*agentgate.APIKey{b, c} {
			if err := s.CreateKey(ctx, k, nil); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.GetKey(ctx, "key_c")
		if err != nil || !reflect.DeepEqual(c, got) {
			t.Errorf("GetKey = %+v, %v; want %+v", got, err, c)
		}
		got, err = s.GetKeyByHash(ctx, "hash-key_a")
		if err != nil || !reflect.DeepEqual(a, got) {
			t.Errorf("GetKeyByHash = %+v, %v; want %+v", got, err, a)
		}
		if _, err := s.GetKeyByHash(ctx, "nope"); !errors.Is(err, agentgate.ErrNotFound) {
			t.Errorf("unknown hash: %v, want ErrNotFound", err)
		}
		if _, err := s.GetKey(ctx, "nope"); !errors.Is(err, agentgate.ErrNotFound) {
			t.Errorf("unknown id: %v, want ErrNotFound", err)
		}
		dup := newKey("key_d", t0)
		dup.Hash = a.Hash
		if err := s.CreateKey(ctx, dup, nil); agentgate.ErrorKind(err) != agentgate.KindConflict {
			t.Errorf("duplicate hash: %v, want a conflict", err)
		}

		list, total, err := s.ListKeys(ctx, agentgate.Page{Limit: 2})
		if err != nil || fmt.Sprint(ids(list)) != "[key_c key_b]" || total != 3 {
			t.Errorf("ListKeys = %v total %d, %v; want [key_c key_b] total 3", ids(list), total, err)
		}
		list, total, _ = s.ListKeys(ctx, agentgate.Page{Limit: 2, Offset: 2})
		if fmt.Sprint(ids(list)) != "[key_a]" || total != 3 {
			t.Errorf("ListKeys page 2 = %v total %d", ids(list), total)
		}

		// Update: name, scopes, rate limit, revocation.
		revoked := t0.Add(time.Hour)
		b.Name, b.Scopes, b.RateLimit, b.UpdatedAt, b.RevokedAt = "renamed", []agentgate.Scope{agentgate.ScopeAdmin}, nil, revoked, &revoked
		if err := s.UpdateKey(ctx, b, newEvent(nil, agentgate.EventKeyRevoked, "admin", revoked)); err != nil {
			t.Fatal(err)
		}
		got, _ = s.GetKey(ctx, "key_b")
		if !reflect.DeepEqual(b, got) {
			t.Errorf("after update\n got: %+v\nwant: %+v", got, b)
		}
		if err := s.UpdateKey(ctx, newKey("key_x", t0), ev); !errors.Is(err, agentgate.ErrNotFound) {
			t.Errorf("update missing: %v, want ErrNotFound", err)
		}
		if n, err := s.CountKeys(ctx); err != nil || n != 2 {
			t.Errorf("CountKeys = %d, %v; want 2 (one revoked)", n, err)
		}
	})
}

func TestRecordKeyUsage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		for _, id := range []string{"key_a", "key_b"} {
			if err := s.CreateKey(ctx, newKey(id, t0), nil); err != nil {
				t.Fatal(err)
			}
		}
		t1, t2 := t0.Add(time.Minute), t0.Add(2*time.Minute)
		flushes := [][]agentgate.KeyUsage{
			{{KeyID: "key_a", Count: 3, LastUsed: t2}, {KeyID: "key_b", Count: 1, LastUsed: t1}},
			{{KeyID: "key_a", Count: 4, LastUsed: t1}}, // older: last use stays at t2
			{{KeyID: "key_b", Count: 5}, {KeyID: "key_gone", Count: 9, LastUsed: t2}},
			{},
		}
		for _, u := range flushes {
			if err := s.RecordKeyUsage(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		for id, want := range map[string]struct {
			n    int64
			last time.Time
		}{"key_a": {7, t2}, "key_b": {6, t1}} {
			k, err := s.GetKey(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if k.RequestCount != want.n || k.LastUsedAt == nil || !k.LastUsedAt.Equal(want.last) {
				t.Errorf("%s: count %d last %v, want %d %v", id, k.RequestCount, k.LastUsedAt, want.n, want.last)
			}
		}
	})
}
