package templates

import "strings"

// Filter is one filter of a variable's chain: |name or |name:arg (Django),
// |name(args) (Jinja2).
type Filter struct {
	Name string
	// Arg is the argument as written, quotes included; empty without one.
	Arg string
	// Offset is the byte offset of the filter name in the source.
	Offset int
}

// parseExpr splits "base|f1:arg|f2" into the base expression and its
// filters. Pipes and colons inside quotes or brackets are not separators.
// off is the offset of expr in the source, for filter positions.
func parseExpr(expr string, off int) (base string, filters []Filter) {
	if strings.IndexByte(expr, '|') < 0 {
		return strings.TrimSpace(expr), nil
	}
	parts := splitOutside(expr, '|', maxFilters)
	filters = make([]Filter, 0, len(parts)-1)
	base = strings.TrimSpace(parts[0].s)
	for _, p := range parts[1:] {
		s := p.s
		lead := len(s) - len(strings.TrimLeft(s, " \t"))
		s = strings.TrimSpace(s)
		f := Filter{Offset: off + p.off + lead}
		n := 0
		for n < len(s) && isIdentByte(s[n]) {
			n++
		}
		f.Name = s[:n]
		rest := strings.TrimSpace(s[n:])
		switch {
		case strings.HasPrefix(rest, ":"):
			f.Arg = strings.TrimSpace(rest[1:])
		case strings.HasPrefix(rest, "("):
			f.Arg = rest
		}
		filters = append(filters, f)
	}
	return base, filters
}

// maxFilters bounds the filters kept per variable; the rest stay in the
// last filter's argument.
const maxFilters = 64

type part struct {
	s   string
	off int
}

// splitOutside splits s at sep where sep is not inside quotes or brackets,
// into at most max parts.
func splitOutside(s string, sep byte, max int) []part {
	out := make([]part, 0, min(max, 1+strings.Count(s, string(sep))))
	start, depth := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && i+1 < len(s) {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(' || c == '[' || c == '{':
			depth++
		case (c == ')' || c == ']' || c == '}') && depth > 0:
			depth--
		case c == sep && depth == 0 && len(out) < max-1:
			out = append(out, part{s[start:i], start})
			start = i + 1
		}
	}
	return append(out, part{s[start:], start})
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isLiteral reports whether a base expression is a string or number literal
// (Django: "text", 'text', _("text"), 12, 1.5; Jinja2 also true/false/none).
func isLiteral(base string) bool {
	b := strings.TrimSpace(base)
	if strings.HasPrefix(b, "_(") && strings.HasSuffix(b, ")") {
		b = strings.TrimSpace(b[2 : len(b)-1])
	}
	if len(b) >= 2 && (b[0] == '"' || b[0] == '\'') && b[len(b)-1] == b[0] {
		return strings.IndexByte(b[1:len(b)-1], b[0]) < 0
	}
	if b == "" {
		return false
	}
	digits := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E':
		default:
			return false
		}
	}
	return digits > 0
}

// SplitArgs splits a tag's content into words the way Django's
// smart_split does: at whitespace, keeping quoted strings (and, for Jinja2,
// bracketed groups) whole. At most max words are returned; the last one
// holds the rest.
func SplitArgs(content string, max int) []string {
	out := make([]string, 0, min(max, 1+strings.Count(content, " ")))
	i := 0
	for i < len(content) {
		for i < len(content) && isSpace(content[i]) {
			i++
		}
		if i >= len(content) {
			break
		}
		if len(out) == max-1 {
			out = append(out, strings.TrimSpace(content[i:]))
			break
		}
		start := i
		var quote byte
		depth := 0
		for i < len(content) {
			c := content[i]
			if quote != 0 {
				if c == '\\' && i+1 < len(content) {
					i++
				} else if c == quote {
					quote = 0
				}
			} else if c == '"' || c == '\'' {
				quote = c
			} else if c == '(' || c == '[' {
				depth++
			} else if (c == ')' || c == ']') && depth > 0 {
				depth--
			} else if isSpace(c) && depth == 0 {
				break
			}
			i++
		}
		out = append(out, content[start:i])
	}
	return out
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// Unquote returns s without one pair of matching surrounding quotes, and
// whether it had them. It does not process escapes.
func Unquote(s string) (string, bool) {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1], true
	}
	return s, false
}
