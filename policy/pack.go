package policy

import (
	"fmt"
	"strings"
)

// Fixed value slots; paths into params and context are numbered after them.
const (
	slotNone    = iota // a top-level $any/$all/$not, which names no field
	slotAction         //
	slotUrgency        //
)

// slotter numbers the distinct paths of a set's matchers, so that one evaluation looks each
// up once.
type slotter struct {
	ids   map[string]int32
	paths []fieldPath // by slot
}

// assignSlots sets the slot of every matcher in rules and returns the paths by slot.
func assignSlots(rules []setRule) []fieldPath {
	sl := &slotter{ids: map[string]int32{}, paths: []fieldPath{{root: rootNone}, {root: rootAction}, {root: rootUrgency}}}
	for i := range rules {
		sl.matchers(rules[i].match)
	}
	return sl.paths
}

func (sl *slotter) matchers(ms []matcher) {
	for i := range ms {
		m := &ms[i]
		switch m.path.root {
		case rootNone:
			m.slot = slotNone
		case rootAction:
			m.slot = slotAction
		case rootUrgency:
			m.slot = slotUrgency
		default:
			k := fmt.Sprintf("%d\x00%t\x00%s", m.path.root, m.path.flat != nil, pathKey(m.path.segs))
			id, ok := sl.ids[k]
			if !ok {
				id = int32(len(sl.paths))
				sl.ids[k], sl.paths = id, append(sl.paths, *m.path)
			}
			m.slot = id
		}
		sl.tests(m.tests)
	}
}

func (sl *slotter) tests(ts []test) {
	for i := range ts {
		if ts[i].x == nil {
			continue
		}
		for _, c := range ts[i].x.clauses {
			sl.matchers(c.doc)
			sl.tests(c.field)
		}
	}
}

func pathKey(segs []segment) string {
	keys := make([]string, len(segs))
	for i, sg := range segs {
		keys[i] = sg.key
	}
	return strings.Join(keys, "\x00")
}

// packRules copies the rules' matchers and tests into two arrays in evaluation order, so
// that evaluating a set walks memory front to back instead of chasing small allocations.
func packRules(rules []setRule) {
	var pk packer
	for i := range rules {
		pk.count(rules[i].match)
	}
	pk.ms, pk.ts = make([]matcher, 0, pk.nm), make([]test, 0, pk.nt)
	for i := range rules {
		rules[i].match = pk.matchers(rules[i].match)
	}
}

type packer struct {
	nm, nt int
	ms     []matcher
	ts     []test
}

func (pk *packer) count(ms []matcher) {
	pk.nm += len(ms)
	for _, m := range ms {
		pk.countTests(m.tests)
	}
}

func (pk *packer) countTests(ts []test) {
	pk.nt += len(ts)
	for _, t := range ts {
		if t.x != nil {
			for _, c := range t.x.clauses {
				pk.count(c.doc)
				pk.countTests(c.field)
			}
		}
	}
}

func (pk *packer) matchers(src []matcher) []matcher {
	start := len(pk.ms)
	pk.ms = append(pk.ms, src...)
	out := pk.ms[start:len(pk.ms):len(pk.ms)]
	for i := range out {
		out[i].tests = pk.tests(out[i].tests)
	}
	return out
}

func (pk *packer) tests(src []test) []test {
	start := len(pk.ts)
	pk.ts = append(pk.ts, src...)
	out := pk.ts[start:len(pk.ts):len(pk.ts)]
	for i := range out {
		if out[i].x == nil {
			continue
		}
		for j := range out[i].x.clauses {
			c := &out[i].x.clauses[j]
			c.doc, c.field = pk.matchers(c.doc), pk.tests(c.field)
		}
	}
	return out
}
