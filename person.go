package agentgate

import (
	"cmp"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Person is an approver in the directory: someone a rule's approvers may name (by name,
// email or id, or through one of their groups), reachable by email, Slack or Discord.
// API keys may belong to a person; whoever uses such a key acts as the person, so one
// person casts one vote per request whichever channel it comes from.
type Person struct {
	ID            string     `json:"id"` // "per_" + ULID
	Name          string     `json:"name"`
	Email         string     `json:"email"`         // "" when the person has none
	SlackUserID   string     `json:"slackUserId"`   // e.g. U024BE7LH; "" when none
	DiscordUserID string     `json:"discordUserId"` // a snowflake; "" when none
	Groups        []string   `json:"groups"`        // lowercase slugs, sorted
	CreatedAt     time.Time  `json:"createdAt"`
	UpdatedAt     time.Time  `json:"updatedAt"`
	DeletedAt     *time.Time `json:"deletedAt,omitempty"` // deleted people stay, so old votes still read
}

// Actor is the identity the person acts as, on every surface.
func (p *Person) Actor() Actor { return Actor{ID: p.ID, Name: p.Name, Type: ActorUser} }

// InGroup reports whether the person is in group g (a lowercase slug).
func (p *Person) InGroup(g string) bool { return slices.Contains(p.Groups, g) }

// PersonInput is what an admin gives to create or change a person. Nil fields are left
// alone on update; on create Name is required. An empty string clears an optional field.
type PersonInput struct {
	Name          *string   `json:"name"`
	Email         *string   `json:"email"`
	SlackUserID   *string   `json:"slackUserId"`
	DiscordUserID *string   `json:"discordUserId"`
	Groups        *[]string `json:"groups"`
}

// Limits on a person's fields.
const (
	MaxPersonNameLen = 100
	MaxGroups        = 32
	maxEmailLen      = 254
)

// GroupPrefix starts an approver entry that names a group: "group:finance".
const GroupPrefix = "group:"

var (
	groupSlug   = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,49}$`)
	slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)
	discordUser = regexp.MustCompile(`^[0-9]{15,20}$`)
)

// apply writes the given fields of in over p, normalized (trimmed, groups lowercased,
// deduplicated and sorted), and checks the result.
func (in PersonInput) apply(p *Person) error {
	if in.Name != nil {
		p.Name = strings.TrimSpace(*in.Name)
	}
	if in.Email != nil {
		p.Email = strings.TrimSpace(*in.Email)
	}
	if in.SlackUserID != nil {
		p.SlackUserID = strings.TrimSpace(*in.SlackUserID)
	}
	if in.DiscordUserID != nil {
		p.DiscordUserID = strings.TrimSpace(*in.DiscordUserID)
	}
	if in.Groups != nil {
		p.Groups = NormalizeGroups(*in.Groups)
	}
	if p.Groups == nil {
		p.Groups = []string{}
	}
	return p.validate()
}

// NormalizeGroups trims and lowercases group names and returns them sorted, without
// duplicates or empty names.
func NormalizeGroups(gs []string) []string {
	out := make([]string, 0, len(gs))
	for _, g := range gs {
		if g = strings.ToLower(strings.TrimSpace(g)); g != "" {
			out = append(out, g)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// validate checks a normalized person's fields, naming the one to fix.
func (p *Person) validate() error {
	if err := checkPersonName(p.Name); err != nil {
		return err
	}
	if p.Email != "" {
		a, err := mail.ParseAddress(p.Email)
		if err != nil || a.Address != p.Email || !strings.Contains(p.Email, "@") || len(p.Email) > maxEmailLen {
			return Errorf(KindInvalid, "invalid_email", "email %q is not an email address such as ana@example.com (no display name)", p.Email)
		}
	}
	if p.SlackUserID != "" && !slackUserID.MatchString(p.SlackUserID) {
		return Errorf(KindInvalid, "invalid_slack_user_id", "slackUserId %q is not a Slack user id such as U024BE7LH (find it in the person's Slack profile)", p.SlackUserID)
	}
	if p.DiscordUserID != "" && !discordUser.MatchString(p.DiscordUserID) {
		return Errorf(KindInvalid, "invalid_discord_user_id", "discordUserId %q is not a Discord user id (15 to 20 digits; copy it with Developer Mode on)", p.DiscordUserID)
	}
	if len(p.Groups) > MaxGroups {
		return Errorf(KindInvalid, "invalid_groups", "a person may be in at most %d groups", MaxGroups)
	}
	for _, g := range p.Groups {
		if !groupSlug.MatchString(g) {
			return Errorf(KindInvalid, "invalid_groups", "group %q must be 1 to 50 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit", g)
		}
	}
	return nil
}

// checkPersonName refuses names that a rule's approvers could not tell from an email
// address or a group.
func checkPersonName(name string) error {
	switch {
	case name == "" || len(name) > MaxPersonNameLen:
		return Errorf(KindInvalid, "invalid_name", "name is required and must be at most %d characters", MaxPersonNameLen)
	case strings.Contains(name, "@"):
		return Errorf(KindInvalid, "invalid_name", "name %q must not contain '@'; put the address in email", name)
	case strings.HasPrefix(strings.ToLower(name), GroupPrefix):
		return Errorf(KindInvalid, "invalid_name", "name must not start with %q, which approvers use for groups", GroupPrefix)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return Errorf(KindInvalid, "invalid_name", "name must be one line of text")
	}
	return checkText("name", name)
}

// PersonTaken is returned by a store asked to give a person a name, email address or chat
// id that another person (not deleted) has. Field is "name", "email", "slackUserId" or
// "discordUserId".
type PersonTaken struct{ Field string }

func (e *PersonTaken) Error() string { return e.Field + " taken by another person" }

// personTaken is the answer to a directory write that PersonTaken refused.
func personTaken(p *Person, field string) *Error {
	value := map[string]string{"name": p.Name, "email": p.Email, "slackUserId": p.SlackUserID, "discordUserId": p.DiscordUserID}[field]
	code := map[string]string{"name": "name_taken", "email": "email_taken", "slackUserId": "slack_user_taken", "discordUserId": "discord_user_taken"}[field]
	return Errorf(KindConflict, cmp.Or(code, "person_taken"), "another person already has %s %q; each person's %s must be unique", field, value, field).
		WithDetails(map[string]any{"field": field})
}
