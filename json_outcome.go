package agentgate

import (
	"encoding/json"
	"strconv"
)

// DecodeOutcome decodes a stored outcome into what json.Unmarshal gives for it. Outcomes as
// Outcome.AppendJSON writes them, or as PostgreSQL's jsonb spaces and orders them, are read
// without reflection (a list page decodes one per row); anything else (another key, an
// escape, a null) goes to encoding/json.
func DecodeOutcome(b []byte) (Outcome, error) {
	if o, ok := decodePlainOutcome(b); ok {
		return o, nil
	}
	var o Outcome
	err := json.Unmarshal(b, &o)
	return o, err
}

func decodePlainOutcome(b []byte) (o Outcome, ok bool) {
	p := plainParser{b: b}
	ok = p.object(func(key []byte) (field int, ok bool) {
		switch string(key) {
		case "decision":
			o.Decision, ok = p.word()
		case "policyId":
			field = 1
			o.PolicyID, ok = p.plainString()
		case "policyName":
			field = 2
			o.PolicyName, ok = p.plainString()
		case "ruleIndex":
			field, ok = 3, true
			if !p.literal("null") {
				var n int
				n, ok = p.wholeNumber()
				o.RuleIndex = &n
			}
		case "owasp":
			field = 4
			o.OWASP, ok = p.word()
		case "approvers":
			field = 5
			o.Approvers, ok = p.plainStrings()
		case "channels":
			field = 6
			o.Channels, ok = p.plainStrings()
		case "requireReason":
			field = 7
			o.RequireReason = p.literal("true")
			ok = o.RequireReason || p.literal("false")
		case "requiredApprovals":
			field = 8
			o.RequiredApprovals, ok = p.wholeNumber()
		}
		return field, ok
	})
	return o, ok
}

// outcomeWords are the values most stored outcomes repeat: decoded, they share one string
// each instead of a copy per row.
var outcomeWords = [...]string{RouteToHuman, AutoApprove, AutoDeny, DefaultOWASP}

// word reads a plain string, sharing it when it is one of outcomeWords.
func (p *plainParser) word() (string, bool) {
	b, ok := p.plainBytes()
	for _, w := range outcomeWords {
		if ok && string(b) == w {
			return w, true
		}
	}
	return string(b), ok
}

// literal consumes word (true, false, null), after space, if it is next.
func (p *plainParser) literal(word string) bool {
	p.space()
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return false
	}
	p.i += len(word)
	return true
}

// wholeNumber reads an integer of at most 18 digits, written as JSON writes one.
func (p *plainParser) wholeNumber() (int, bool) {
	p.space()
	start := p.i
	if p.i < len(p.b) && p.b[p.i] == '-' {
		p.i++
	}
	digits := p.i
	for p.i < len(p.b) && '0' <= p.b[p.i] && p.b[p.i] <= '9' {
		p.i++
	}
	n := p.i - digits
	if n == 0 || n > 18 || n > 1 && p.b[digits] == '0' {
		return 0, false
	}
	v, err := strconv.Atoi(string(p.b[start:p.i]))
	return v, err == nil
}

// plainStrings reads an array of plain strings; [] gives an empty, non-nil slice.
func (p *plainParser) plainStrings() ([]string, bool) {
	if !p.skip('[') {
		return nil, false
	}
	out := []string{}
	if p.skip(']') {
		return out, true
	}
	for {
		s, ok := p.plainString()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		if p.skip(']') {
			return out, true
		}
		if !p.skip(',') {
			return nil, false
		}
	}
}
