package templaterules

import (
	"path"
	"strings"

	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/templates"
)

// lastSafe returns the index of the last |safe or |safeseq filter, or -1.
func lastSafe(v *templates.Variable) int {
	for i := len(v.Filters) - 1; i >= 0; i-- {
		if n := v.Filters[i].Name; n == "safe" || n == "safeseq" {
			return i
		}
	}
	return -1
}

// escapesBeforeSafe reports whether a filter, placed before |safe, leaves
// a value that holds no markup (escaped, encoded or reduced to a number).
func escapesBeforeSafe(name string) bool {
	switch name {
	case "escape", "e", "force_escape", "forceescape", "escapejs", "urlencode", "json_script", "tojson",
		"linebreaks", "linebreaksbr", "urlize", "urlizetrunc", "linenumbers", "unordered_list",
		"slugify", "length", "count", "wordcount", "filesizeformat", "floatformat", "yesno", "pluralize",
		"divisibleby", "length_is":
		return true
	}
	return false
}

// neutralAfterSafe reports whether a filter, placed after |safe, leaves a
// value that is escaped on output or holds no markup. Django's |escape is
// not one: it leaves values already marked safe untouched. Filters that
// return a new plain string (upper, date...) drop the safe mark in Django,
// but not in Jinja2, where Markup methods keep it.
func neutralAfterSafe(name string, d templates.Dialect) bool {
	switch name {
	case "force_escape", "forceescape", "escapejs", "urlencode", "json_script", "tojson", "length", "count",
		"wordcount", "slugify", "filesizeformat", "floatformat", "divisibleby", "length_is":
		return true
	case "upper", "yesno", "date", "time", "timesince", "timeuntil", "pluralize", "make_list":
		return d == templates.Django
	}
	return false
}

func runAutoescapeOff(pass *rules.Pass) error {
	return eachTemplate(pass, false, func(t *templates.Template) {
		if plainText(t) {
			return
		}
		for i := range t.Tags {
			tag := &t.Tags[i]
			if tag.Name != "autoescape" || len(tag.Args) == 0 {
				continue
			}
			if a := strings.ToLower(tag.Args[0]); a != "off" && a != "false" {
				continue
			}
			if tag.Close < 0 {
				continue // never closed: Django refuses the template
			}
			end := t.Tags[tag.Close].Start
			var outputs []string
			for _, v := range t.VarsIn(tag.End, end) {
				if v.AutoescapeTag == i && !v.Literal && !v.Autoescape && len(outputs) < 3 {
					outputs = append(outputs, "{{ "+v.Expr+" }}")
				}
			}
			for j := i + 1; j < len(t.Tags) && t.Tags[j].Start < end && len(outputs) < 3; j++ {
				if n := t.Tags[j].Name; n == "include" || n == "block" {
					outputs = append(outputs, "{% "+t.Tags[j].Content+" %}")
				}
			}
			if len(outputs) == 0 {
				continue
			}
			report(pass, t, tag.Start, tag.End, 0,
				"autoescaping is off for this block, which outputs %s unescaped: any user input there becomes HTML and script",
				strings.Join(outputs, ", "))
		}
	})
}

// lastSeg returns the last dotted segment of a variable's base.
func lastSeg(base string) string {
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		return base[i+1:]
	}
	return base
}

// numericBase reports whether a base expression renders as a number, a
// boolean or a token without spaces or quotes: forloop counters, primary
// keys (pk, id, *_id), counts, is_*/has_* flags, the CSRF token, and
// upper-case settings (by convention set by the project, not by users).
func numericBase(base string) bool {
	if strings.HasPrefix(base, "forloop.") || strings.HasPrefix(base, "loop.") {
		return true
	}
	if isConstant(base) || base == "csrf_token" {
		return true
	}
	seg := lastSeg(base)
	switch {
	case seg == "pk", seg == "id", seg == "count", strings.HasSuffix(seg, "_id"), strings.HasSuffix(seg, "_count"),
		strings.HasPrefix(seg, "is_"), strings.HasPrefix(seg, "has_"):
		return true
	}
	return false
}

// numericFilter reports whether a filter's output is a number, a boolean or
// text chosen by the template author.
func numericFilter(name string) bool {
	switch name {
	case "length", "count", "wordcount", "floatformat", "divisibleby", "length_is", "yesno", "filesizeformat", "tojson":
		return true
	}
	return false
}

func hasNumericFilter(v *templates.Variable) bool {
	for _, f := range v.Filters {
		if numericFilter(f.Name) {
			return true
		}
	}
	return false
}

// jsUnsafe decides whether a variable in JavaScript (a script body or an
// event handler) is unsafe, and why.
func jsUnsafe(v *templates.Variable, d templates.Dialect) (bool, string) {
	c := v.Context
	if v.Literal || numericBase(v.Base) || hasNumericFilter(v) || v.HasFilter("json_script") {
		// tojson (Jinja2) writes a JS literal, but its double quotes end a
		// double-quoted attribute.
		if v.HasFilter("tojson") && c.Kind == templates.CtxAttr && c.Quote == '"' {
			return true, "with |tojson in a double-quoted attribute: its output contains double quotes, which end the attribute; quote the attribute with '"
		}
		return false, ""
	}
	escapejs := v.FilterIndex("escapejs") > lastSafe(v)
	useEscapejs := "use |escapejs"
	if d == templates.Jinja2 {
		useEscapejs = "use |tojson without the quotes"
	}
	switch c.JS {
	case templates.JSString:
		if escapejs {
			return false, ""
		}
		if c.Kind == templates.CtxAttr {
			return true, "inside a JavaScript string in an event handler: the browser decodes Django's &#x27; back into ' before running the code; " + useEscapejs
		}
		return true, "inside a JavaScript string: HTML escaping does not stop a backslash or a line break from breaking the string; " + useEscapejs
	case templates.JSTemplate:
		return true, "inside a JavaScript template literal: neither HTML escaping nor |escapejs escapes ${…}, so the value can run code; pass it with |json_script"
	case templates.JSRegexp:
		return true, "inside a JavaScript regular expression literal, where / ends it; pass the value with |json_script"
	case templates.JSComment:
		if c.JSQuote == '/' && escapejs {
			return false, ""
		}
		if c.JSQuote == '*' {
			return true, "inside a /* */ JavaScript comment, which */ in the value ends; remove it or pass the value with |json_script"
		}
		return true, "inside a // JavaScript comment, which a line break in the value ends; remove it or use |escapejs"
	}
	if v.HasFilter("escapejs") {
		return true, "as JavaScript code: |escapejs only protects inside a quoted string, here any expression runs; pass the value with |json_script"
	}
	return true, "as JavaScript code, where any expression runs and HTML escaping does not help; pass the value with |json_script"
}

// noSpaceFilter reports whether a filter's output cannot contain spaces or
// quotes, so that it cannot end an unquoted attribute.
func noSpaceFilter(name string) bool {
	switch name {
	case "urlencode", "iriencode", "slugify", "length", "count", "wordcount", "floatformat",
		"divisibleby", "length_is", "yesno", "pluralize":
		return true
	}
	return false
}

// safeURLBase reports whether a base expression yields a URL whose scheme
// the site controls.
func safeURLBase(base string) bool {
	switch base {
	case "STATIC_URL", "MEDIA_URL", "request.path", "request.path_info", "request.get_full_path",
		"request.build_absolute_uri", "request.get_full_path_info":
		return true
	}
	for _, fn := range []string{"url(", "static(", "url_for("} {
		if strings.HasPrefix(base, fn) {
			return true
		}
	}
	if isConstant(base) {
		return true
	}
	seg := lastSeg(base)
	switch {
	case seg == "get_absolute_url", strings.HasPrefix(seg, "get_") && strings.HasSuffix(seg, "_url"):
		// model methods that reverse() a URL of the site
		return true
	case seg == "qs", strings.HasSuffix(seg, "_qs"), strings.Contains(seg, "query_string"):
		// a query string starts with '?'
		return true
	}
	// a FileField's or ImageField's .url: storage URLs, not user-typed
	return seg == "url" && strings.Contains(base, ".")
}

// span is a stretch of a template, [start, end).
type span struct{ start, end int }

// safeNames records names bound to URLs of the site or literals, each with
// the stretches of the template where the binding holds.
type safeNames map[string][]span

func (n safeNames) has(name string, at int) bool {
	for _, s := range n[name] {
		if at >= s.start && at < s.end {
			return true
		}
	}
	return false
}

// urlNames returns the names a template binds to URLs of the site or to
// literals: {% url 'name' as x %}, {% static 'f' as x %},
// {% get_static_prefix as x %} and {% get_media_prefix as x %} (up to the
// end of the enclosing block), and aliases of {% with %} and
// {% blocktranslate with %} (x=value or value as x) whose value is a
// literal or a URL of the site (inside that tag's block).
func urlNames(t *templates.Template) safeNames {
	names := safeNames{}
	for i := range t.Tags {
		tag := &t.Tags[i]
		args := tag.Args
		switch tag.Name {
		case "url", "static", "get_static_prefix", "get_media_prefix":
			if n := len(args); n >= 2 && args[n-2] == "as" {
				end := len(t.Src)
				if p := tag.Parent; p >= 0 && t.Tags[p].Close >= 0 {
					end = t.Tags[t.Tags[p].Close].Start
				}
				names[args[n-1]] = append(names[args[n-1]], span{tag.End, end})
			}
		case "with", "blocktrans", "blocktranslate":
			if tag.Close < 0 {
				continue
			}
			scope := span{tag.End, t.Tags[tag.Close].Start}
			for j, a := range args {
				if k := strings.IndexByte(a, '='); k > 0 {
					if v := a[k+1:]; isLiteralArg(v) || safeURLBase(v) {
						names[a[:k]] = append(names[a[:k]], scope)
					}
				} else if a == "as" && j > 0 && j+1 < len(args) && (isLiteralArg(args[j-1]) || safeURLBase(args[j-1])) {
					names[args[j+1]] = append(names[args[j+1]], scope)
				}
			}
		}
	}
	return names
}

// isLiteralArg reports whether a tag argument is a quoted string.
func isLiteralArg(a string) bool {
	_, ok := templates.Unquote(a)
	return ok
}

// isConstant reports whether a base is an upper-case name such as
// STATIC_URL or CDN_URL: by convention a setting exposed by a context
// processor, not user data.
func isConstant(base string) bool {
	if base == "" || base[0] < 'A' || base[0] > 'Z' {
		return false
	}
	for i := 0; i < len(base); i++ {
		c := base[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// plainText reports whether a template produces plain text: a .txt file,
// or an e-mail template (a name with "mail" or "subject") that has no HTML
// tag, such as Django's own registration/password_reset_email.html.
func plainText(t *templates.Template) bool {
	if t.Plain {
		return true
	}
	if len(t.Elements) > 0 {
		return false
	}
	base := strings.ToLower(path.Base(t.Path))
	return strings.Contains(base, "mail") || strings.Contains(base, "subject")
}

// untrustedURL reports whether a base expression reads a URL straight from
// the request or has a name that usually holds a URL a user typed or
// passed (next, redirect_to, website...). Other variables in URL attributes
// are mostly URLs built by the application, hence the rule's low default
// confidence.
func untrustedURL(base string) bool {
	if strings.HasPrefix(base, "request.") && !safeURLBase(base) {
		return true
	}
	switch lastSeg(base) {
	case "next", "next_url", "next_page", "redirect_to", "redirect_url", "return_to", "return_url",
		"callback", "callback_url", "website", "web_site", "homepage", "home_page":
		return true
	}
	return false
}
