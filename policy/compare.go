package policy

import (
	"cmp"
	"encoding/json"
	"math"
	"strconv"
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
	switch {
	case t.byRank:
		if !v.isStr {
			return 0, false
		}
		rank, _ := UrgencyRank(v.s)
		return cmp.Compare(float64(rank), t.f), true
	case t.kind == litStr:
		if v.isStr {
			return strings.Compare(v.s, t.s), true
		}
		s, ok := numberText(v.v)
		return strings.Compare(s, t.s), ok
	}
	f, ok := v.number()
	return cmp.Compare(f, t.f), ok
}

// contains is $contains: a substring of text, an item of an array; any other single value
// counts as an array of that one item.
func (t *test) contains(v *value) Truth {
	if !v.present {
		return Undecided
	}
	if t.kind == litStr {
		if v.isStr {
			return truth(strings.Contains(v.s, t.s))
		}
		if s, ok := numberText(v.v); ok {
			return truth(strings.Contains(s, t.s))
		}
	}
	switch a := v.v.(type) {
	case []any:
		r := False
		for _, e := range a {
			switch t.x.lit.equalAny(e) {
			case True:
				return True
			case Undecided:
				r = Undecided
			case False:
				// An item that holds the text without being it may be the one text the
				// rule looks into, sent as a list.
				if s, ok := textOf(e); ok && t.kind == litStr && strings.Contains(s, t.s) {
					r = Undecided
				}
			}
		}
		return r
	case []string:
		r := False
		for _, e := range a {
			switch t.x.lit.equalString(e) {
			case True:
				return True
			case Undecided:
				r = Undecided
			case False:
				if t.kind == litStr && strings.Contains(e, t.s) {
					r = Undecided
				}
			}
		}
		return r
	case map[string]any, map[string]string:
		return Undecided
	}
	return t.x.lit.equal(v)
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
	r := True
	switch a := x.(type) {
	case []any:
		if len(a) != len(l.arr) {
			return False
		}
		for i := range a {
			switch l.arr[i].equalAny(a[i]) {
			case False:
				return False
			case Undecided:
				r = Undecided
			}
		}
	case []string:
		if len(a) != len(l.arr) {
			return False
		}
		for i := range a {
			switch l.arr[i].equalString(a[i]) {
			case False:
				return False
			case Undecided:
				r = Undecided
			}
		}
	default:
		return Undecided
	}
	return r
}

// equalObject compares objects key by key. A key of the literal that x lacks is undecided;
// a key x has and the literal lacks makes them unequal.
func (l *literal) equalObject(x any) Truth {
	r, found := True, 0
	switch m := x.(type) {
	case map[string]any:
		for k, e := range l.obj {
			got := Undecided
			if y, ok := m[k]; ok {
				found, got = found+1, e.equalAny(y)
			}
			if r = and(r, got); r == False {
				return False
			}
		}
		return and(r, truth(found == len(m)))
	case map[string]string:
		for k, e := range l.obj {
			got := Undecided
			if y, ok := m[k]; ok {
				found, got = found+1, e.equalString(y)
			}
			if r = and(r, got); r == False {
				return False
			}
		}
		return and(r, truth(found == len(m)))
	}
	return Undecided
}

// number reads v as a number: a number, or text that spells one.
func (v *value) number() (float64, bool) {
	if v.isStr {
		return parseDecimal(v.s)
	}
	return number(v.v)
}

// number reads the numeric types encoding/json and Go callers put in params. NaN and the
// infinities are not numbers here: nothing can be compared with them.
func number(x any) (float64, bool) {
	var f float64
	switch n := x.(type) {
	case float64:
		f = n
	case json.Number:
		var err error
		if f, err = strconv.ParseFloat(string(n), 64); err != nil {
			return 0, false
		}
	case int:
		f = float64(n)
	case int64:
		f = float64(n)
	case int32:
		f = float64(n)
	case int16:
		f = float64(n)
	case int8:
		f = float64(n)
	case uint:
		f = float64(n)
	case uint64:
		f = float64(n)
	case uint32:
		f = float64(n)
	case uint16:
		f = float64(n)
	case uint8:
		f = float64(n)
	case float32:
		f = float64(n)
	default:
		return 0, false
	}
	return f, !math.IsNaN(f) && !math.IsInf(f, 0)
}

// textOf reads x as text: a string, or a number's decimal text.
func textOf(x any) (string, bool) {
	if s, ok := x.(string); ok {
		return s, true
	}
	return numberText(x)
}

// numberText is a number's shortest decimal text, as encoding/json writes a float64: plain
// digits from 1e-6 up to 1e21, exponent form outside, e.g. 50000, 0.5, 1e+21, 1e-7.
func numberText(x any) (string, bool) {
	f, ok := number(x)
	if !ok {
		return "", false
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], f, format, -1, 64)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2], b = b[n-1], b[:n-1] // e-07 is written e-7
	}
	return string(b), true
}

// parseDecimal reads text that spells a finite decimal number: an optional sign, digits with
// an optional fraction, and an optional exponent, nothing else ("1,000", " 5", "0x10", "Inf"
// and "" are not numbers).
func parseDecimal(s string) (float64, bool) {
	i, digits := 0, 0
	skipDigits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits += skipDigits()
	if i < len(s) && s[i] == '.' {
		i++
		digits += skipDigits()
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if skipDigits() == 0 {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}
