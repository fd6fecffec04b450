// Package views renders the dashboard: templ components over typed view models. Views do
// no I/O; handlers gather everything a page shows and pass it in.
package views

import (
	"net/url"
	"time"

	ag "github.com/agentgate/agentgate"
)

// Sections of the dashboard, for the navigation.
const (
	SectionOverview = "overview"
	SectionRequests = "requests"
	SectionAudit    = "audit"
	SectionPolicies = "policies"
	SectionKeys     = "keys"
)

// Assets are the cache-busted URLs of the static files every page loads.
type Assets struct {
	CSS, Pages, HTMX, App, Icon string
	Desk, DeskJS                string // the approver's desk: request page, queue, triage keys
}

// Can says what the signed-in key may do; the views offer only that.
type Can struct {
	ReadRequests  bool
	Decide        bool
	ReadAudit     bool
	ReadPolicies  bool
	WritePolicies bool
	Admin         bool
	// ManageWebhooks opens the webhook pages (webhook:manage).
	ManageWebhooks bool
}

// Shell is what every page's frame shows: title, navigation, the signed-in identity.
type Shell struct {
	Title    string
	Section  string
	Identity string   // the key's name; empty on the login page
	Scopes   []string // the key's scopes, shown beside its name
	Can      Can
	Assets   Assets
	Now      time.Time
	// Live names the events stream when the page updates itself; empty otherwise.
	Live string
}

// LoginPage is the sign-in form.
type LoginPage struct {
	Shell
	Next  string // where to go after signing in
	Error string
}

// OverviewPage is the landing page.
type OverviewPage struct {
	Shell
	Overview *ag.Overview
}

// RequestsPage is the request queue with its filters.
type RequestsPage struct {
	Shell
	Query   url.Values // the page's query, for links that change one parameter
	Filter  ag.RequestFilter
	Rows    []ag.Request
	Pager   Pager
	Pending int // pending requests the other filters match, for the tab badge
	// Yours marks the rows the signed-in key may decide now: "needs your vote".
	Yours map[string]bool
	// Approvers describes who may decide each pending row that needs several approvals.
	Approvers map[string][]ag.Approver
	// Batch is what became of each request of a batch decision just made; nil otherwise.
	Batch *BatchView
}

// BatchView is the outcome of one batch decision, request by request.
type BatchView struct {
	Decision string
	Results  []ag.BatchResult
	Error    string // why the batch as a whole was refused
}

// RequestPage is one request with its trail and, when allowed, the decision dialogs.
type RequestPage struct {
	Shell
	Request *ag.Request
	Trail   []ag.AuditEvent
	// Notice explains what just happened (decided, or decided elsewhere meanwhile); Error
	// says why a decision was refused.
	Notice string
	Error  string
	// Focus asks the page to move focus to the status after an in-place update.
	Focus bool
	// May says whether the signed-in key may decide the request now (Approve and Deny are
	// offered only then); Refusal says why not, for a pending request.
	May     bool
	Refusal string
	// Approvers says who the request's rule lets decide, as the directory resolves them.
	Approvers []ag.Approver
	// Precedent is how this agent's earlier requests for the action went; nil if unknown.
	Precedent *ag.Precedent
	// Reason is the reason typed into a decision that was refused, offered again in Reopen,
	// the dialog ("approved" or "denied") that opens again to show why.
	Reason string
	Reopen string
	// Decided is the request just decided when the page moved on to the next one (Request);
	// Teach offers to draft a rule from Decided (or from Request, when it was just approved).
	Decided *ag.Request
	Teach   string
}

// AuditPage is the audit log with its filters.
type AuditPage struct {
	Shell
	Query   url.Values
	Filter  ag.AuditFilter
	Rows    []ag.AuditEvent
	Pager   Pager
	Actors  []string
	Actions []string
}

// PoliciesPage lists every policy in evaluation order.
type PoliciesPage struct {
	Shell
	Policies []ag.Policy
	Notice   string
}

// PolicyForm creates (ID empty) or edits a policy. Field values are kept as typed, so that
// a refused form comes back as the person left it.
type PolicyForm struct {
	Shell
	ID          string
	Name        string
	Description string
	Priority    string
	Enabled     bool
	Rules       string // the rules as JSON text
	Check       RulesCheck
	DryRun      DryRunForm
	Sim         SimulationView
	Error       string // why saving failed, beside the field it names when it can
	// Teach is the request a drafted rule comes from ("always approve requests like
	// this"); nil for other forms.
	Teach       *ag.Request
	TeachOthers int // requests besides Teach the draft would have auto-approved
}

// RulesCheck is the verdict on the rules editor's content.
type RulesCheck struct {
	Checked bool
	Error   string // empty when valid
	Rules   int    // number of rules when valid
}

// DryRunForm is the dry-run input and, after a run, its result.
type DryRunForm struct {
	PolicyID string
	Action   string
	Urgency  string
	Params   string
	Context  string
	Result   *ag.DryRunResult
	Error    string
}

// SimulationView is the result of replaying a draft policy over stored requests.
type SimulationView struct {
	Range string // "24h", "7d" or "30d"; empty before any run
	Sim   *ag.Simulation
	Error string
}

// KeysPage lists the API keys, with the create form and, once, a new key's secret.
type KeysPage struct {
	Shell
	Keys    []ag.APIKey
	Pager   Pager
	Query   url.Values
	SelfID  string // the key this session signed in with
	Form    KeyForm
	Created *CreatedKey
	Notice  string
}

// KeyForm is the create or edit form of a key, as typed.
type KeyForm struct {
	ID        string // empty when creating
	Name      string
	Scopes    []string
	Unlimited bool
	RateLimit string
	Error     string
	PersonID  string      // the person the key belongs to; "" for none
	People    []ag.Person // the people it may be given to
}

// CreatedKey is a new key and its secret, shown once.
type CreatedKey struct {
	Name   string
	Secret string
}

// KeyEditPage edits one key.
type KeyEditPage struct {
	Shell
	Key  *ag.APIKey
	Form KeyForm
}

// ErrorPage explains a failure in words a person can act on.
type ErrorPage struct {
	Shell
	Status  int
	Message string
}

// Pager is the position of one page in a list.
type Pager struct {
	Path   string
	Query  url.Values
	Total  int
	Offset int
	Limit  int
	Target string // the region links swap, e.g. "#requests"
}
