package agentgate

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// Requests and outcomes are encoded by hand: the gate check answers with a request and
// stores an outcome on every call, and reflection over their fields cost more than the
// policy engine. The output is byte for byte what encoding/json gives for the same fields
// (request_json_test.go holds it to that).

// MarshalJSON encodes r as encoding/json would encode its fields.
func (r Request) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil) }

// AppendJSON appends r's JSON encoding to b.
func (r *Request) AppendJSON(b []byte) ([]byte, error) {
	var err error
	b = appendJSONString(append(b, `{"id":`...), r.ID)
	b = appendJSONString(append(b, `,"action":`...), r.Action)
	if b, err = appendRawJSON(append(b, `,"params":`...), r.Params); err != nil {
		return nil, err
	}
	if b, err = appendRawJSON(append(b, `,"context":`...), r.Context); err != nil {
		return nil, err
	}
	b = appendJSONString(append(b, `,"urgency":`...), string(r.Urgency))
	b = appendJSONString(append(b, `,"status":`...), string(r.Status))
	b = appendJSONString(append(b, `,"createdBy":`...), r.CreatedBy)
	if r.CreatedByID != "" {
		b = appendJSONString(append(b, `,"createdById":`...), r.CreatedByID)
	}
	b = appendJSONTime(append(b, `,"createdAt":`...), r.CreatedAt)
	b = appendJSONTime(append(b, `,"updatedAt":`...), r.UpdatedAt)
	b = append(b, `,"decidedAt":`...)
	if r.DecidedAt == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONTime(b, *r.DecidedAt)
	}
	if r.DecidedBy != "" {
		b = appendJSONString(append(b, `,"decidedBy":`...), r.DecidedBy)
	}
	if r.DecisionReason != "" {
		b = appendJSONString(append(b, `,"decisionReason":`...), r.DecisionReason)
	}
	b = appendJSONTime(append(b, `,"expiresAt":`...), r.ExpiresAt)
	b = r.PolicyDecision.AppendJSON(append(b, `,"policyDecision":`...))
	b = strconv.AppendInt(append(b, `,"requiredApprovals":`...), int64(r.RequiredApprovals), 10)
	b = append(b, `,"votes":`...)
	if r.Votes == nil {
		b = append(b, "null"...)
	} else {
		b = appendVotes(b, r.Votes)
	}
	return append(b, '}'), nil
}

func appendVotes(b []byte, vs []Vote) []byte {
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(append(b, `{"voter":`...), v.Voter)
		if v.VoterID != "" {
			b = appendJSONString(append(b, `,"voterId":`...), v.VoterID)
		}
		b = appendJSONString(append(b, `,"decision":`...), v.Decision)
		if v.Reason != "" {
			b = appendJSONString(append(b, `,"reason":`...), v.Reason)
		}
		if v.Channel != "" {
			b = appendJSONString(append(b, `,"channel":`...), v.Channel)
		}
		b = appendJSONTime(append(b, `,"createdAt":`...), v.CreatedAt)
		b = append(b, '}')
	}
	return append(b, ']')
}

// MarshalJSON encodes o as encoding/json would encode its fields.
func (o Outcome) MarshalJSON() ([]byte, error) { return o.AppendJSON(nil), nil }

// AppendJSON appends o's JSON encoding to b.
func (o *Outcome) AppendJSON(b []byte) []byte {
	b = appendJSONString(append(b, `{"decision":`...), o.Decision)
	if o.PolicyID != "" {
		b = appendJSONString(append(b, `,"policyId":`...), o.PolicyID)
	}
	if o.PolicyName != "" {
		b = appendJSONString(append(b, `,"policyName":`...), o.PolicyName)
	}
	b = append(b, `,"ruleIndex":`...)
	if o.RuleIndex == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*o.RuleIndex), 10)
	}
	b = appendJSONString(append(b, `,"owasp":`...), o.OWASP)
	if len(o.Approvers) > 0 {
		b = appendJSONStrings(append(b, `,"approvers":`...), o.Approvers)
	}
	if len(o.Channels) > 0 {
		b = appendJSONStrings(append(b, `,"channels":`...), o.Channels)
	}
	if o.RequireReason {
		b = append(b, `,"requireReason":true`...)
	}
	if o.RequiredApprovals != 0 {
		b = strconv.AppendInt(append(b, `,"requiredApprovals":`...), int64(o.RequiredApprovals), 10)
	}
	if h := o.Hold; h != nil {
		b = appendJSONString(append(b, `,"hold":{"reason":`...), h.Reason)
		b = appendJSONString(append(b, `,"key":`...), h.Key)
		b = appendJSONString(append(b, `,"problem":`...), h.Problem)
		b = appendJSONString(append(b, `,"decision":`...), h.Decision)
		b = appendJSONString(append(b, `,"approval":{"policyId":`...), h.Approval.PolicyID)
		b = appendJSONString(append(b, `,"policyName":`...), h.Approval.PolicyName)
		b = strconv.AppendInt(append(b, `,"ruleIndex":`...), int64(h.Approval.RuleIndex), 10)
		b = append(b, "}}"...)
	}
	return append(b, '}')
}

func appendJSONStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONString appends s quoted. Printable ASCII is copied, with quotes and
// backslashes escaped; anything else (control and HTML characters, non-ASCII) sends the
// whole string through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	i := 0
	for i < len(s) && jsonPlain[s[i]] {
		i++
	}
	if i == len(s) { // the usual string: copied whole
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// appendRawJSON appends raw as encoding/json does a json.RawMessage: compacted, with HTML
// characters escaped, and null when empty. Text that needs neither is copied as is: it is
// trusted to be valid, as everything stored or checked by Validate is.
func appendRawJSON(b []byte, raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 {
		return append(b, "null"...), nil
	}
	compact, plain := rawText(raw)
	switch {
	case compact && plain:
		return append(b, raw...), nil
	case plain: // PostgreSQL's jsonb comes back spaced: compact it in place
		buf := bytes.NewBuffer(b)
		err := json.Compact(buf, raw)
		return buf.Bytes(), err
	}
	q, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	return append(b, q...), nil
}

// jsonPlain holds the bytes appendJSONString copies as they are: printable ASCII but
// quotes, backslashes and the HTML characters.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendJSONTime appends t as time.Time's MarshalJSON does, for the years it accepts.
// A UTC time (every stored one) is written here, the digits without AppendFormat's
// layout parsing; any other goes through AppendFormat.
func appendJSONTime(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	if t.Location() != time.UTC || year < 0 || year > 9999 {
		b = append(b, '"')
		b = t.AppendFormat(b, time.RFC3339Nano)
		return append(b, '"')
	}
	hour, minute, sec := t.Clock()
	b = append(b, '"')
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-')
	b = append(append2(b, int(month)), '-')
	b = append(append2(b, day), 'T')
	b = append(append2(b, hour), ':')
	b = append(append2(b, minute), ':')
	b = append2(b, sec)
	if ns := t.Nanosecond(); ns != 0 { // nine digits, trailing zeros dropped
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, 'Z', '"')
}

// append2 appends n, from 0 to 99, in two digits.
func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }
