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
// It caches the answer for whole included files, so that each file is read
// once per rule run whatever the include graph (cycles included).
type csrfSearch struct {
	pass  *rules.Pass
	idx   templateIndex
	files map[string]tri
}

// in says whether a CSRF token is rendered between two offsets of a
// template: yes when a token is there, unknown when a {% block %} or an
// include that cannot be read may supply one.
func (s *csrfSearch) in(t *templates.Template, start, end, depth int) tri {
	ans := no
	for _, v := range t.VarsIn(start, end) {
		if v.Base == "csrf_token" || v.Base == "csrf_input" || strings.HasSuffix(v.Base, ".csrf_token") {
			return yes
		}
	}
	if hasTokenInput(t, start, end) {
		return yes
	}
	lo, hi := t.TagsIn(start, end)
	for i := lo; i < hi; i++ {
		tag := &t.Tags[i]
		switch tag.Name {
		case "csrf_token", "crispy":
			return yes
		case "block":
			ans = unknown
		case "include":
			files := s.idx.resolve(tag.TagArgName())
			if len(files) == 0 {
				ans = unknown
			}
			for _, f := range files {
				switch s.inFile(f, depth+1) {
				case yes:
					return yes
				case unknown:
					ans = unknown
				}
			}
		}
	}
	return ans
}

// hasTokenInput reports whether an <input> whose name mentions csrf or
// xsrf (csrfmiddlewaretoken, a framework's own xsrf_token) starts in
// [start, end): a token the application manages itself.
func hasTokenInput(t *templates.Template, start, end int) bool {
	lo := sort.Search(len(t.Elements), func(i int) bool { return t.Elements[i].Start >= start })
	for i := lo; i < len(t.Elements) && t.Elements[i].Start < end; i++ {
		e := &t.Elements[i]
		if e.EndTag || e.Name != "input" {
			continue
		}
		name := strings.ToLower(t.Value(e.Attr("name")))
		if (strings.Contains(name, "csrf") || strings.Contains(name, "xsrf")) && e.Attr("value") != nil {
			return true
		}
	}
	return false
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
		v = s.in(inc, 0, len(inc.Src), depth)
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
	search := &csrfSearch{pass: pass, idx: index(pass.Target), files: map[string]tri{}}
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
				if !hasWord(rel, "stylesheet") {
					continue
				}
				a, what = e.Attr("href"), "stylesheet"
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
