package python

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// decodeRune decodes one code point of generalized UTF-8 (surrogates
// allowed) from s at i.
func decodeRune(s string, i int) (rune, int) {
	c := s[i]
	switch {
	case c < 0x80:
		return rune(c), 1
	case c < 0xE0 && i+1 < len(s):
		return rune(c&0x1F)<<6 | rune(s[i+1]&0x3F), 2
	case c < 0xF0 && i+2 < len(s):
		return rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F), 3
	case i+3 < len(s):
		return rune(c&0x07)<<18 | rune(s[i+1]&0x3F)<<12 | rune(s[i+2]&0x3F)<<6 | rune(s[i+3]&0x3F), 4
	}
	return rune(c), 1
}

// isPrintable is Python's str.isprintable for one code point.
func isPrintable(r rune) bool {
	if r >= 0xD800 && r <= 0xDFFF {
		return false
	}
	return unicode.IsPrint(r)
}

const hexdigits = "0123456789abcdef"

// ReprStr returns Python's repr() of a str.
func ReprStr(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	b := make([]byte, 0, len(s)+2)
	b = append(b, quote)
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			i++
			switch {
			case c == quote || c == '\\':
				b = append(b, '\\', c)
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c < ' ' || c == 0x7f:
				b = append(b, '\\', 'x', hexdigits[c>>4], hexdigits[c&15])
			default:
				b = append(b, c)
			}
			continue
		}
		r, n := decodeRune(s, i)
		if isPrintable(r) {
			b = append(b, s[i:i+n]...)
		} else if r <= 0xff {
			b = append(b, '\\', 'x', hexdigits[r>>4], hexdigits[r&15])
		} else if r <= 0xffff {
			b = append(b, '\\', 'u', hexdigits[r>>12&15], hexdigits[r>>8&15], hexdigits[r>>4&15], hexdigits[r&15])
		} else {
			b = append(b, '\\', 'U')
			for k := 28; k >= 0; k -= 4 {
				b = append(b, hexdigits[r>>uint(k)&15])
			}
		}
		i += n
	}
	b = append(b, quote)
	return string(b)
}

// ReprBytes returns Python's repr() of a bytes value.
func ReprBytes(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	b := make([]byte, 0, len(s)+3)
	b = append(b, 'b', quote)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == quote || c == '\\':
			b = append(b, '\\', c)
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c < ' ' || c >= 0x7f:
			b = append(b, '\\', 'x', hexdigits[c>>4], hexdigits[c&15])
		default:
			b = append(b, c)
		}
	}
	b = append(b, quote)
	return string(b)
}

// formatFloat is CPython's repr of a float (addDot0) or of the imaginary
// part of a complex (no ".0" added).
func formatFloat(f float64, addDot0 bool) string {
	if math.IsNaN(f) {
		return "nan"
	}
	if math.IsInf(f, 1) {
		return "inf"
	}
	if math.IsInf(f, -1) {
		return "-inf"
	}
	sign := ""
	if f < 0 || f == 0 && math.Signbit(f) {
		sign = "-"
		f = -f
	}
	if f == 0 {
		if addDot0 {
			return sign + "0.0"
		}
		return sign + "0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddddde±XX
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	decpt := x + 1
	var out string
	if decpt <= -4 || decpt > 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		ex := decpt - 1
		es := "+"
		if ex < 0 {
			es = "-"
			ex = -ex
		}
		exs := strconv.Itoa(ex)
		if len(exs) < 2 {
			exs = "0" + exs
		}
		out = m + "e" + es + exs
	} else if decpt <= 0 {
		out = "0." + strings.Repeat("0", -decpt) + digits
	} else if decpt >= len(digits) {
		out = digits + strings.Repeat("0", decpt-len(digits))
		if addDot0 {
			out += ".0"
		}
	} else {
		out = digits[:decpt] + "." + digits[decpt:]
	}
	return sign + out
}

// ReprValue returns Python's repr() of a constant value.
func ReprValue(v Value) string {
	switch t := v.(type) {
	case nil, NoneType:
		return "None"
	case EllipsisType:
		return "Ellipsis"
	case Bool:
		if t {
			return "True"
		}
		return "False"
	case *Int:
		if t.Big != nil {
			return t.Big.String()
		}
		return strconv.FormatInt(t.Small, 10)
	case Float:
		return formatFloat(float64(t), true)
	case Imag:
		return formatFloat(float64(t), false) + "j"
	case Str:
		return ReprStr(string(t))
	case Bytes:
		return ReprBytes(string(t))
	}
	return "None"
}
