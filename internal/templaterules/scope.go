package templaterules

import (
	"strings"

	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/templates"
	"github.com/djangoguard/djangoguard/internal/views"
)

// Where a template variable comes from when no view passes it by that name
// to that file: a {% for %} or {% with %} around it binds it to another
// expression; a template that no view renders itself gets the context of
// the templates that {% include %} it (at the include tag, with its "with"
// bindings) and of the templates that {% extends %} it.

// maxScopeDepth bounds the hops (loop, with, include, extends) followed
// for one variable; maxScopeSites bounds the templates tried at each hop.
// maxScopeSteps bounds the lookups made for one variable, so that
// templates that include each other many times over cannot make the walk
// exponential.
const (
	maxScopeDepth = 8
	maxScopeSites = 32
	maxScopeSteps = 2000
)

// scope resolves template variables against the view join.
type scope struct {
	target *rules.Target
	join   *views.Join
	seen   map[scopeKey]bool
	steps  int // lookups left for the current variable
}

// resolve looks a sink's variable up with a fresh step budget.
func (s *scope) resolve(t *templates.Template, at int, expr string) *views.Var {
	s.steps = maxScopeSteps
	return s.lookup(t, at, expr, 0)
}

type scopeKey struct {
	path string
	at   int
	expr string
}

// lookup returns what the views pass for expr as used at byte offset at of
// t (at < 0: outside every tag of t), or nil when nothing is known. Of
// several ways in, the one carrying the strongest data wins.
func (s *scope) lookup(t *templates.Template, at int, expr string, depth int) *views.Var {
	if depth > maxScopeDepth || expr == "" || s.steps <= 0 {
		return nil
	}
	s.steps--
	k := scopeKey{t.Path, at, expr}
	if s.seen[k] {
		return nil
	}
	s.seen[k] = true
	defer delete(s.seen, k)

	root := rootName(expr)
	if at >= 0 {
		if bound, tag, ok := binding(t, at, root); ok {
			return s.lookup(t, t.Tags[tag].Start, bound, depth+1)
		}
	}
	var best *views.Var
	better := func(v *views.Var) {
		if v != nil && (best == nil || v.Level > best.Level) {
			best = v
		}
	}
	better(s.join.ForFile(t.Path).Lookup(expr))
	if best != nil && best.Level == views.Request {
		return best
	}
	ln := templateLinks(s.target)
	sites := ln.includers[t.Path]
	if len(sites) > maxScopeSites {
		sites = sites[:maxScopeSites]
	}
	for _, site := range sites {
		with, only := includeBindings(site.tag)
		if b, ok := with[root]; ok {
			better(s.lookup(site.from, site.tag.Start, b, depth+1))
			continue
		}
		if !only {
			better(s.lookup(site.from, site.tag.Start, expr, depth+1))
		}
	}
	children := ln.extenders[t.Path]
	if len(children) > maxScopeSites {
		children = children[:maxScopeSites]
	}
	for _, c := range children {
		better(s.lookup(c, -1, expr, depth+1))
	}
	return best
}

// binding finds the innermost {% for %} or {% with %} around offset at that
// binds name, and returns the expression it binds it to and the tag's
// index.
func binding(t *templates.Template, at int, name string) (string, int, bool) {
	for i := len(t.Tags) - 1; i >= 0; i-- {
		tag := &t.Tags[i]
		if tag.Start >= at || tag.Close < 0 || tag.Close >= len(t.Tags) || t.Tags[tag.Close].Start < at {
			continue
		}
		switch tag.Name {
		case "for":
			vars, iter := forParts(tag.Args)
			for _, v := range vars {
				if v == name {
					return iter, i, true
				}
			}
		case "with":
			if b, ok := withBindings(tag.Args)[name]; ok {
				return b, i, true
			}
		}
	}
	return "", 0, false
}

// forParts splits the arguments of {% for a, b in items reversed %}.
func forParts(args []string) (vars []string, iter string) {
	in := -1
	for i, a := range args {
		if a == "in" {
			in = i
			break
		}
	}
	if in <= 0 || in+1 >= len(args) {
		return nil, ""
	}
	for _, v := range strings.Split(strings.Join(args[:in], " "), ",") {
		if v = strings.TrimSpace(v); v != "" {
			vars = append(vars, v)
		}
	}
	return vars, args[in+1]
}

// withBindings reads {% with a=x b=y %} and the old {% with x as a %}.
func withBindings(args []string) map[string]string {
	out := map[string]string{}
	if len(args) == 3 && args[1] == "as" {
		out[args[2]] = args[0]
		return out
	}
	for _, a := range args {
		if k, v, ok := strings.Cut(a, "="); ok && k != "" {
			out[k] = v
		}
	}
	return out
}

// includeBindings reads the "with a=x" and "only" of an include tag.
func includeBindings(tag *templates.Tag) (map[string]string, bool) {
	only := false
	with := map[string]string{}
	for i, a := range tag.Args {
		switch {
		case a == "only":
			only = true
		case a == "with":
			for _, b := range tag.Args[i+1:] {
				if k, v, ok := strings.Cut(b, "="); ok && k != "" {
					with[k] = v
				}
			}
		}
	}
	return with, only
}
