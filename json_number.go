package agentgate

import "strconv"

// numberShape is what the stores' and the policy engine's readings of a number depend on,
// learnt while reading its literal.
type numberShape struct {
	intDigits, fracDigits int
	leadingZeros          int  // zeros before the first non-zero digit, in both parts
	nonZero               bool // a digit other than 0
	exp                   int  // the exponent, held within ±expCap
}

// expCap bounds the exponent number keeps: far beyond anything MaxNumberLen allows, and
// small enough that the arithmetic on it cannot overflow.
const expCap = 10_000

// plainDigits is how many digits PostgreSQL's numeric writes for the number: its integer
// part (at least one digit) and its scale (the fraction's digits, less the exponent).
func (s numberShape) plainDigits() int {
	before := 1
	if s.nonZero {
		before = max(1, s.intDigits+s.exp-s.leadingZeros)
	}
	return before + max(0, s.fracDigits-s.exp)
}

// digits reads a run of decimal digits and returns how many there were.
func (c *jsonChecker) digits(s *numberShape) int {
	n := 0
	for ; c.i < len(c.b) && '0' <= c.b[c.i] && c.b[c.i] <= '9'; c.i++ {
		if c.b[c.i] != '0' {
			s.nonZero = true
		} else if !s.nonZero {
			s.leadingZeros++
		}
		n++
	}
	return n
}

// number reads the number at c.i and checks that it is at most MaxNumberLen characters as
// written and MaxNumberLen digits written out in full, and, when it is not, says whether a
// float64 could hold it at all (number_out_of_range) or it is only too long.
func (c *jsonChecker) number() *jsonFault {
	var s numberShape
	start := c.i
	if c.b[c.i] == '-' {
		c.i++
	}
	if c.i < len(c.b) && c.b[c.i] == '0' { // JSON allows no other leading zero
		c.i++
		s.intDigits, s.leadingZeros = 1, 1
	} else if s.intDigits = c.digits(&s); s.intDigits == 0 {
		return errJSONSyntax
	}
	if c.i < len(c.b) && c.b[c.i] == '.' {
		c.i++
		if s.fracDigits = c.digits(&s); s.fracDigits == 0 {
			return errJSONSyntax
		}
	}
	if c.i < len(c.b) && (c.b[c.i] == 'e' || c.b[c.i] == 'E') {
		c.i++
		sign := 1
		if c.i < len(c.b) && (c.b[c.i] == '+' || c.b[c.i] == '-') {
			if c.b[c.i] == '-' {
				sign = -1
			}
			c.i++
		}
		expStart := c.i
		for ; c.i < len(c.b) && '0' <= c.b[c.i] && c.b[c.i] <= '9'; c.i++ {
			s.exp = min(s.exp*10+int(c.b[c.i]-'0'), expCap)
		}
		if c.i == expStart {
			return errJSONSyntax
		}
		s.exp *= sign
	}
	lit := c.b[start:c.i]
	if len(lit) > MaxNumberLen {
		return tooLong("is written with " + strconv.Itoa(len(lit)) + " characters")
	}
	n := s.plainDigits()
	if n <= MaxNumberLen { // then 1e-99 <= |x| < 1e100, or 0: a float64 holds it
		return nil
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil || f == 0 && s.nonZero {
		return &jsonFault{code: "number_out_of_range", what: "the number " + string(lit) +
			" is out of range: a 64-bit float cannot hold it; send it as a string"}
	}
	if n >= expCap {
		return tooLong("written out in full has over " + strconv.Itoa(expCap) + " digits")
	}
	return tooLong("written out in full has " + strconv.Itoa(n) + " digits")
}

func tooLong(what string) *jsonFault {
	return &jsonFault{code: "number_too_long", what: "this number " + what + "; numbers may have at most " +
		strconv.Itoa(MaxNumberLen) + " characters and, written out in full as PostgreSQL stores them, " +
		strconv.Itoa(MaxNumberLen) + " digits (so from 1e-99 to 1e99 in magnitude); send others as strings"}
}
