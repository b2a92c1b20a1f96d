package deps

import (
	"fmt"
	"strings"

	"github.com/djangoguard/djangoguard/internal/deps/pep440"
)

// parsePEP508 reads one PEP 508 requirement: name, extras, a version
// specifier (optionally in parentheses) or "@ url", and a marker after ";".
// col0 is the 0-based column of the name in s.
func parsePEP508(s string) (d Dependency, col0 int, err error) {
	orig := s
	s = strings.TrimRight(s, " \t")
	lead := len(s) - len(strings.TrimLeft(s, " \t"))
	s = s[lead:]
	i := 0
	for i < len(s) && isNameByte(s[i]) {
		i++
	}
	name := s[:i]
	if !pep440.ValidName(name) {
		if name == "" {
			return d, 0, fmt.Errorf("cannot read a package name in %q", clip(orig))
		}
		return d, 0, fmt.Errorf("invalid package name %q", clip(name))
	}
	d = newDep(name)
	rest := strings.TrimLeft(s[i:], " \t")
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return d, 0, fmt.Errorf("unclosed extras in %q", clip(orig))
		}
		for _, e := range strings.Split(rest[1:end], ",") {
			if e = strings.TrimSpace(e); e != "" {
				d.Extras = append(d.Extras, e)
			}
		}
		rest = strings.TrimLeft(rest[end+1:], " \t")
	}
	if strings.HasPrefix(rest, "@") {
		rest = strings.TrimSpace(rest[1:])
		url := rest
		// A marker after a URL must follow whitespace.
		if j := strings.Index(rest, " ;"); j >= 0 {
			url, d.Marker = strings.TrimSpace(rest[:j]), strings.TrimSpace(rest[j+2:])
		} else if j := strings.Index(rest, "\t;"); j >= 0 {
			url, d.Marker = strings.TrimSpace(rest[:j]), strings.TrimSpace(rest[j+2:])
		}
		if url == "" {
			return d, 0, fmt.Errorf("empty URL after @ in %q", clip(orig))
		}
		d.URL = url
		return d, lead, nil
	}
	spec := rest
	if j := strings.IndexByte(rest, ';'); j >= 0 {
		spec, d.Marker = rest[:j], strings.TrimSpace(rest[j+1:])
	}
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "(") && strings.HasSuffix(spec, ")") {
		spec = strings.TrimSpace(spec[1 : len(spec)-1])
	}
	if spec != "" && !strings.ContainsAny(spec[:1], "<>=!~") {
		return d, 0, fmt.Errorf("unexpected %q after the package name %s", clip(spec), name)
	}
	d.setSpec(spec)
	if d.SpecErr != "" {
		return d, lead, fmt.Errorf("%s: %s", name, d.SpecErr)
	}
	return d, lead, nil
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
