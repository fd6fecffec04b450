package agentgate_test

import (
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db/dbtest"
)

// FuzzDecisionLinkToken opens and posts arbitrary tokens beside one real link. Nothing
// panics; anything but the issued tokens is link_unknown and decides nothing; a token that
// differs from a real one in one character is unknown too.
func FuzzDecisionLinkToken(f *testing.F) {
	g := ag.NewGate(dbtest.Open(f, "sqlite"), ag.Options{})
	r, err := g.Submit(bg, agent, ag.NewRequest{Action: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	links, err := g.EmailLinks(bg, ag.Delivery{ID: "dlv_f", Channel: ag.ChannelEmail, Target: "a@example.com",
		Event: ag.EventRequestCreated, RequestID: r.ID})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", links.Approve[:42], links.Approve + "=", strings.ToUpper(links.Approve),
		"../../api/requests", "%00", links.Deny[1:] + "A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		if tok == links.Approve || tok == links.Deny {
			return
		}
		if _, err := g.OpenLink(bg, tok); ag.ErrorCode(err) != "link_unknown" {
			t.Fatalf("OpenLink(%q) = %v, want link_unknown", tok, err)
		}
		if _, err := g.DecideByLink(bg, tok, ""); ag.ErrorCode(err) != "link_unknown" {
			t.Fatalf("DecideByLink(%q) = %v, want link_unknown", tok, err)
		}
		if got, _ := g.Get(bg, r.ID); got.Status != ag.StatusPending {
			t.Fatalf("token %q decided the request", tok)
		}
	})
}
