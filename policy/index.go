package policy

import (
	"cmp"
	"maps"
	"slices"
)

// maxIndexes bounds the indexes one evaluation consults.
const maxIndexes = 8

// indexKey is a path a rule's match requires to equal one of some strings.
type indexKey struct {
	slot   int32
	values []string
}

// indexRules files each rule under one path it requires to be one of some strings: action
// when it can, else the path most rules can be filed under. Rules with no such path, or whose
// path did not make the maxIndexes most used, are general.
func indexRules(rules []setRule) ([]ruleIndex, []int32) {
	keys := make([][]indexKey, len(rules))
	uses := map[int32]int{}
	for i := range rules {
		keys[i] = ruleKeys(rules[i].match)
		for _, k := range keys[i] {
			uses[k.slot]++
		}
	}
	chosen := make([]*indexKey, len(rules))
	filed := map[int32]int{}
	for i, ks := range keys {
		for j := range ks {
			if c := chosen[i]; c == nil || c.slot != slotAction && (ks[j].slot == slotAction || uses[ks[j].slot] > uses[c.slot]) {
				chosen[i] = &ks[j]
			}
		}
		if chosen[i] != nil {
			filed[chosen[i].slot]++
		}
	}
	slots := slices.SortedFunc(maps.Keys(filed), func(a, b int32) int {
		return cmp.Or(cmp.Compare(filed[b], filed[a]), cmp.Compare(a, b))
	})
	slots = slots[:min(len(slots), maxIndexes)]
	indexes := make([]ruleIndex, len(slots))
	for k, slot := range slots {
		indexes[k] = ruleIndex{slot: slot, byValue: map[string][]int32{}}
	}
	var general []int32
	for i, c := range chosen {
		k := -1
		if c != nil {
			k = slices.Index(slots, c.slot)
		}
		if k < 0 {
			general = append(general, int32(i))
			continue
		}
		for _, v := range c.values {
			if l := indexes[k].byValue[v]; len(l) == 0 || l[len(l)-1] != int32(i) {
				indexes[k].byValue[v] = append(l, int32(i))
			}
		}
		indexes[k].all = append(indexes[k].all, int32(i))
	}
	return indexes, general
}

// ruleKeys lists the paths a match requires to be one of some strings: top-level literals,
// $eq and $in of strings.
func ruleKeys(ms []matcher) []indexKey {
	var keys []indexKey
	for _, m := range ms {
		if m.path.root == rootNone || m.slot >= maxSlots {
			continue
		}
		for _, t := range m.tests {
			if t.op == opEq && t.kind == litStr {
				keys = append(keys, indexKey{slot: m.slot, values: []string{t.s}})
				break
			}
			if t.op == opIn {
				if vs, ok := stringItems(t.x.set.items, m.path.root); ok {
					keys = append(keys, indexKey{slot: m.slot, values: vs})
					break
				}
			}
		}
	}
	return keys
}

// stringItems returns the strings of an $in list, if only they can match: when every item
// is a string, or the path is action or urgency, which are always strings.
func stringItems(items []literal, r root) ([]string, bool) {
	var vs []string
	for _, l := range items {
		if l.kind == litStr {
			vs = append(vs, l.s)
		} else if r != rootAction && r != rootUrgency {
			return nil, false
		}
	}
	return vs, true
}
