package templaterules

import (
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

// csrfIn says whether a CSRF token is rendered between two offsets of a
// template: yes when a token is there, unknown when a {% block %} or an
// include that cannot be read may supply one.
func csrfIn(pass *rules.Pass, idx templateIndex, t *templates.Template, start, end, depth int) tri {
	if depth > maxIncludeDepth {
		return unknown
	}
	ans := no
	for i := range t.Vars {
		v := &t.Vars[i]
		if v.Start >= start && v.End <= end && (v.Base == "csrf_token" || v.Base == "csrf_input") {
			return yes
		}
	}
	for i := range t.Tags {
		tag := &t.Tags[i]
		if tag.Start < start || tag.End > end {
			continue
		}
		switch tag.Name {
		case "csrf_token", "crispy":
			return yes
		case "block":
			ans = unknown
		case "include":
			files := idx.resolve(tag.TagArgName())
			if len(files) == 0 {
				ans = unknown
			}
			for _, f := range files {
				inc, err := parsed(pass.Target, f)
				if err != nil {
					ans = unknown
					continue
				}
				switch csrfIn(pass, idx, inc, 0, len(inc.Src), depth+1) {
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

// isAbsoluteURL reports whether a URL names a host, and returns the host.
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
	idx := index(pass.Target)
	return eachTemplate(pass, false, func(t *templates.Template) {
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
			end := len(t.Src)
			for j := i + 1; j < len(t.Elements); j++ {
				// up to </form>: a second <form> before it is an {% if %}/{% else %}
				// alternative sharing the body, as forms cannot nest
				if t.Elements[j].Name == "form" && t.Elements[j].EndTag {
					end = t.Elements[j].Start
					break
				}
			}
			if csrfIn(pass, idx, t, e.End, end, 0) != no {
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
	for i := range t.Vars {
		v := &t.Vars[i]
		if v.Start >= a.ValueStart && v.Start < a.ValueEnd {
			return safeURLBase(v.Base)
		}
	}
	return false
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
