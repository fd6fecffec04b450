package db_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

func TestListenSQLite(t *testing.T) {
	s := dbtest.Open(t, db.DialectSQLite)
	if err := s.Listen(context.Background(), func(string, string) { t.Error("called") }); err != nil {
		t.Errorf("Listen on SQLite: %v", err)
	}
}

func TestListenPostgres(t *testing.T) {
	if os.Getenv(dbtest.PostgresURLEnv) == "" {
		t.Skipf("%s is not set", dbtest.PostgresURLEnv)
	}
	s := dbtest.Open(t, db.DialectPostgres)
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan string, 100)
	done := make(chan error, 1)
	go func() { done <- s.Listen(ctx, func(topic, id string) { got <- topic + ":" + id }) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Listen: %v", err)
		}
	}()
	next := func() string {
		select {
		case n := <-got:
			return n
		case <-time.After(10 * time.Second):
			t.Fatal("no notification")
			return ""
		}
	}
	bg := context.Background()
	ev := newEvent(nil, agentgate.EventPolicyCreated, "admin", t0)

	// Listen gives no ready signal: write policies until one is heard.
	for i := 0; ; i++ {
		if err := s.CreatePolicy(bg, newPolicy(fmt.Sprintf("pol_%d", i), i), newEvent(nil, agentgate.EventPolicyCreated, "admin", t0)); err != nil {
			t.Fatal(err)
		}
		select {
		case n := <-got:
			if n != "policies:" {
				t.Fatalf("first notification %q, want policies:", n)
			}
		case <-time.After(100 * time.Millisecond):
			if i < 100 {
				continue
			}
			t.Fatal("Listen never heard a policy change")
		}
		break
	}
	for len(got) > 0 {
		<-got
	}

	// A request that waits for people is announced when it is created; one a rule decided
	// on arrival (req_2) is not, so the next notice is req_1's cancellation.
	r := newRequest("req_1", t0)
	if err := s.CreateRequest(bg, r, agentgate.Effects{}); err != nil {
		t.Fatal(err)
	}
	if n := next(); n != "request:req_1" {
		t.Errorf("after creating a pending request: %q, want request:req_1", n)
	}
	decided := newRequest("req_2", t0)
	decided.Status = agentgate.StatusApproved
	if err := s.CreateRequest(bg, decided, agentgate.Effects{}); err != nil {
		t.Fatal(err)
	}
	if err := r.Cancel(agentgate.SystemActor, "", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateRequest(bg, r, 1, agentgate.Effects{}); err != nil {
		t.Fatal(err)
	}
	if n := next(); n != "request:req_1" {
		t.Errorf("after UpdateRequest: %q, want request:req_1", n)
	}
	if err := s.CreateKey(bg, newKey("key_1", t0), &ev); err != nil {
		t.Fatal(err)
	}
	if n := next(); n != "keys:" {
		t.Errorf("after CreateKey: %q, want keys:", n)
	}
	if err := s.DeletePolicy(bg, "pol_0", newEvent(nil, agentgate.EventPolicyDeleted, "admin", t0)); err != nil {
		t.Fatal(err)
	}
	if n := next(); n != "policies:" {
		t.Errorf("after DeletePolicy: %q, want policies:", n)
	}
}
