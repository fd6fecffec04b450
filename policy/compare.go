package policy

import (
	"strings"
)

// Comparisons answer Undecided for a missing field or a value of a type the operand cannot
// be compared with; a number and the text that spells it are alike (see the package doc).

// equal compares v with the operand, from the inline scalar when there is one.
func (t *test) equal(v *value) Truth {
	switch {
	case t.kind == litStr && v.isStr:
		return truth(v.s == t.s)
	case t.kind == litNum && !v.isStr:
		if f, ok := v.v.(float64); ok {
			return truth(f == t.f)
		}
	}
	return t.x.lit.equal(v)
}

// order compares v with the operand: numbers with numbers, text with text (byte order, so
// RFC 3339 times in one zone compare correctly), urgencies by rank. ok is false when v cannot
// be read as the operand's type.
func (t *test) order(v *value) (c int, ok bool) {
	var f float64
	switch {
	case t.byRank:
		if !v.isStr {
			return 0, false
		}
		rank, _ := UrgencyRank(v.s)
		f = float64(rank)
	case t.kind == litStr:
		if v.isStr {
			return strings.Compare(v.s, t.s), true
		}
		s, ok := numberText(v.v)
		return strings.Compare(s, t.s), ok
	default:
		var finite bool // a finite float64, as encoding/json gives, is read here, inline
		if f, finite = v.v.(float64); !finite || f-f != 0 {
			if f, ok = v.number(); !ok {
				return 0, false
			}
		}
	}
	switch { // f is finite, so plain comparisons order it
	case f < t.f:
		return -1, true
	case f > t.f:
		return 1, true
	}
	return 0, true
}

// contains is $contains: a substring of text, an item of an array; any other single value
// counts as an array of that one item.
func (t *test) contains(v *value) Truth {
	if v.isStr && t.kind == litStr {
		return truth(strings.Contains(v.s, t.s))
	}
	switch a := v.v.(type) {
	case []any:
		return containsItem(a, t.anyItem)
	case []string:
		return containsItem(a, t.textItem)
	case map[string]any, map[string]string:
		return Undecided
	}
	if !v.present {
		return Undecided
	}
	if t.kind == litStr {
		if s, ok := numberText(v.v); ok {
			return truth(strings.Contains(s, t.s))
		}
	}
	return t.x.lit.equal(v)
}

// containsItem is $contains over the items of an array: true if one item is the operand,
// else undecided if one may be.
func containsItem[V any](items []V, item func(V) Truth) Truth {
	r := False
	for _, e := range items {
		switch item(e) {
		case True:
			return True
		case Undecided:
			r = Undecided
		}
	}
	return r
}

// textItem is whether the text s, an array item, is the operand. An item that holds the
// operand's text without being it is undecided: it may be the one text the rule looks into,
// sent as a list.
func (t *test) textItem(s string) Truth {
	switch {
	case t.kind != litStr:
		return t.x.lit.equalString(s)
	case s == t.s:
		return True
	// Most items lack even the operand's first byte; looking for it is cheaper than a search.
	case len(s) > len(t.s) && (t.s == "" || strings.IndexByte(s, t.s[0]) >= 0) && strings.Contains(s, t.s):
		return Undecided
	}
	return False
}

// anyItem is textItem for an item of any type; a number reads as its text.
func (t *test) anyItem(x any) Truth {
	if s, ok := x.(string); ok {
		return t.textItem(s)
	}
	if t.kind == litStr {
		if s, ok := numberText(x); ok {
			return t.textItem(s)
		}
	}
	return t.x.lit.equalAny(x)
}

// has is $in: whether v equals an item of the set.
func (s *literalSet) has(v *value) Truth {
	if !v.present {
		return Undecided
	}
	items := s.items
	if v.isStr && s.strs != nil {
		if _, ok := s.strs[v.s]; ok {
			return True
		}
		items = s.others
	}
	r := False
	for i := range items {
		if l := &items[i]; v.isStr && l.kind == litStr { // the common case, without the calls
			if l.s == v.s {
				return True
			}
			continue
		}
		switch items[i].equal(v) {
		case True:
			return True
		case Undecided:
			r = Undecided
		}
	}
	return r
}

// equal compares a looked-up value with the literal.
func (l *literal) equal(v *value) Truth {
	switch {
	case !v.present:
		return Undecided
	case v.isStr:
		if r := l.equalString(v.s); r != Undecided {
			return r
		}
		return v.incomparable()
	}
	return l.equalAny(v.v)
}

// equalString compares text with the literal.
func (l *literal) equalString(s string) Truth {
	switch l.kind {
	case litStr:
		return truth(s == l.s)
	case litNum:
		if f, ok := parseDecimal(s); ok {
			return truth(f == l.f)
		}
	}
	return Undecided
}

// equalAny is JSON equality with x, a present value: numbers by value, arrays and objects
// deeply, each part three-valued.
func (l *literal) equalAny(x any) Truth {
	if s, ok := x.(string); ok {
		return l.equalString(s)
	}
	switch l.kind {
	case litNull:
		if x == nil {
			return True
		}
	case litBool:
		if b, ok := x.(bool); ok {
			return truth(b == l.b)
		}
	case litNum:
		if f, ok := number(x); ok {
			return truth(f == l.f)
		}
	case litStr:
		if s, ok := numberText(x); ok {
			return truth(s == l.s)
		}
	case litArr:
		return l.equalArray(x)
	case litObj:
		return l.equalObject(x)
	}
	return Undecided
}

func (l *literal) equalArray(x any) Truth {
	switch a := x.(type) {
	case []any:
		return equalArrayOf(l, a, (*literal).equalAny)
	case []string:
		return equalArrayOf(l, a, (*literal).equalString)
	}
	return Undecided
}

func equalArrayOf[V any](l *literal, a []V, equal func(*literal, V) Truth) Truth {
	if len(a) != len(l.arr) {
		return False
	}
	r := True
	for i := range a {
		if r = and(r, equal(&l.arr[i], a[i])); r == False {
			return False
		}
	}
	return r
}

// equalObject compares objects key by key. A key of the literal that x lacks is undecided;
// a key x has and the literal lacks makes them unequal.
func (l *literal) equalObject(x any) Truth {
	switch m := x.(type) {
	case map[string]any:
		return equalObjectOf(l, m, (*literal).equalAny)
	case map[string]string:
		return equalObjectOf(l, m, (*literal).equalString)
	}
	return Undecided
}

func equalObjectOf[V any](l *literal, m map[string]V, equal func(*literal, V) Truth) Truth {
	r, found := True, 0
	for k, e := range l.obj {
		got := Undecided
		if y, ok := m[k]; ok {
			found, got = found+1, equal(e, y)
		}
		if r = and(r, got); r == False {
			return False
		}
	}
	return and(r, truth(found == len(m)))
}
