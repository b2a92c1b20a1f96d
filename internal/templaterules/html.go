package templaterules

import (
	"sort"
	"strings"

	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/templates"
)

// tri is a three-valued answer.
type tri uint8

const (
	no tri = iota
	unknown
	yes
)

// maxIncludeDepth bounds how deep {% include %} chains are followed.
const maxIncludeDepth = 8

// csrfSearch looks for CSRF tokens in templates and what they include.
// For each template it lists once, in source order, the places that supply
// a token (yes) or may supply one (unknown), so that each form is answered
// by one binary search, and each included file is read once per rule run
// whatever the include graph (cycles included).
type csrfSearch struct {
	pass     *rules.Pass
	idx      templateIndex
	files    map[string]tri        // whole-file answers
	evidence map[string][]evidence // by template path
}

// evidence is a place in a template that renders a token or may.
type evidence struct {
	off int
	v   tri // yes or unknown
}

// in says whether a CSRF token is rendered between two offsets of a
// template: yes or unknown (a {% block %} or an include that cannot be read
// may supply one) when there is evidence in the range, else no.
func (s *csrfSearch) in(t *templates.Template, start, end, depth int) tri {
	ev := s.evidenceOf(t, depth)
	i := sort.Search(len(ev), func(i int) bool { return ev[i].off >= start })
	if i < len(ev) && ev[i].off < end {
		return ev[i].v
	}
	return no
}

func (s *csrfSearch) evidenceOf(t *templates.Template, depth int) []evidence {
	if ev, ok := s.evidence[t.Path]; ok {
		return ev
	}
	var ev []evidence
	for i := range t.Vars {
		if b := t.Vars[i].Base; b == "csrf_token" || b == "csrf_input" || strings.HasSuffix(b, ".csrf_token") {
			ev = append(ev, evidence{t.Vars[i].Start, yes})
		}
	}
	for i := range t.Elements {
		if e := &t.Elements[i]; isTokenInput(t, e) {
			ev = append(ev, evidence{e.Start, yes})
		}
	}
	s.evidence[t.Path] = ev // provisional, for include cycles
	for i := range t.Tags {
		tag := &t.Tags[i]
		switch tag.Name {
		case "csrf_token", "crispy":
			ev = append(ev, evidence{tag.Start, yes})
		case "block":
			ev = append(ev, evidence{tag.Start, unknown})
		case "include":
			files := s.idx.resolve(tag.TagArgName())
			v := no
			if len(files) == 0 {
				v = unknown
			}
			for _, f := range files {
				v = max(v, s.inFile(f, depth+1))
			}
			if v != no {
				ev = append(ev, evidence{tag.Start, v})
			}
		}
	}
	sort.SliceStable(ev, func(i, j int) bool { return ev[i].off < ev[j].off })
	s.evidence[t.Path] = ev
	return ev
}

// isTokenInput reports whether e is an <input> with a value whose name
// mentions csrf or xsrf (csrfmiddlewaretoken, a framework's own
// xsrf_token): a token the application manages itself.
func isTokenInput(t *templates.Template, e *templates.Element) bool {
	if e.EndTag || e.Name != "input" || e.Attr("value") == nil {
		return false
	}
	name := strings.ToLower(t.Value(e.Attr("name")))
	return strings.Contains(name, "csrf") || strings.Contains(name, "xsrf")
}

func (s *csrfSearch) inFile(f *rules.File, depth int) tri {
	if v, ok := s.files[f.Path]; ok {
		return v
	}
	if depth > maxIncludeDepth {
		return unknown
	}
	s.files[f.Path] = no // while searching it: a cycle adds nothing
	v := unknown
	if inc, err := parsed(s.pass.Target, f); err == nil {
		v = no
		for _, e := range s.evidenceOf(inc, depth) {
			v = max(v, e.v)
		}
	}
	s.files[f.Path] = v
	return v
}

// absoluteHost reports whether a URL names a host, and returns the host.
func absoluteHost(u string) (string, bool) {
	l := strings.ToLower(strings.TrimSpace(u))
	for _, p := range []string{"https://", "http://", "//"} {
		if strings.HasPrefix(l, p) {
			h := l[len(p):]
			if i := strings.IndexAny(h, "/?#"); i >= 0 {
				h = h[:i]
			}
			if i := strings.LastIndexByte(h, '@'); i >= 0 {
				h = h[i+1:]
			}
			if i := strings.IndexByte(h, ':'); i >= 0 {
				h = h[:i]
			}
			return h, true
		}
	}
	return "", false
}

func runFormWithoutCSRF(pass *rules.Pass) error {
	search := &csrfSearch{pass: pass, idx: index(pass.Target), files: map[string]tri{}, evidence: map[string][]evidence{}}
	return eachTemplate(pass, false, func(t *templates.Template) {
		// nextClose[i] is the offset of the first </form> after element i
		nextClose := make([]int, len(t.Elements))
		closeAt := len(t.Src)
		for i := len(t.Elements) - 1; i >= 0; i-- {
			nextClose[i] = closeAt
			if e := &t.Elements[i]; e.EndTag && e.Name == "form" {
				closeAt = e.Start
			}
		}
		for i := range t.Elements {
			e := &t.Elements[i]
			if e.EndTag || e.Name != "form" {
				continue
			}
			method, dynamic := t.StaticValue(e.Attr("method"))
			if dynamic || !strings.EqualFold(strings.TrimSpace(method), "post") {
				continue
			}
			if action := e.Attr("action"); action != nil {
				if _, abs := absoluteHost(t.Value(action)); abs {
					continue
				}
			}
			// The body runs to </form>: a second <form> before it is an
			// {% if %}/{% else %} alternative sharing the body, as forms
			// cannot nest.
			if search.in(t, e.End, nextClose[i], 0) != no {
				continue
			}
			report(pass, t, e.Start, e.End, 0,
				"this POST form has no {%% csrf_token %%}: Django rejects its submissions with 403, or, if the view is csrf_exempt, any site can submit it for a logged-in user")
		}
	})
}

// unpinnableHost reports hosts whose scripts and styles change by design,
// where Subresource Integrity cannot be used.
func unpinnableHost(h string) bool {
	switch h {
	case "fonts.googleapis.com", "www.googletagmanager.com", "googletagmanager.com",
		"www.google-analytics.com", "ssl.google-analytics.com", "js.stripe.com", "www.google.com",
		"www.recaptcha.net", "js.hcaptcha.com", "hcaptcha.com", "challenges.cloudflare.com",
		"maps.googleapis.com", "www.gstatic.com":
		return true
	}
	return false
}

func hasWord(list, word string) bool {
	for _, w := range strings.Fields(strings.ToLower(list)) {
		if w == word {
			return true
		}
	}
	return false
}

func runMissingSRI(pass *rules.Pass) error {
	return eachTemplate(pass, false, func(t *templates.Template) {
		for i := range t.Elements {
			e := &t.Elements[i]
			if e.EndTag {
				continue
			}
			var a *templates.Attr
			what := ""
			switch e.Name {
			case "script":
				a, what = e.Attr("src"), "script"
			case "link":
				rel, _ := t.StaticValue(e.Attr("rel"))
				as, _ := t.StaticValue(e.Attr("as"))
				as = strings.ToLower(strings.TrimSpace(as))
				switch {
				case hasWord(rel, "stylesheet"):
					what = "stylesheet"
				case hasWord(rel, "modulepreload"), hasWord(rel, "preload") && as == "script":
					what = "preloaded script"
				case hasWord(rel, "preload") && as == "style":
					what = "preloaded stylesheet"
				default:
					continue
				}
				a = e.Attr("href")
			default:
				continue
			}
			if a == nil || !a.HasValue() {
				continue
			}
			raw := strings.TrimSpace(t.Value(a))
			if strings.HasPrefix(raw, "{") { // {% static %}, {{ STATIC_URL }}...: the host is not written here
				continue
			}
			host, abs := absoluteHost(raw)
			if !abs || host == "" || unpinnableHost(host) {
				continue
			}
			if integ := e.Attr("integrity"); integ != nil && strings.TrimSpace(t.Value(integ)) != "" {
				continue
			}
			extra := ""
			if strings.HasPrefix(strings.ToLower(raw), "http://") {
				extra = "; it is also loaded over plain http"
			}
			report(pass, t, e.Start, e.End, 0,
				"%s loaded from %s without an integrity attribute: if that host or file changes, your pages run the new code%s",
				what, host, extra)
		}
	})
}

func runTargetBlank(pass *rules.Pass) error {
	return eachTemplate(pass, false, func(t *templates.Template) {
		for i := range t.Elements {
			e := &t.Elements[i]
			if e.EndTag {
				continue
			}
			var link *templates.Attr
			switch e.Name {
			case "a", "area":
				link = e.Attr("href")
			case "form":
				link = e.Attr("action")
			default:
				continue
			}
			target, dyn := t.StaticValue(e.Attr("target"))
			if dyn || !strings.EqualFold(strings.TrimSpace(target), "_blank") || link == nil {
				continue
			}
			if r := e.Attr("rel"); r != nil {
				rel, dyn := t.StaticValue(r)
				if dyn || hasWord(rel, "noopener") || hasWord(rel, "noreferrer") {
					continue
				}
			}
			raw := strings.TrimSpace(t.Value(link))
			external := false
			if strings.HasPrefix(raw, "{{") {
				external = !startsWithSafeURLVar(t, link)
			} else if !strings.HasPrefix(raw, "{") {
				_, external = absoluteHost(raw)
			}
			if !external {
				continue
			}
			report(pass, t, e.Start, e.End, 0,
				"target=\"_blank\" without rel=\"noopener\": in older browsers the opened page can redirect this tab through window.opener")
		}
	})
}

// startsWithSafeURLVar reports whether the variable that starts an
// attribute value yields a URL of the site (get_absolute_url...).
func startsWithSafeURLVar(t *templates.Template, a *templates.Attr) bool {
	vs := t.VarsIn(a.ValueStart, a.ValueEnd)
	return len(vs) > 0 && safeURLBase(vs[0].Base)
}

func runDebugTag(pass *rules.Pass) error {
	return eachTemplate(pass, false, func(t *templates.Template) {
		for i := range t.Tags {
			if tag := &t.Tags[i]; tag.Name == "debug" {
				report(pass, t, tag.Start, tag.End, 0,
					"{%% debug %%} dumps the template context and the loaded modules into the page whenever DEBUG is True")
			}
		}
	})
}
