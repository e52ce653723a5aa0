package engine

import (
	"math/big"
	"strings"
)

// Redis does INCRBYFLOAT in x87 long double (64-bit mantissa) and prints the
// result with "%.17Lf", trimming trailing zeros. big.Float at precision 64
// reproduces both, so replies match Redis digit for digit.

const ldPrec = 64

func newLongDouble() *big.Float { return new(big.Float).SetPrec(ldPrec) }

// parseLongDouble parses like Redis' string2ld (strtold): no spaces, no
// NaN, one optional sign, hex floats (0x1.8p3), and nothing outside the
// long double range (strtold fails with ERANGE there).
func parseLongDouble(b []byte) (*big.Float, bool) {
	s := string(b)
	if len(s) == 0 || s[0] == ' ' || s[len(s)-1] == ' ' || s[0] == '\t' {
		return nil, false
	}
	low := strings.ToLower(s)
	body := strings.TrimPrefix(strings.TrimPrefix(low, "+"), "-")
	if len(body) < len(low)-1 {
		return nil, false // "+-1"
	}
	switch body {
	case "inf", "infinity":
		f := newLongDouble().SetInf(low[0] == '-')
		return f, true
	case "nan":
		return nil, false
	}
	base, chars := 10, "0123456789.e-+"
	if strings.HasPrefix(body, "0x") {
		base, chars = 0, "0123456789abcdef.xp-+"
	}
	for _, c := range low {
		if !strings.ContainsRune(chars, c) {
			return nil, false
		}
	}
	f, _, err := big.ParseFloat(s, base, ldPrec, big.ToNearestEven)
	if err != nil {
		return nil, false
	}
	if e := f.MantExp(nil); f.Sign() != 0 && (e > 16384 || e < -16444) {
		return nil, false
	}
	return f, true
}

// addLongDouble returns a+b; ok is false for an infinite result.
func addLongDouble(a, b *big.Float) (r *big.Float, ok bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false
	}
	r = newLongDouble().Add(a, b)
	// An x87 long double overflows past ~1.19e4932.
	if r.MantExp(nil) > 16384 {
		return nil, false
	}
	return r, true
}

// formatLongDouble prints like Redis' ld2string(LD_STR_HUMAN).
func formatLongDouble(f *big.Float) []byte {
	s := f.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return []byte(s)
}

// ParseLongDouble parses b as Redis' string2ld does (decimal or hex
// floats, inf, no spaces, no NaN) and returns it as a float64 (±Inf when
// beyond float64's range).
func ParseLongDouble(b []byte) (float64, bool) {
	f, ok := parseLongDouble(b)
	if !ok {
		return 0, false
	}
	v, _ := f.Float64()
	return v, true
}
