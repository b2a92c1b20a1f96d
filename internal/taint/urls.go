package taint

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/djangoguard/djangoguard/internal/python"
)

// Route is a URL pattern wired to a view in a urls.py.
type Route struct {
	Pattern string
	Path    string // the urls module's file
	Line    int
	Regex   bool // re_path/url
	// Params are the captured parameters; Safe when the converter or the
	// regular expression only lets through characters that cannot break
	// out of SQL, HTML, shell or path syntax (int, slug, uuid, [a-z0-9]+).
	Params map[string]RouteParam
	// Known is false when the pattern could not be read (not a constant),
	// so every extra parameter is treated as a capture.
	Known bool
}

// RouteParam is one captured URL parameter.
type RouteParam struct {
	Converter string // "int", "str", "slug", "uuid", "path", or the regex
	Safe      bool
}

func (r *Route) describe() string {
	return fmt.Sprintf("captured by %q in %s:%d", r.Pattern, r.Path, r.Line)
}

var converterRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`<(?:([A-Za-z_][A-Za-z0-9_]*):)?([A-Za-z_][A-Za-z0-9_]*)>`)
})
var namedGroupRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\(\?P<([A-Za-z_][A-Za-z0-9_]*)>`) })

func parsePathPattern(p string) map[string]RouteParam {
	out := map[string]RouteParam{}
	for _, m := range converterRE().FindAllStringSubmatch(p, -1) {
		conv := m[1]
		if conv == "" {
			conv = "str"
		}
		safe := conv == "int" || conv == "slug" || conv == "uuid"
		out[m[2]] = RouteParam{Converter: conv, Safe: safe}
	}
	return out
}

// parseRegexPattern finds named groups and decides for each whether its
// sub-expression is restricted to a safe character set.
func parseRegexPattern(p string) map[string]RouteParam {
	out := map[string]RouteParam{}
	for _, loc := range namedGroupRE().FindAllStringSubmatchIndex(p, -1) {
		name := p[loc[2]:loc[3]]
		// The group body runs to the matching parenthesis.
		depth, i := 1, loc[1]
		start := i
		for i < len(p) && depth > 0 {
			switch p[i] {
			case '\\':
				i++
			case '(':
				depth++
			case ')':
				depth--
			}
			i++
		}
		body := p[start:max(start, i-1)]
		out[name] = RouteParam{Converter: body, Safe: safeRegex(body)}
	}
	return out
}

// safeRegex: the expression only matches letters, digits, '_' and '-':
// character classes of those, \d, \w, quantifiers and anchors.
func safeRegex(body string) bool {
	body = strings.TrimPrefix(body, "^")
	body = strings.TrimSuffix(body, "$")
	body = strings.TrimSuffix(body, `\Z`)
	if body == "" {
		return false
	}
	in := false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\\':
			if i+1 >= len(body) {
				return false
			}
			i++
			switch body[i] {
			case 'd', 'w', '-', '_':
			default:
				return false
			}
		case c == '[':
			if in {
				return false
			}
			in = true
			if i+1 < len(body) && body[i+1] == '^' {
				return false
			}
		case c == ']':
			in = false
		case c == '(' && !in && strings.HasPrefix(body[i:], "(?:"):
			i += 2 // a non-capturing group
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case c == '-':
		case !in && (c == '+' || c == '*' || c == '?' || c == '{' || c == '}' || c == ',' || c == '(' || c == ')' || c == '|'):
		default:
			return false
		}
	}
	return !in
}

// collectRoutes reads the urlpatterns of a module. Patterns included with
// include() from there are read again with the including pattern as a
// prefix, so a view under path("teams/<str:team>/", include("app.urls"))
// receives team as a captured parameter.
func (ix *Index) collectRoutes(m *Module, funcs map[*Func]*Route, classes map[*Class]*Route) {
	w := &routeWalker{ix: ix, funcs: funcs, classes: classes, budget: maxIncludeExpansions}
	w.patternsOf(m, nil)
}

// urlpatterns returns the expressions assigned or added to urlpatterns at
// the top level of m.
func urlpatterns(m *Module) []python.Expr {
	if m == nil || m.AST == nil {
		return nil
	}
	var out []python.Expr
	for _, st := range m.AST.Body {
		var val python.Expr
		switch st := st.(type) {
		case *python.Assign:
			for _, t := range st.Targets {
				if n, ok := t.(*python.Name); ok && n.Id == "urlpatterns" {
					val = st.Value
				}
			}
		case *python.AugAssign:
			if n, ok := st.Target.(*python.Name); ok && n.Id == "urlpatterns" {
				val = st.Value
			}
		case *python.AnnAssign:
			if n, ok := st.Target.(*python.Name); ok && n.Id == "urlpatterns" {
				val = st.Value
			}
		}
		if val != nil {
			out = append(out, val)
		}
	}
	return out
}

// maxIncludeDepth bounds nested include() chains; maxIncludeExpansions
// bounds the include() calls followed from one URLconf, so that modules
// that include each other many times over cannot make the walk
// exponential.
const (
	maxIncludeDepth      = 8
	maxIncludeExpansions = 4096
)

// routeWalker reads the patterns of one URLconf and of everything it
// includes.
type routeWalker struct {
	ix      *Index
	funcs   map[*Func]*Route
	classes map[*Class]*Route
	budget  int       // include() expansions left
	stack   []*Module // modules entered through include(): no module twice
}

// patternsOf reads the urlpatterns of m under prefix (nil at the top).
func (w *routeWalker) patternsOf(m *Module, prefix *Route) {
	for _, val := range urlpatterns(m) {
		w.patterns(m, val, prefix, 0)
	}
}

func (w *routeWalker) patterns(m *Module, e python.Expr, prefix *Route, depth int) {
	if depth > 32 {
		return
	}
	switch e := e.(type) {
	case *python.List:
		for _, x := range e.Elts {
			w.patterns(m, x, prefix, depth+1)
		}
	case *python.Tuple:
		for _, x := range e.Elts {
			w.patterns(m, x, prefix, depth+1)
		}
	case *python.BinOp:
		w.patterns(m, e.Left, prefix, depth+1)
		w.patterns(m, e.Right, prefix, depth+1)
	case *python.Call:
		kind := w.ix.callName(m, e)
		if kind != "path" && kind != "re_path" && kind != "url" {
			return
		}
		if len(e.Args) < 2 {
			return
		}
		r := &Route{Path: m.Path, Line: int(e.Lineno), Regex: kind != "path"}
		if p, ok := constStr(e.Args[0]); ok {
			r.Pattern = p
			r.Known = true
			if r.Regex {
				r.Params = parseRegexPattern(p)
			} else {
				r.Params = parsePathPattern(p)
			}
		} else {
			r.Params = map[string]RouteParam{}
		}
		if prefix != nil {
			r = prefix.join(r)
		}
		view := e.Args[1]
		if c, ok := view.(*python.Call); ok {
			if a, ok := c.Func.(*python.Attribute); ok && a.Attr == "as_view" {
				if cls := w.ix.classByName(w.ix.resolve(m, a.Value)); cls != nil {
					w.classes[cls] = mergeRoutes(w.classes[cls], r)
				}
				return
			}
			if w.ix.callName(m, c) == "include" {
				w.include(m, c, r, depth+1)
			}
			return
		}
		if f := w.ix.funcByName(w.ix.resolve(m, view)); f != nil {
			w.funcs[f] = mergeRoutes(w.funcs[f], r)
		}
	}
}

// callName is the last part of a call's callee: "path", "include".
func (ix *Index) callName(m *Module, c *python.Call) string {
	if q := ix.resolve(m, c.Func); q != "" {
		return lastSeg(q)
	}
	return lastSeg(exprText(c.Func, 0))
}

// include reads the patterns of include(ARG) under prefix: a module path
// string, a module, a list of patterns, a name bound to one, or a
// (patterns, app_name) tuple.
func (w *routeWalker) include(m *Module, c *python.Call, prefix *Route, depth int) {
	if len(c.Args) == 0 || w.budget <= 0 {
		return
	}
	w.budget--
	arg := c.Args[0]
	if t, ok := arg.(*python.Tuple); ok && len(t.Elts) > 0 {
		arg = t.Elts[0]
	}
	if l, ok := arg.(*python.List); ok {
		w.patterns(m, l, prefix, depth)
		return
	}
	name, ok := constStr(arg)
	if !ok {
		name = w.ix.resolve(m, arg)
	}
	if inc := w.ix.module(name); inc != nil {
		if len(w.stack) >= maxIncludeDepth || slices.Contains(w.stack, inc) {
			return
		}
		w.stack = append(w.stack, inc)
		w.patternsOf(inc, prefix)
		w.stack = w.stack[:len(w.stack)-1]
		return
	}
	// A name bound to a list of patterns in this module.
	if n, ok := arg.(*python.Name); ok {
		for _, st := range m.AST.Body {
			if as, ok := st.(*python.Assign); ok && len(as.Targets) == 1 {
				if t, ok := as.Targets[0].(*python.Name); ok && t.Id == n.Id {
					w.patterns(m, as.Value, prefix, depth)
				}
			}
		}
	}
}

// join returns the route of a pattern included under p.
func (p *Route) join(r *Route) *Route {
	out := &Route{Pattern: p.Pattern + r.Pattern, Path: r.Path, Line: r.Line, Regex: p.Regex || r.Regex,
		Known: p.Known && r.Known, Params: make(map[string]RouteParam, len(p.Params)+len(r.Params))}
	for k, v := range p.Params {
		out.Params[k] = v
	}
	for k, v := range r.Params {
		out.Params[k] = v
	}
	return out
}

// mergeRoutes combines two routes of one view (wired twice, or both on its
// own and under an include): either set of parameters may arrive, so the
// result has both, a parameter being safe only when it is safe in both.
func mergeRoutes(old, r *Route) *Route {
	if old == nil {
		return r
	}
	keep, other := old, r
	if len(r.Params) > len(old.Params) {
		keep, other = r, old
	}
	out := *keep
	out.Known = old.Known && r.Known
	out.Params = make(map[string]RouteParam, len(keep.Params)+len(other.Params))
	for k, v := range keep.Params {
		out.Params[k] = v
	}
	for k, v := range other.Params {
		if cur, ok := out.Params[k]; ok {
			cur.Safe = cur.Safe && v.Safe
			out.Params[k] = cur
		} else {
			out.Params[k] = v
		}
	}
	return &out
}
