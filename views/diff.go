package views

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// Field-by-field comparison of two JSON objects: a change's before and after, or a request
// and the last one like it that was approved.

// Change is one field that differs between two objects. Path is the field's dot path;
// Before or After is "" when the field is missing on that side (Added, Removed).
type Change struct {
	Path           string
	Before, After  string
	Added, Removed bool
}

// Diff is the comparison of two objects: the fields that differ, and how many are equal.
type Diff struct {
	Label         string // "before → after", naming the pair
	Changes       []Change
	Same          int
	Before, After string // the pair's keys in the params
}

// diffPairs are the param names that hold a before/after pair, in the order looked for.
var diffPairs = [][2]string{{"before", "after"}, {"old", "new"}, {"from", "to"}, {"previous", "current"}, {"current", "desired"}}

// BeforeAfter finds the first before/after pair of objects among params' top-level fields
// and compares them; nil when there is none.
func BeforeAfter(params []byte) *Diff {
	var top map[string]json.RawMessage
	if json.Unmarshal(params, &top) != nil {
		return nil
	}
	for _, p := range diffPairs {
		before, after := object(top[p[0]]), object(top[p[1]])
		if before == nil || after == nil {
			continue
		}
		d := compare(before, after)
		d.Label, d.Before, d.After = p[0]+" → "+p[1], p[0], p[1]
		return &d
	}
	return nil
}

// CompareParams compares the params of an earlier request (was) with a request's (now).
func CompareParams(was, now []byte) Diff {
	a, b := object(was), object(now)
	if a == nil {
		a = map[string]json.RawMessage{}
	}
	if b == nil {
		b = map[string]json.RawMessage{}
	}
	return compare(a, b)
}

// object decodes raw as a JSON object; nil when it is not one.
func object(raw json.RawMessage) map[string]json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// diffDepth is how deep nested objects are compared field by field; below it, whole values.
const diffDepth = 4

func compare(a, b map[string]json.RawMessage) Diff {
	fa, fb := map[string]leaf{}, map[string]leaf{}
	flatten(fa, "", a, 0)
	flatten(fb, "", b, 0)
	var d Diff
	paths := make([]string, 0, len(fa)+len(fb))
	for p := range fa {
		paths = append(paths, p)
	}
	for p := range fb {
		if _, ok := fa[p]; !ok {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	for _, p := range paths {
		va, inA := fa[p]
		vb, inB := fb[p]
		switch {
		case inA && inB && va.json == vb.json:
			d.Same++
		default:
			d.Changes = append(d.Changes, Change{Path: p, Before: va.text, After: vb.text, Added: !inA, Removed: !inB})
		}
	}
	return d
}

// leaf is one compared value: its compact JSON, which decides equality, and its text.
type leaf struct{ json, text string }

// flatten writes every leaf of m under its dot path, with its display text: strings bare,
// other values as compact JSON, cut to a readable length.
func flatten(out map[string]leaf, prefix string, m map[string]json.RawMessage, depth int) {
	for k, v := range m {
		path := prefix + k
		if sub := object(v); sub != nil && depth < diffDepth && len(sub) > 0 {
			flatten(out, path+".", sub, depth+1)
			continue
		}
		out[path] = leaf{json: compactJSON(v), text: Short(leafText(v), 300)}
	}
}

// leafText is a value as the diff shows it: a string without quotes, the rest compact.
func leafText(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return strings.TrimSpace(compactJSON(v))
}
