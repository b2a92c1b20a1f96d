package settingsrules

import (
	"sort"
	"strings"

	"github.com/djangoguard/djangoguard/internal/settings"
)

// cspPolicy is a policy built from settings: directive -> sources, and the
// setting value each directive came from (for the finding's location).
type cspPolicy struct {
	dirs       map[string][]string
	from       map[string]*settings.Value
	reportOnly bool
}

// cspConstants are Django 6's django.utils.csp.CSP members.
var cspConstants = map[string]string{
	"SELF": "'self'", "NONE": "'none'", "UNSAFE_INLINE": "'unsafe-inline'", "UNSAFE_EVAL": "'unsafe-eval'",
	"STRICT_DYNAMIC": "'strict-dynamic'", "NONCE": "'nonce-x'", "REPORT_SAMPLE": "'report-sample'",
	"WASM_UNSAFE_EVAL": "'wasm-unsafe-eval'", "UNSAFE_HASHES": "'unsafe-hashes'",
}

func cspSources(v *settings.Value) ([]string, bool) {
	if v == nil {
		return nil, false
	}
	var items []*settings.Value
	switch v.Kind {
	case settings.Str:
		return strings.Fields(v.S), true
	case settings.List, settings.Tuple, settings.Set:
		items = v.Elems
	default:
		return nil, false
	}
	var out []string
	for _, e := range items {
		switch e.Kind {
		case settings.Str:
			out = append(out, strings.ToLower(e.S))
		case settings.Object:
			i := strings.LastIndexByte(e.S, '.')
			c, ok := cspConstants[e.S[i+1:]]
			if !ok {
				return nil, false
			}
			out = append(out, c)
		default:
			return nil, false
		}
	}
	return out, true
}

// buildCSP reads the policy the project configures: Django 6's SECURE_CSP,
// django-csp 4's CONTENT_SECURITY_POLICY, or django-csp 3's CSP_* settings
// (whose default is default-src 'self'). It returns nil when no policy is
// configured or it cannot be known; name and where locate findings.
func buildCSP(j *judged) (pol *cspPolicy, where *settings.Value, name string) {
	if hasCSP(j) != triYes && !(j.isSet("SECURE_CSP") && has(j.middleware(), cspMW).fires()) {
		return nil, nil, ""
	}
	fromDict := func(d *settings.Value) *cspPolicy {
		p := &cspPolicy{dirs: map[string][]string{}, from: map[string]*settings.Value{}}
		for i, k := range d.Keys {
			if k.Kind != settings.Str {
				return nil
			}
			src, ok := cspSources(d.Vals[i])
			if !ok {
				return nil
			}
			dir := strings.ToLower(k.S)
			p.dirs[dir] = src
			p.from[dir] = d.Vals[i]
		}
		return p
	}
	if v := j.m.Get("SECURE_CSP"); v != nil && v.Kind == settings.Dict && len(v.Keys) > 0 {
		if p := fromDict(v); p != nil {
			return p, v, "SECURE_CSP"
		}
		return nil, nil, ""
	}
	if v := j.m.Get("CONTENT_SECURITY_POLICY"); v != nil && v.Kind == settings.Dict {
		if d := v.Get("DIRECTIVES"); d != nil && d.Kind == settings.Dict {
			if p := fromDict(d); p != nil {
				return p, v, "CONTENT_SECURITY_POLICY"
			}
		}
		return nil, nil, ""
	}
	if v := j.m.Get("CONTENT_SECURITY_POLICY_REPORT_ONLY"); v != nil && v.Kind == settings.Dict && j.m.Get("CONTENT_SECURITY_POLICY") == nil {
		return &cspPolicy{reportOnly: true}, v, "CONTENT_SECURITY_POLICY_REPORT_ONLY"
	}
	// django-csp 3: CSP_DEFAULT_SRC, CSP_SCRIPT_SRC, ...
	p := &cspPolicy{dirs: map[string][]string{"default-src": {"'self'"}}, from: map[string]*settings.Value{}}
	var names []string
	for _, n := range j.m.Result.Settings() {
		if strings.HasPrefix(n, "CSP_") && strings.HasSuffix(n, "_SRC") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	where, name = j.middleware(), "MIDDLEWARE"
	for _, n := range names {
		v := j.m.Get(n)
		src, ok := cspSources(v)
		if !ok {
			return nil, nil, ""
		}
		dir := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(n, "CSP_"), "_", "-"))
		p.dirs[dir] = src
		p.from[dir] = v
	}
	if ro := j.m.Get("CSP_REPORT_ONLY"); ro != nil {
		if t, ok := ro.Truth(); ok && t {
			p.reportOnly = true
			where, name = ro, "CSP_REPORT_ONLY"
		}
	}
	return p, where, name
}

var cspBroad = map[string]bool{"ftp:": true, "http:": true, "https:": true, "*": true, "http://*": true, "http://*.*": true, "https://*": true, "https://*.*": true}

func cspUnsafe(s string) bool { return cspBroad[s] || s == "'unsafe-inline'" || s == "data:" }

// gradeCSP applies the Observatory's CSP rules (those that do not need the
// site's scheme); it returns "" for a passing policy.
func gradeCSP(p *cspPolicy) (grade, why, dir string) {
	if p.reportOnly {
		return "report-only", "is report-only: violations are reported, nothing is blocked", ""
	}
	eff := func(d string) []string {
		if s, ok := p.dirs[d]; ok {
			return s
		}
		if s, ok := p.dirs["default-src"]; ok {
			return s
		}
		return []string{"*"}
	}
	src := func(d string) string {
		if _, ok := p.dirs[d]; ok {
			return d
		}
		return "default-src"
	}
	clean := func(src []string) []string {
		nonce, strict := false, false
		for _, s := range src {
			if strings.HasPrefix(s, "'nonce-") || strings.HasPrefix(s, "'sha256-") || strings.HasPrefix(s, "'sha384-") || strings.HasPrefix(s, "'sha512-") {
				nonce = true
			}
			if s == "'strict-dynamic'" {
				strict = true
			}
		}
		var out []string
		for _, s := range src {
			if nonce && s == "'unsafe-inline'" {
				continue
			}
			if nonce && strict && (s == "'self'" || cspBroad[s]) {
				continue
			}
			out = append(out, s)
		}
		return out
	}
	script := clean(eff("script-src"))
	style := clean(eff("style-src"))
	object := eff("object-src")
	for _, s := range script {
		if cspUnsafe(s) {
			return "unsafe-inline", "lets scripts run from " + s + " in " + src("script-src") + ": injected script is not blocked", src("script-src")
		}
	}
	for _, s := range object {
		if cspBroad[s] {
			return "unsafe-inline", "allows plugins from " + s + " in " + src("object-src") + ": set object-src 'none'", src("object-src")
		}
	}
	for _, s := range script {
		if s == "'unsafe-eval'" {
			return "unsafe-eval", "allows 'unsafe-eval' in " + src("script-src") + ": eval() of injected strings runs", src("script-src")
		}
	}
	for _, s := range style {
		if s == "'unsafe-eval'" {
			return "unsafe-eval", "allows 'unsafe-eval' in " + src("style-src"), src("style-src")
		}
	}
	for _, s := range style {
		if cspUnsafe(s) {
			return "unsafe-inline-style", "allows " + s + " in " + src("style-src") + ": injected styles apply (CSS data exfiltration)", src("style-src")
		}
	}
	return "", "", ""
}

// Where the finding goes for a directive.
func (p *cspPolicy) at(dir string) *settings.Value { return p.from[dir] }
