package views

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	ag "github.com/agentgate/agentgate"
)

// The queue's tabs: Pending first, as the queue opens on what waits; All last.
var requestTabs = []struct {
	Status ag.Status
	Value  string // the status parameter
	ID     string // for data-testid
	Label  string
}{{ag.StatusPending, "", "pending", "Pending"}, {ag.StatusApproved, "approved", "approved", "Approved"},
	{ag.StatusDenied, "denied", "denied", "Denied"}, {ag.StatusExpired, "expired", "expired", "Expired"},
	{ag.StatusCancelled, "cancelled", "cancelled", "Cancelled"}, {"", "all", "all", "All"}}

// tabValue is the status parameter of the tab that shows status s: none for pending, the
// default, and "all" for every status.
func tabValue(s ag.Status) string {
	switch s {
	case ag.StatusPending:
		return ""
	case "":
		return "all"
	}
	return string(s)
}

func emptyQueueTitle(p RequestsPage) string {
	if p.Filter.Status == ag.StatusPending && p.Filter.Query == "" && p.Filter.Action == "" && p.Filter.Urgency == "" {
		return "Nothing is waiting for a person"
	}
	return "No requests match"
}

// timeColumn heads the last column: time left for pending requests, else when created.
func timeColumn(s ag.Status) string {
	switch s {
	case ag.StatusPending:
		return "Expires"
	case "":
		return "Expires · created"
	}
	return "Created"
}

// statusColumn heads the status column; on the Pending tab it says who is waited on.
func statusColumn(s ag.Status) string {
	if s == ag.StatusPending {
		return "Waiting on"
	}
	return "Status"
}

// queueQuery is the queue's query without its page: where a decision made from it moves on.
func queueQuery(p RequestsPage) string {
	return strings.TrimPrefix(Href("", p.Query, "offset", ""), "?")
}

// RowSuspicious reports whether what a queue row shows of r may hide something: hidden
// characters or look-alike letters in its action, requester or params (only the summary
// of very large params is checked, to keep the queue fast).
func RowSuspicious(r ag.Request) bool {
	if Suspicious(r.Action) || Suspicious(r.CreatedBy) {
		return true
	}
	if len(r.Params) > 64<<10 {
		return Suspicious(Summary(r.Params, 200))
	}
	return jsonSuspicious(r.Params)
}

// LeadKeys finds, for each action with several rows on the page, the params whose values
// differ between those rows: the values that tell the requests apart, which the summary
// then shows first.
func LeadKeys(rows []ag.Request) map[string][]string {
	byAction := map[string][]map[string]string{}
	order := map[string][]string{}
	for _, r := range rows {
		fields := map[string]string{}
		for _, kv := range topLevel(r.Params, 16) {
			fields[kv.Key] = kv.Value
			if !slices.Contains(order[r.Action], kv.Key) {
				order[r.Action] = append(order[r.Action], kv.Key)
			}
		}
		byAction[r.Action] = append(byAction[r.Action], fields)
	}
	lead := map[string][]string{}
	for action, list := range byAction {
		if len(list) < 2 {
			continue
		}
		for _, k := range order[action] {
			first, _ := list[0][k]
			for _, f := range list[1:] {
				if v, ok := f[k]; !ok || v != first {
					lead[action] = append(lead[action], k)
					break
				}
			}
		}
	}
	return lead
}

// SummaryLed is Summary with the lead keys first.
func SummaryLed(raw []byte, lead []string, n int) string {
	kvs := topLevel(raw, 9)
	slices.SortStableFunc(kvs, func(a, b paramField) int {
		return rank(lead, a.Key) - rank(lead, b.Key)
	})
	parts := make([]string, len(kvs))
	for i, kv := range kvs {
		parts[i] = kv.Key + ": " + kv.Value
	}
	return Short(strings.Join(parts, " · "), n)
}

// rank is a key's place in lead, or after all of them.
func rank(lead []string, k string) int {
	if i := slices.Index(lead, k); i >= 0 {
		return i
	}
	return len(lead)
}

// topLevel returns up to n top-level fields of a JSON object, in the document's order,
// each value as summary text.
func topLevel(raw []byte, n int) []paramField {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var out []paramField
	for dec.More() && len(out) < n {
		k, err := dec.Token()
		if err != nil {
			break
		}
		var v json.RawMessage
		if dec.Decode(&v) != nil {
			break
		}
		out = append(out, paramField{Key: fmt.Sprint(k), Value: valueText(v)})
	}
	return out
}

// batchSummary heads a batch's results: "3 approved, 1 not recorded".
func batchSummary(b *BatchView) string {
	done := 0
	for _, r := range b.Results {
		if r.Err == nil {
			done++
		}
	}
	s := Comma(done) + " " + b.Decision
	if n := len(b.Results) - done; n > 0 {
		s += ", " + Comma(n) + " not recorded"
	}
	return s
}

// batchDone labels one recorded decision of a batch.
func batchDone(decision string, r *ag.Request) string {
	if r != nil && r.Status == ag.StatusPending {
		return fmt.Sprintf("Voted (%d of %d)", r.Approvals(), r.ApprovalsNeeded())
	}
	return Title(decision)
}

// batchWhy says why one request of a batch was not decided.
func batchWhy(r ag.BatchResult) string {
	if r.Request != nil && r.Request.Status != ag.StatusPending {
		by := ""
		if r.Request.DecidedBy != "" {
			by = " by " + r.Request.DecidedBy
		}
		return "already " + string(r.Request.Status) + by + " meanwhile"
	}
	return ag.ErrorMessage(r.Err)
}
