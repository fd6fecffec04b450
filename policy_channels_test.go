package agentgate

import "testing"

// TestBareChannels: a bare email, slack or discord names the kind's own recipients (the
// approvers' addresses, the default channel); a bare webhook names none.
func TestBareChannels(t *testing.T) {
	for _, tc := range []struct {
		channel string
		ok      bool
	}{{"email", true}, {"slack", true}, {"discord", true}, {"webhook", false}, {"sms", false}, {"Discord", false}} {
		p := Policy{ID: "p", Name: "p", Enabled: true, Rules: []Rule{{Decision: RouteToHuman, Channels: []string{tc.channel}}}}
		if err := ValidatePolicy(&p); (err == nil) != tc.ok {
			t.Errorf("channel %q: ValidatePolicy = %v, want ok=%v", tc.channel, err, tc.ok)
		}
	}
}
