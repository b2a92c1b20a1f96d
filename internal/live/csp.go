package live

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// CSP is a parsed, intersected Content-Security-Policy: directive to source
// set. Sources and directive names are lower-cased.
type CSP map[string]map[string]bool

// cspDuplicateKey marks repeated report-uri/report-to directives, which the
// Observatory tolerates with a warning.
const cspDuplicateKey = "_observatory_duplicate_warnings"

// cspShortest is the shortest policy accepted ("img-src" less one).
const cspShortest = len("img-src") - 1

var cspMetaDisallowed = []string{"frame-ancestors", "report-uri", "sandbox"}

// splitPolicies splits header (or meta) values on "," into policies.
func splitPolicies(values []string) []string {
	var out []string
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			out = append(out, strings.TrimSpace(p))
		}
	}
	return out
}

type cspSource struct {
	source string
	index  int
	keep   bool
}

// ParseCSP parses and intersects a list of policies the way the Observatory
// does: a later policy can only narrow the sources of an earlier one. It
// fails on an empty or too short policy and on a directive repeated within a
// policy (other than report-uri and report-to).
func ParseCSP(policies []string) (CSP, error) {
	clean := make([]string, len(policies))
	for i, p := range policies {
		p = strings.NewReplacer("\r", "", "\n", "").Replace(p)
		clean[i] = strings.TrimSpace(p)
	}
	if len(clean) == 0 {
		return CSP{}, nil
	}
	for _, p := range clean {
		if p == "" || len([]rune(p)) < cspShortest {
			return nil, fmt.Errorf("invalid policy %q: empty or too short", truncate(p, 80))
		}
	}
	state := map[string][]cspSource{}
	order := []string{}
	dups := map[string]bool{}
	for pi, policy := range clean {
		seen := map[string]bool{}
		for _, entry := range strings.Split(policy, ";") {
			fields := strings.Fields(strings.TrimSpace(entry))
			if len(fields) == 0 {
				continue
			}
			directive := strings.ToLower(fields[0])
			if seen[directive] {
				if directive == "report-uri" || directive == "report-to" {
					dups[directive] = true
				} else {
					return nil, fmt.Errorf("directive %s repeated in policy %d", truncate(directive, 60), pi+1)
				}
			} else {
				seen[directive] = true
			}
			keep := pi == 0
			var values []cspSource
			for _, raw := range fields[1:] {
				values = append(values, cspSource{source: strings.ToLower(strings.TrimSpace(raw)), index: pi, keep: keep})
			}
			if len(fields) == 1 && strings.HasSuffix(directive, "-src") {
				values = append(values, cspSource{source: "'none'", index: pi, keep: keep})
			}
			var combined []cspSource
			if pi == 0 {
				combined = values
			} else {
				combined = append(append([]cspSource(nil), state[directive]...), values...)
			}
			sort.SliceStable(combined, func(a, b int) bool { return combined[a].source < combined[b].source })
			for k := 1; k < len(combined); k++ {
				cur, prev := &combined[k], combined[k-1]
				// Within one policy, a source that extends an earlier one adds nothing.
				if cur.index == prev.index && strings.HasPrefix(cur.source, prev.source) {
					cur.keep = false
				}
				// Across policies, a source has to be allowed by both.
				if cur.index != prev.index && pathPartMatch(prev.source, cur.source) {
					cur.keep = true
				}
			}
			var kept []cspSource
			for _, s := range combined {
				if s.keep {
					kept = append(kept, s)
				}
			}
			if _, ok := state[directive]; !ok {
				order = append(order, directive)
			}
			state[directive] = kept
			if pi == 0 && len(clean) > 1 {
				for k := range state[directive] {
					state[directive][k].keep = false
				}
			}
		}
	}
	out := CSP{}
	for _, d := range order {
		set := map[string]bool{}
		for _, s := range state[d] {
			set[s.source] = true
		}
		if len(set) == 0 {
			set["'none'"] = true
		}
		out[d] = set
	}
	if len(dups) > 0 {
		out[cspDuplicateKey] = dups
	}
	return out, nil
}

// pathPartMatch compares two sources path piece by path piece; a trailing
// "/" on a makes it a prefix match.
func pathPartMatch(a, b string) bool {
	if a == "" {
		return true
	}
	if a == "/" && b == "" {
		return true
	}
	exact := !strings.HasSuffix(a, "/")
	pa := strings.Split(a, "/")
	pb := strings.Split(b, "/")
	if len(pa) > len(pb) {
		return false
	}
	if exact && len(pa) != len(pb) {
		return false
	}
	if !exact {
		pa = pa[:len(pa)-1]
	}
	for i := range pa {
		x, errA := url.PathUnescape(pa[i])
		y, errB := url.PathUnescape(pb[i])
		if errA != nil || errB != nil {
			// The Observatory's decodeURIComponent throws here, which fails
			// the whole CSP parse; compare raw pieces instead.
			x, y = pa[i], pb[i]
		}
		if x != y {
			return false
		}
	}
	return true
}

// parseCSPMeta parses meta policies and drops the directives a meta element
// cannot set.
func parseCSPMeta(policies []string) (CSP, error) {
	c, err := ParseCSP(policies)
	if err != nil {
		return nil, err
	}
	for _, d := range cspMetaDisallowed {
		delete(c, d)
	}
	return c, nil
}

// clone copies one directive's sources, or returns nil.
func (c CSP) clone(d string) map[string]bool {
	s, ok := c[d]
	if !ok {
		return nil
	}
	out := make(map[string]bool, len(s))
	for k := range s {
		out[k] = true
	}
	return out
}

// Directives returns the directives sorted, without internal keys.
func (c CSP) Directives() []string {
	var out []string
	for d := range c {
		if d != cspDuplicateKey {
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}

// errHSTSInvalid is returned by ParseHSTS for a header the Observatory calls
// invalid.
var errHSTSInvalid = errors.New("invalid Strict-Transport-Security header")

// HSTS is a parsed Strict-Transport-Security header.
type HSTS struct {
	MaxAge            int64
	MaxAgeNaN         bool // max-age present but not a number
	IncludeSubDomains bool
	Preload           bool
}

// ParseHSTS parses the first Strict-Transport-Security value as the
// Observatory does: a "," (the header sent twice) or a missing max-age is
// invalid. A max-age that is not a number is kept as MaxAgeNaN: the
// Observatory's integer parse yields NaN there, which compares as "at least
// six months".
func ParseHSTS(value string) (HSTS, error) {
	if len(value) > 1024 {
		value = value[:1024]
	}
	var h HSTS
	if strings.Contains(value, ",") {
		return h, fmt.Errorf("%w: set more than once", errHSTSInvalid)
	}
	found := false
	for _, p := range strings.Split(value, ";") {
		p = strings.ToLower(strings.TrimSpace(p))
		switch {
		case strings.HasPrefix(p, "max-age="):
			v := p[len("max-age="):]
			if len(v) > 120 {
				v = v[:120]
			}
			n, ok := parseIntPrefix(v)
			found = true
			h.MaxAge, h.MaxAgeNaN = n, !ok
		case p == "includesubdomains":
			h.IncludeSubDomains = true
		case p == "preload":
			h.Preload = true
		}
	}
	if !found {
		return h, fmt.Errorf("%w: no max-age", errHSTSInvalid)
	}
	return h, nil
}

// parseIntPrefix reads an optional sign and leading decimal digits after
// leading whitespace, like JavaScript's parseInt(s, 10).
func parseIntPrefix(s string) (int64, bool) {
	s = strings.TrimLeft(s, " \t\n\r\f\v")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n int64
	digits := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			break
		}
		digits++
		if n < 1<<53 {
			n = n*10 + int64(r-'0')
		}
	}
	if digits == 0 {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}
