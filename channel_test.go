package agentgate

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestParseChannel(t *testing.T) {
	for s, want := range map[string]Channel{
		"email":                 {Kind: ChannelEmail},
		"slack":                 {Kind: ChannelSlack},
		"discord":               {Kind: ChannelDiscord},
		"email:ops@example.com": {Kind: ChannelEmail, Target: "ops@example.com"},
		"slack:#ops":            {Kind: ChannelSlack, Target: "#ops"},
		"discord:1234567890":    {Kind: ChannelDiscord, Target: "1234567890"},
		"webhook:wh_1":          {Kind: ChannelWebhook, Target: "wh_1"},
		"slack:C0:x":            {Kind: ChannelSlack, Target: "C0:x"},
	} {
		got, err := parseChannel(s)
		if err != nil || got != want || got.String() != s {
			t.Errorf("parseChannel(%q) = %+v, %v; String %q", s, got, err, got.String())
		}
	}
	for _, s := range []string{"", "webhook", "sms", "sms:1", "slack:", "email: a@b", "Email", ":x"} {
		if got, err := parseChannel(s); err == nil {
			t.Errorf("parseChannel(%q) = %+v, want an error", s, got)
		}
	}
}

// The typed channels come with every outcome, fresh from a rule or read back from storage,
// while the JSON keeps the strings the rule gave.
func TestOutcomeChannelTargets(t *testing.T) {
	s := compile(t, testPolicy(t, "p", 0, `[{"match": {}, "decision": "route_to_human", "channels": ["slack", "email:cfo@example.com", "webhook:wh_1"]}]`))
	out := s.Evaluate(Input{Action: "pay"})
	want := []Channel{{Kind: ChannelSlack}, {Kind: ChannelEmail, Target: "cfo@example.com"}, {Kind: ChannelWebhook, Target: "wh_1"}}
	if got := out.ChannelTargets(); !slices.Equal(got, want) {
		t.Errorf("fresh outcome: %+v", got)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var stored Outcome
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	if got := stored.ChannelTargets(); !slices.Equal(got, want) || !slices.Equal(stored.Channels, []string{"slack", "email:cfo@example.com", "webhook:wh_1"}) {
		t.Errorf("stored outcome %s: %+v", b, got)
	}
	stored.Channels = append(stored.Channels, "pager:1")
	if got := stored.ChannelTargets(); len(got) != 3 {
		t.Errorf("an unknown stored channel was kept: %+v", got)
	}
}
