package views

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	ag "github.com/agentgate/agentgate"
)

// Href returns path with q's parameters, changed by the key/value pairs in kv: an empty
// value removes the key. Any change other than to offset starts again at the first page.
func Href(path string, q url.Values, kv ...string) string {
	v := url.Values{}
	for k, vs := range q {
		if len(vs) > 0 && vs[0] != "" {
			v.Set(k, vs[0])
		}
	}
	resetPage := false
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] != "offset" {
			resetPage = true
		}
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	if resetPage {
		v.Del("offset")
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// Comma writes n with thousands separators: 100000 → "100,000".
func Comma(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + Comma(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Span says a duration the way a person would: "40 s", "12 min", "3 h 20 min", "2 d 4 h".
func Span(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 24*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 || h >= 10 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	}
	days, h := int(d.Hours())/24, int(d.Hours())%24
	if h == 0 || days >= 10 {
		return fmt.Sprintf("%d d", days)
	}
	return fmt.Sprintf("%d d %d h", days, h)
}

// Ago says how long before now t was: "just now", "12 min ago".
func Ago(now, t time.Time) string {
	if now.Sub(t) < 10*time.Second {
		return "just now"
	}
	return Span(now.Sub(t)) + " ago"
}

// Until says when t comes relative to now: "in 40 min", or "5 min ago" once past.
func Until(now, t time.Time) string {
	if t.After(now) {
		return "in " + Span(t.Sub(now))
	}
	return Ago(now, t)
}

// Stamp is an exact UTC time for tooltips and exports: "2026-01-31 15:04:05 UTC".
func Stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") + " UTC" }

// ISO is t in RFC 3339, for datetime attributes.
func ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// DateInput writes a filter time as the date input shows it.
func DateInput(t time.Time, endOfDay bool) string {
	if t.IsZero() {
		return ""
	}
	if endOfDay {
		t = t.Add(-time.Nanosecond)
	}
	return t.UTC().Format(time.DateOnly)
}

// Short cuts s to n runes, with an ellipsis when it was longer.
func Short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Title capitalises the first letter: "pending" → "Pending".
func Title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// DecisionLabel names a policy decision in words.
func DecisionLabel(d string) string {
	switch d {
	case ag.AutoApprove:
		return "Auto-approve"
	case ag.AutoDeny:
		return "Auto-deny"
	case ag.RouteToHuman:
		return "Ask a person"
	}
	return d
}

// EventLabel names an audit event type in words: "request.approved" → "Approved".
func EventLabel(t string) string {
	if l, ok := eventLabels[t]; ok {
		return l
	}
	return t
}

var eventLabels = map[string]string{
	ag.EventRequestCreated: "Created", ag.EventRequestApproved: "Approved", ag.EventRequestDenied: "Denied",
	ag.EventRequestVoted: "Voted", ag.EventRequestExpired: "Expired", ag.EventRequestCancelled: "Cancelled",
	ag.EventPolicyCreated: "Policy created", ag.EventPolicyUpdated: "Policy updated", ag.EventPolicyDeleted: "Policy deleted",
	ag.EventKeyCreated: "Key created", ag.EventKeyUpdated: "Key updated", ag.EventKeyRevoked: "Key revoked",
	ag.EventLogin: "Signed in", ag.EventLogout: "Signed out",
}

// EventTypes lists the audit event types in the order the filter offers them.
var EventTypes = []string{ag.EventRequestCreated, ag.EventRequestApproved, ag.EventRequestDenied,
	ag.EventRequestVoted, ag.EventRequestExpired, ag.EventRequestCancelled, ag.EventPolicyCreated,
	ag.EventPolicyUpdated, ag.EventPolicyDeleted, ag.EventKeyCreated, ag.EventKeyUpdated,
	ag.EventKeyRevoked, ag.EventLogin, ag.EventLogout}

// eventTone is the badge colour of an event type.
func eventTone(t string) string {
	switch t {
	case ag.EventRequestApproved:
		return "tone-ok"
	case ag.EventRequestDenied, ag.EventKeyRevoked, ag.EventPolicyDeleted:
		return "tone-bad"
	case ag.EventRequestCreated, ag.EventRequestVoted:
		return "tone-wait"
	}
	return "tone-quiet"
}

// ScopeHelp says what each scope allows, for the key form.
var ScopeHelp = map[ag.Scope]string{
	ag.ScopeAdmin:         "everything, including API keys",
	ag.ScopeRequestCreate: "submit and cancel requests (agents)",
	ag.ScopeRequestRead:   "see requests",
	ag.ScopeRequestDecide: "approve and deny",
	ag.ScopeWebhookManage: "manage webhooks",
	ag.ScopeAuditRead:     "read the audit log",
	ag.ScopePolicyRead:    "see policies, dry-run, simulate",
	ag.ScopePolicyWrite:   "create, edit and delete policies",
}

func hasScope(list []string, s ag.Scope) bool { return slices.Contains(list, string(s)) }

// RateLabel writes a key's rate limit.
func RateLabel(rate *int) string {
	if rate == nil {
		return "Unlimited"
	}
	return Comma(*rate) + "/min"
}

// boolString is an attribute's "true" or "false" (aria-checked, data-may-decide).
func boolString(b bool) string { return strconv.FormatBool(b) }

// Itoa writes n.
func Itoa(n int) string { return strconv.Itoa(n) }

// Count writes n and a noun, plural when n is not 1: Count(3, "rule") → "3 rules".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Comma(n) + " " + Plural(noun)
}

// Plural is the plural of a noun the dashboard counts: "rule" → "rules", "delivery" →
// "deliveries", "person" → "people".
func Plural(noun string) string {
	if noun == "person" {
		return "people"
	}
	if stem, ok := strings.CutSuffix(noun, "y"); ok && stem != "" && !strings.ContainsAny(stem[len(stem)-1:], "aeiou") {
		return stem + "ies"
	}
	return noun + "s"
}

// initial is the first letter of a name, for the identity badge.
func initial(name string) string {
	for _, r := range name {
		return strings.ToUpper(string(r))
	}
	return "?"
}

// errorTitle is the heading of an error page.
func errorTitle(status int) string {
	switch status {
	case 400, 422:
		return "That did not work"
	case 401:
		return "Please sign in"
	case 403:
		return "Not allowed"
	case 404:
		return "Not found"
	case 409:
		return "Something changed meanwhile"
	case 429:
		return "Slow down a little"
	}
	return "Something went wrong"
}
