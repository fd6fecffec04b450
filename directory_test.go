package agentgate

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// testDirectory has two finance people, one on call, and a person deleted.
func testDirectory() *Directory {
	gone := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return NewDirectory([]Person{
		{ID: "per_ana", Name: "Ana", Email: "Ana@Example.com", SlackUserID: "U0ANA", Groups: []string{"finance"}},
		{ID: "per_cfo", Name: "cfo", Email: "cfo@example.com", DiscordUserID: "112233445566778899", Groups: []string{"finance", "oncall"}},
		{ID: "per_ops", Name: "ops", Groups: []string{"oncall"}},
		{ID: "per_old", Name: "old", Email: "old@example.com", Groups: []string{"finance"}, DeletedAt: &gone},
	})
}

// MayDecide is the approver rule every surface uses: people by name, email or id, groups,
// and anything else as a key name, or an address for a decider known only by address.
func TestMayDecide(t *testing.T) {
	d := testDirectory()
	ana := d.Person("per_ana").Actor()
	cfo := d.Person("per_cfo").Actor()
	ops := d.Person("per_ops").Actor()
	anaByKey := Actor{ID: "per_ana", Name: "Ana", Type: ActorUser, KeyName: "ana-laptop"}
	deleted := Actor{ID: "per_old", Name: "old", Type: ActorUser}
	key := Actor{ID: "key_1", Name: "deploy-bot", Type: ActorAPIKey}
	keyNamedAna := Actor{ID: "key_2", Name: "Ana", Type: ActorAPIKey}
	stranger := Actor{ID: "email:ext@partner.com", Name: "ext@partner.com", Type: ActorEmail}
	tests := []struct {
		name      string
		approvers []string
		actor     Actor
		want      bool
	}{
		{"no approvers: anyone", nil, key, true},
		{"person by name", []string{"Ana"}, ana, true},
		{"person by name, any case", []string{"ana"}, ana, true},
		{"person by email, any case", []string{"ana@example.COM"}, ana, true},
		{"person by id", []string{"per_ana"}, ana, true},
		{"another person", []string{"Ana"}, cfo, false},
		{"group member", []string{"group:finance"}, cfo, true},
		{"group, any case", []string{"GROUP:Finance"}, ana, true},
		{"not in the group", []string{"group:finance"}, ops, false},
		{"unknown group", []string{"group:legal"}, ana, false},
		{"one of several entries", []string{"group:legal", "ops"}, ops, true},
		{"key name, as before", []string{"deploy-bot"}, key, true},
		{"key name is exact", []string{"Deploy-Bot"}, key, false},
		{"a key named like a person is not the person", []string{"Ana"}, keyNamedAna, false},
		{"a person's key name still matches", []string{"ana-laptop"}, anaByKey, true},
		{"a person's own name through a key", []string{"Ana"}, anaByKey, true},
		{"deleted person matches nothing", []string{"group:finance", "per_old", "old"}, deleted, false},
		{"deleted person's name falls back to key names", []string{"old"}, Actor{ID: "key_3", Name: "old", Type: ActorAPIKey}, true},
		{"address no one has", []string{"EXT@partner.com"}, stranger, true},
		{"address actor is not a key", []string{"deploy-bot"}, stranger, false},
		{"group does not match a key", []string{"group:finance"}, key, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := d.MayDecide(tt.approvers, tt.actor); got != tt.want {
				t.Errorf("MayDecide(%q, %+v) = %v, want %v", tt.approvers, tt.actor, got, tt.want)
			}
		})
	}
	// Without a directory (nil), approvers are key names, as before people existed.
	var none *Directory
	if !none.MayDecide([]string{"deploy-bot"}, key) || none.MayDecide([]string{"group:finance"}, key) {
		t.Error("a nil directory must match key names only")
	}
}

// EmailAddresses: people (groups expanded) with an address, and bare addresses; with no
// approvers, APPROVER_EMAILS. Each address once, whatever its case.
func TestEmailAddresses(t *testing.T) {
	d := testDirectory()
	defaults := []string{"boss@example.com"}
	tests := []struct {
		name      string
		approvers []string
		want      []string
	}{
		{"no approvers: APPROVER_EMAILS", nil, defaults},
		{"a group, its members with email", []string{"group:finance"}, []string{"Ana@Example.com", "cfo@example.com"}},
		{"a person without email reaches no one", []string{"ops"}, nil},
		{"duplicates once", []string{"cfo", "group:finance", "CFO@example.com"}, []string{"cfo@example.com", "Ana@Example.com"}},
		{"a bare address", []string{"ext@partner.com", "deploy-bot"}, []string{"ext@partner.com"}},
		{"key names reach no one, even with APPROVER_EMAILS", []string{"deploy-bot"}, nil},
		{"deleted people reach no one", []string{"old"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := d.EmailAddresses(tt.approvers, defaults); !slices.Equal(got, tt.want) {
				t.Errorf("EmailAddresses(%q) = %q, want %q", tt.approvers, got, tt.want)
			}
		})
	}
}

func TestDirectoryLookups(t *testing.T) {
	d := testDirectory()
	if p := d.ByChatID(ChannelSlack, "U0ANA"); p == nil || p.ID != "per_ana" {
		t.Errorf("by Slack id: %+v", p)
	}
	if p := d.ByChatID(ChannelDiscord, "112233445566778899"); p == nil || p.ID != "per_cfo" {
		t.Errorf("by Discord id: %+v", p)
	}
	if p := d.ByChatID(ChannelDiscord, "U0ANA"); p != nil {
		t.Errorf("a Slack id found a Discord user: %+v", p)
	}
	if p := d.ByEmail("ANA@example.com"); p == nil || p.ID != "per_ana" {
		t.Errorf("by email: %+v", p)
	}
	if d.ByEmail("old@example.com") != nil || d.Len() != 3 {
		t.Errorf("deleted people are not in the directory (len %d)", d.Len())
	}
	if a := d.EmailActor("cfo@EXAMPLE.com"); a.ID != "per_cfo" || a.Type != ActorUser {
		t.Errorf("an address of a person acts as the person: %+v", a)
	}
	if a := d.EmailActor("Ext@Partner.com"); a.ID != "email:ext@partner.com" || a.Name != "Ext@Partner.com" || a.Type != ActorEmail {
		t.Errorf("an address of no one acts as the address: %+v", a)
	}
	got := d.DescribeApprovers([]string{"group:finance", "Ana", "ext@partner.com", "deploy-bot"})
	kinds := []ApproverKind{ApproverGroup, ApproverPerson, ApproverEmail, ApproverKey}
	for i, a := range got {
		if a.Kind != kinds[i] {
			t.Errorf("approver %q is a %s, want %s", a.Entry, a.Kind, kinds[i])
		}
	}
	if strings.Join(got[0].Members, ",") != "Ana,cfo" {
		t.Errorf("finance members = %q", got[0].Members)
	}
}

// A person's fields are normalized and checked, each refusal naming what to fix.
func TestPersonInput(t *testing.T) {
	s := func(v string) *string { return &v }
	gs := func(v ...string) *[]string { return &v }
	tests := []struct {
		name string
		in   PersonInput
		code string
	}{
		{"minimal", PersonInput{Name: s(" Ana ")}, ""},
		{"everything", PersonInput{Name: s("Ana"), Email: s("ana@example.com"), SlackUserID: s("U024BE7LH"),
			DiscordUserID: s("80351110224678912"), Groups: gs("Finance", " oncall", "finance", "")}, ""},
		{"no name", PersonInput{Name: s("  ")}, "invalid_name"},
		{"name with @", PersonInput{Name: s("ana@example.com")}, "invalid_name"},
		{"name like a group", PersonInput{Name: s("Group:finance")}, "invalid_name"},
		{"name on two lines", PersonInput{Name: s("ana\nbob")}, "invalid_name"},
		{"name too long", PersonInput{Name: s(strings.Repeat("a", MaxPersonNameLen+1))}, "invalid_name"},
		{"email with a display name", PersonInput{Name: s("Ana"), Email: s("Ana <ana@example.com>")}, "invalid_email"},
		{"not an email", PersonInput{Name: s("Ana"), Email: s("ana")}, "invalid_email"},
		{"slack id", PersonInput{Name: s("Ana"), SlackUserID: s("@ana")}, "invalid_slack_user_id"},
		{"discord id", PersonInput{Name: s("Ana"), DiscordUserID: s("ana#1234")}, "invalid_discord_user_id"},
		{"group with a space", PersonInput{Name: s("Ana"), Groups: gs("on call")}, "invalid_groups"},
		{"group:prefix in a group", PersonInput{Name: s("Ana"), Groups: gs("group:finance")}, "invalid_groups"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Person
			err := tt.in.apply(&p)
			if ErrorCode(err) != tt.code && !(tt.code == "" && err == nil) {
				t.Fatalf("err = %v, want code %q", err, tt.code)
			}
		})
	}
	var p Person
	_ = PersonInput{Name: s(" Ana "), Groups: gs("Finance", " oncall", "finance", "")}.apply(&p)
	if p.Name != "Ana" || !slices.Equal(p.Groups, []string{"finance", "oncall"}) {
		t.Errorf("normalized to %q %q", p.Name, p.Groups)
	}
}
