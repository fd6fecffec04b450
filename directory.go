package agentgate

import (
	"net/mail"
	"slices"
	"strings"
)

// Directory is a snapshot of the people who are not deleted, indexed for the lookups made
// while routing a request and checking a decider: by id, name, email, chat user id and
// group. It is built whole and never changed, so the gate swaps it atomically on a change
// and reads it without a lock. A nil *Directory is an empty one.
type Directory struct {
	people    []Person
	byID      map[string]*Person
	byName    map[string]*Person // lowercase name
	byEmail   map[string]*Person // lowercase address
	bySlack   map[string]*Person
	byDiscord map[string]*Person
	groups    map[string][]*Person // group → members, by name
}

// NewDirectory indexes ps, leaving out deleted people.
func NewDirectory(ps []Person) *Directory {
	d := &Directory{byID: map[string]*Person{}, byName: map[string]*Person{}, byEmail: map[string]*Person{},
		bySlack: map[string]*Person{}, byDiscord: map[string]*Person{}, groups: map[string][]*Person{}}
	for _, p := range ps {
		if p.DeletedAt == nil {
			d.people = append(d.people, p)
		}
	}
	slices.SortFunc(d.people, func(a, b Person) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	for i := range d.people {
		p := &d.people[i]
		d.byID[p.ID] = p
		d.byName[strings.ToLower(p.Name)] = p
		if p.Email != "" {
			d.byEmail[strings.ToLower(p.Email)] = p
		}
		if p.SlackUserID != "" {
			d.bySlack[p.SlackUserID] = p
		}
		if p.DiscordUserID != "" {
			d.byDiscord[p.DiscordUserID] = p
		}
		for _, g := range p.Groups {
			d.groups[g] = append(d.groups[g], p)
		}
	}
	return d
}

// Len is the number of people in the directory.
func (d *Directory) Len() int {
	if d == nil {
		return 0
	}
	return len(d.people)
}

// All returns a copy of every person in the directory, by name.
func (d *Directory) All() []Person {
	if d == nil {
		return nil
	}
	return slices.Clone(d.people)
}

// Person returns the person with that id, or nil.
func (d *Directory) Person(id string) *Person {
	if d == nil {
		return nil
	}
	return d.byID[id]
}

// ByEmail returns the person with that address (any case), or nil.
func (d *Directory) ByEmail(addr string) *Person {
	if d == nil || addr == "" {
		return nil
	}
	return d.byEmail[strings.ToLower(addr)]
}

// ByChatID returns the person with that Slack (platform ChannelSlack) or Discord
// (ChannelDiscord) user id, or nil.
func (d *Directory) ByChatID(platform ChannelKind, userID string) *Person {
	if d == nil || userID == "" {
		return nil
	}
	switch platform {
	case ChannelSlack:
		return d.bySlack[userID]
	case ChannelDiscord:
		return d.byDiscord[userID]
	}
	return nil
}

// Named returns the person an approver entry names by id, name (any case) or email
// address (any case), or nil.
func (d *Directory) Named(entry string) *Person {
	if d == nil {
		return nil
	}
	if p := d.byID[entry]; p != nil {
		return p
	}
	key := strings.ToLower(strings.TrimSpace(entry))
	if p := d.byName[key]; p != nil {
		return p
	}
	return d.byEmail[key]
}

// Members returns the people in group g, by name.
func (d *Directory) Members(g string) []*Person {
	if d == nil {
		return nil
	}
	return d.groups[strings.ToLower(g)]
}

// groupOf returns the group an approver entry names ("group:finance" → "finance").
func groupOf(entry string) (string, bool) {
	if len(entry) < len(GroupPrefix) || !strings.EqualFold(entry[:len(GroupPrefix)], GroupPrefix) {
		return "", false
	}
	return strings.ToLower(strings.TrimSpace(entry[len(GroupPrefix):])), true
}

// isPersonID reports whether id is a person's id rather than a key's or an address's.
func isPersonID(id string) bool { return strings.HasPrefix(id, "per_") }

// MayDecide reports whether a may decide a request whose rule names approvers; no
// approvers means anyone allowed to decide at all. An entry naming a person (by name,
// email or id) matches that person, whatever channel they decide through; "group:<g>"
// matches the group's people; any other entry matches a key name (the key a person acts
// through included) or, for a decider known only by email address, that address.
func (d *Directory) MayDecide(approvers []string, a Actor) bool {
	if len(approvers) == 0 {
		return true
	}
	var self *Person
	if isPersonID(a.ID) {
		self = d.Person(a.ID) // nil once deleted: a deleted person matches nothing
	}
	for _, e := range approvers {
		if g, ok := groupOf(e); ok {
			if self != nil && self.InGroup(g) {
				return true
			}
			continue
		}
		if p := d.Named(e); p != nil {
			if self != nil && p.ID == self.ID {
				return true
			}
			continue
		}
		switch {
		case a.KeyName != "" && e == a.KeyName,
			a.Type == ActorEmail && strings.EqualFold(e, a.Name),
			!isPersonID(a.ID) && a.Type != ActorEmail && e == a.Name:
			return true
		}
	}
	return false
}

// ApproverKind says what an approver entry names.
type ApproverKind string

// Approver kinds.
const (
	ApproverPerson ApproverKind = "person"
	ApproverGroup  ApproverKind = "group"
	ApproverEmail  ApproverKind = "email" // an address that is no one's in the directory
	ApproverKey    ApproverKind = "key"   // anything else: an API key's name
)

// Approver is one entry of a rule's approvers as a person reads it.
type Approver struct {
	Entry   string       `json:"entry"` // as the rule wrote it
	Kind    ApproverKind `json:"kind"`
	Name    string       `json:"name"`              // the person's name, the group, the address or the key name
	Members []string     `json:"members,omitempty"` // a group's people, by name
}

// DescribeApprovers says who each approver entry stands for now, for pages that show who
// may decide ("only finance and cfo may decide this").
func (d *Directory) DescribeApprovers(entries []string) []Approver {
	out := make([]Approver, 0, len(entries))
	for _, e := range entries {
		a := Approver{Entry: e, Kind: ApproverKey, Name: e}
		if g, ok := groupOf(e); ok {
			a.Kind, a.Name = ApproverGroup, g
			for _, p := range d.Members(g) {
				a.Members = append(a.Members, p.Name)
			}
		} else if p := d.Named(e); p != nil {
			a.Kind, a.Name = ApproverPerson, p.Name
		} else if isAddress(e) {
			a.Kind = ApproverEmail
		}
		out = append(out, a)
	}
	return out
}

// EmailAddresses returns where a request whose rule names approvers is emailed: the
// addresses of the people the entries name (groups expanded) and entries that are
// themselves addresses, or, when there are no approvers, defaults (APPROVER_EMAILS). Each
// address appears once, whatever its case; entries naming keys reach no one.
func (d *Directory) EmailAddresses(approvers, defaults []string) []string {
	if len(approvers) == 0 {
		return uniqueAddresses(nil, defaults...)
	}
	var out []string
	for _, e := range approvers {
		if g, ok := groupOf(e); ok {
			for _, p := range d.Members(g) {
				out = uniqueAddresses(out, p.Email)
			}
		} else if p := d.Named(e); p != nil {
			out = uniqueAddresses(out, p.Email)
		} else if isAddress(e) {
			out = uniqueAddresses(out, e)
		}
	}
	return out
}

// uniqueAddresses appends the non-empty addresses not already in list (any case).
func uniqueAddresses(list []string, addrs ...string) []string {
	for _, a := range addrs {
		if a != "" && !slices.ContainsFunc(list, func(b string) bool { return strings.EqualFold(a, b) }) {
			list = append(list, a)
		}
	}
	return list
}

// isAddress reports whether s is a bare email address.
func isAddress(s string) bool {
	if !strings.Contains(s, "@") || len(s) > maxEmailLen {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// EmailActor is who decides through a decision link sent to addr: the person with that
// address, or, when the directory has none, the address itself.
func (d *Directory) EmailActor(addr string) Actor {
	if p := d.ByEmail(addr); p != nil {
		return p.Actor()
	}
	return Actor{ID: "email:" + strings.ToLower(addr), Name: addr, Type: ActorEmail}
}
