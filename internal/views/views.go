// Package views joins Django views to the templates they render: from
// render(request, "t.html", context), TemplateResponse, render_to_string,
// and the conventions of TemplateView, ListView, DetailView and the editing
// views, it finds the template and, for each context variable, whether it
// carries request data (high), database data (medium) or neither.
//
// The template rules use it to set the confidence of a finding:
// {{ q|safe }} with q from request.GET is high, {{ post.body|safe }} with
// post loaded from the database is medium.
package views

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/djangoguard/djangoguard/internal/python"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/taint"
)

// Level says what a context variable carries.
type Level int

const (
	// Unknown: a constant, a value sanitized for HTML, or nothing known.
	Unknown Level = iota
	// Stored: derived from the database (a model instance, a queryset).
	Stored
	// Request: derived from request data (GET, POST, URL parameters...).
	Request
)

func (l Level) String() string {
	switch l {
	case Stored:
		return "database"
	case Request:
		return "request"
	}
	return "unknown"
}

// Confidence is the confidence a template XSS finding on a variable of
// this level deserves: high for request data, medium for database data,
// low when nothing is known.
func (l Level) Confidence() rules.Confidence {
	switch l {
	case Request:
		return rules.HighConfidence
	case Stored:
		return rules.MediumConfidence
	}
	return rules.LowConfidence
}

// Var is one context variable passed to a template.
type Var struct {
	Name  string
	Level Level
	// Trace runs from the source of the data to the render call, in the
	// same form as a taint finding's trace; empty for Unknown.
	Trace []rules.TraceStep
	// View is the qualified name of the view that passes it.
	View string
}

// Context is what the project's views pass to one template, merged over
// every view that renders it (the strongest level wins).
type Context struct {
	// Names are the template names the views use, e.g. "notes/search.html".
	Names []string
	// Views are the qualified names of the views rendering the template.
	Views []string
	Vars  map[string]*Var
}

// Lookup returns the variable at the root of a template expression
// ("post.body|safe" and "post.body" both look up "post"), or nil. It is
// safe on a nil Context.
func (c *Context) Lookup(expr string) *Var {
	if c == nil {
		return nil
	}
	root := expr
	if i := strings.IndexAny(root, ".|[ "); i >= 0 {
		root = root[:i]
	}
	v := c.Vars[root]
	if root == "request" && v != nil && v.Level == Request {
		// Only some attributes of the request are the client's.
		rest := strings.TrimPrefix(expr, "request")
		attr := strings.TrimPrefix(rest, ".")
		if i := strings.IndexAny(attr, ".|[ "); i >= 0 {
			attr = attr[:i]
		}
		switch attr {
		case "GET", "POST", "COOKIES", "META", "headers", "body", "path", "path_info", "get_full_path", "build_absolute_uri":
			return v
		case "user":
			return &Var{Name: "request.user", Level: Stored, View: v.View}
		}
		return &Var{Name: "request." + attr, Level: Unknown, View: v.View}
	}
	return v
}

// Level returns the level of the variable at the root of expr (Unknown
// when the variable is not passed by any view or the context is nil).
func (c *Context) Level(expr string) Level {
	if v := c.Lookup(expr); v != nil {
		return v.Level
	}
	return Unknown
}

// Join maps the templates of a target to their contexts.
type Join struct {
	byName map[string]*Context // template name -> context
	byFile map[string]*Context // template file path -> context
}

type joinKey struct{}

// Load returns the view-template join of t, computed once per target and
// shared by every caller (it reuses the shared taint analysis).
func Load(ctx context.Context, t *rules.Target) (*Join, error) {
	v, err := t.Memo(joinKey{}, func() (any, error) {
		res, err := taint.Analyze(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("views: %w", err)
		}
		return build(t, res), nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Join), nil
}

// ForFile returns the context of the template file at a target-relative
// path ("notes/templates/notes/search.html"), or nil when no view is known
// to render it.
func (j *Join) ForFile(p string) *Context {
	if j == nil {
		return nil
	}
	return j.byFile[p]
}

// ForName returns the context of a template by the name views use
// ("notes/search.html"), or nil.
func (j *Join) ForName(name string) *Context {
	if j == nil {
		return nil
	}
	return j.byName[name]
}

// Templates returns the template names rendered by some view, sorted.
func (j *Join) Templates() []string {
	out := make([]string, 0, len(j.byName))
	for n := range j.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// TemplateNames returns the names a template file can be loaded by: the
// path below each "templates" directory, and the path itself.
func TemplateNames(p string) []string {
	var out []string
	parts := strings.Split(p, "/")
	for i, s := range parts[:len(parts)-1] {
		if s == "templates" || s == "jinja2" {
			out = append(out, strings.Join(parts[i+1:], "/"))
		}
	}
	return append(out, p)
}

func levelOf(v taint.Value) (Level, []rules.TraceStep) {
	switch {
	case v.FromRequest(taint.XSS):
		return Request, v.Trace(taint.Request, taint.XSS)
	case v.FromDB(taint.XSS):
		return Stored, v.Trace(taint.Stored, taint.XSS)
	case !v.Tainted() && (v.Type() == "model" || v.Type() == "queryset"):
		return Stored, nil
	}
	return Unknown, nil
}

type builder struct {
	res    *taint.Result
	byName map[string]*Context
}

func (b *builder) add(name, view string, vars map[string]*Var) {
	c := b.byName[name]
	if c == nil {
		c = &Context{Names: []string{name}, Vars: map[string]*Var{}}
		b.byName[name] = c
	}
	if !contains(c.Views, view) {
		c.Views = append(c.Views, view)
	}
	for k, v := range vars {
		if old := c.Vars[k]; old == nil || v.Level > old.Level {
			c.Vars[k] = v
		}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func build(t *rules.Target, res *taint.Result) *Join {
	b := &builder{res: res, byName: map[string]*Context{}}
	b.renderCalls()
	b.classViews()
	j := &Join{byName: b.byName, byFile: map[string]*Context{}}
	for _, f := range t.FilesOf(rules.TemplateFile) {
		var merged *Context
		for _, n := range TemplateNames(f.Path) {
			c := b.byName[n]
			if c == nil {
				continue
			}
			if merged == nil {
				merged = &Context{Vars: map[string]*Var{}}
			}
			merged.Names = append(merged.Names, c.Names...)
			for _, v := range c.Views {
				if !contains(merged.Views, v) {
					merged.Views = append(merged.Views, v)
				}
			}
			for k, v := range c.Vars {
				if old := merged.Vars[k]; old == nil || v.Level > old.Level {
					merged.Vars[k] = v
				}
			}
		}
		if merged != nil {
			j.byFile[f.Path] = merged
		}
	}
	return j
}

// implicit are the variables context processors add to every template
// rendered with a request.
func implicit(view string, renderStep rules.TraceStep) map[string]*Var {
	st := renderStep
	st.Message = "source: request (django.template.context_processors.request)"
	ust := renderStep
	ust.Message = "source: user (django.contrib.auth.context_processors.auth), loaded from the database"
	return map[string]*Var{
		"request": {Name: "request", Level: Request, View: view, Trace: []rules.TraceStep{st}},
		"user":    {Name: "user", Level: Stored, View: view, Trace: []rules.TraceStep{ust}},
	}
}

func viewName(f *taint.Func) string {
	if f == nil {
		return ""
	}
	return f.QName
}

// renderCalls: render(request, "t.html", {...}) and friends.
func (b *builder) renderCalls() {
	for _, cs := range b.res.Calls {
		p := taint.RenderContextArg(cs.Callee)
		if p < 0 {
			continue
		}
		nameArg := p - 1
		var names []string
		if nameArg >= 0 && nameArg < len(cs.Call.Args) {
			names = templateNames(cs.Call.Args[nameArg])
		}
		for _, k := range cs.Call.Keywords {
			if k.Arg == "template_name" {
				names = append(names, templateNames(k.Value)...)
			}
		}
		if len(names) == 0 {
			continue
		}
		pos := cs.Call.Span()
		step := rules.TraceStep{Path: cs.Mod.Path, Line: int(pos.Lineno), Column: int(pos.ColOffset) + 1}
		view := viewName(cs.Func)
		vars := map[string]*Var{}
		if cs.Callee == "django.shortcuts.render" || strings.HasSuffix(cs.Callee, "TemplateResponse") {
			vars = implicit(view, step)
		}
		for _, d := range cs.Dicts {
			for k, v := range d {
				lvl, tr := levelOf(v)
				if lvl != Unknown {
					st := step
					st.Message = fmt.Sprintf("passed to the template as %q", k)
					tr = append(tr, st)
				}
				vars[k] = &Var{Name: k, Level: lvl, Trace: tr, View: view}
			}
		}
		for _, n := range names {
			b.add(n, view, vars)
		}
	}
}

func templateNames(e python.Expr) []string { return templateNamesDepth(e, 0) }

func templateNamesDepth(e python.Expr, d int) []string {
	if d > 8 {
		return nil
	}
	switch e := e.(type) {
	case *python.Constant:
		if s, ok := e.Value.(python.Str); ok {
			return []string{string(s)}
		}
	case *python.List:
		var out []string
		for _, x := range e.Elts {
			out = append(out, templateNamesDepth(x, d+1)...)
		}
		return out
	case *python.Tuple:
		var out []string
		for _, x := range e.Elts {
			out = append(out, templateNamesDepth(x, d+1)...)
		}
		return out
	}
	return nil
}

// classViews: TemplateView, ListView, DetailView and the editing views,
// with template_name or Django's default template names.
func (b *builder) classViews() {
	ix := b.res.Index
	for _, m := range ix.Modules {
		for _, cl := range m.Classes {
			kind := ""
			for _, base := range ix.AllBases(cl) {
				if !strings.HasPrefix(base, "django.views.generic") {
					continue
				}
				switch k := base[strings.LastIndexByte(base, '.')+1:]; k {
				case "TemplateView", "ListView", "DetailView", "CreateView", "UpdateView", "DeleteView", "FormView", "ArchiveIndexView":
					kind = k
				}
			}
			if kind == "" {
				continue
			}
			b.classView(m, cl, kind)
		}
	}
}

func (b *builder) classView(m *taint.Module, cl *taint.Class, kind string) {
	ix := b.res.Index
	step := rules.TraceStep{Path: m.Path, Line: int(cl.Def.Lineno), Column: int(cl.Def.ColOffset) + 1}
	vars := implicit(cl.QName, step)
	model, app := b.model(m, cl)
	stored := func(name, why string) {
		st := step
		st.Message = fmt.Sprintf("source: %s, loaded from the database by %s", name, cl.Def.Name)
		vars[name] = &Var{Name: name, Level: Stored, View: cl.QName, Trace: []rules.TraceStep{st}}
		_ = why
	}
	var names []string
	if e := ix.ClassAttr(cl, "template_name"); e != nil {
		names = templateNames(e)
	}
	suffix := ""
	switch kind {
	case "ListView", "ArchiveIndexView":
		stored("object_list", "")
		stored("page_obj", "")
		if model != "" {
			stored(model+"_list", "")
		}
		suffix = "_list"
	case "DetailView":
		stored("object", "")
		if model != "" {
			stored(model, "")
		}
		suffix = "_detail"
	case "UpdateView", "DeleteView":
		stored("object", "")
		if model != "" {
			stored(model, "")
		}
		suffix = "_form"
		if kind == "DeleteView" {
			suffix = "_confirm_delete"
		}
	case "CreateView":
		suffix = "_form"
	}
	if kind == "CreateView" || kind == "UpdateView" || kind == "FormView" {
		st := step
		st.Message = "source: the form, bound to request.POST"
		vars["form"] = &Var{Name: "form", Level: Request, View: cl.QName, Trace: []rules.TraceStep{st}}
	}
	if e := ix.ClassAttr(cl, "context_object_name"); e != nil {
		if n := templateNames(e); len(n) == 1 {
			stored(n[0], "")
		}
	}
	if len(names) == 0 && suffix != "" && model != "" && app != "" {
		names = []string{app + "/" + model + suffix + ".html"}
	}
	// get_context_data: the keys it adds.
	for f, keys := range b.res.ContextKeys {
		if f.Class != cl {
			continue
		}
		for k, v := range keys {
			lvl, tr := levelOf(v)
			if lvl != Unknown {
				p := f.Def.Span()
				tr = append(tr, rules.TraceStep{Path: f.Mod.Path, Line: int(p.Lineno), Column: int(p.ColOffset) + 1, Message: fmt.Sprintf("added to the context as %q by get_context_data()", k)})
			}
			if old := vars[k]; old == nil || lvl > old.Level {
				vars[k] = &Var{Name: k, Level: lvl, Trace: tr, View: cl.QName}
			}
		}
	}
	for _, n := range names {
		b.add(n, cl.QName, vars)
	}
}

// model returns the lower-case model name and app label of a class-based
// view's model (model = X or queryset = X.objects...).
func (b *builder) model(m *taint.Module, cl *taint.Class) (name, app string) {
	ix := b.res.Index
	e := ix.ClassAttr(cl, "model")
	if e == nil {
		if q := ix.ClassAttr(cl, "queryset"); q != nil {
			for {
				switch x := q.(type) {
				case *python.Call:
					q = x.Func
					continue
				case *python.Attribute:
					q = x.Value
					continue
				}
				break
			}
			e = q
		}
	}
	if e == nil {
		return "", ""
	}
	qn := ix.Resolve(m, e)
	if qn == "" {
		return "", ""
	}
	parts := strings.Split(qn, ".")
	name = strings.ToLower(parts[len(parts)-1])
	if c := ix.ClassByName(qn); c != nil {
		// The app label is the package holding the models module.
		dir := path.Dir(c.Mod.Path)
		if path.Base(c.Mod.Path) == "__init__.py" || path.Base(dir) == "models" {
			dir = path.Dir(dir)
		}
		app = path.Base(dir)
	} else if len(parts) >= 3 {
		app = parts[len(parts)-3]
	}
	return name, app
}

// Merge combines the contexts of several templates, for a template that is
// included by or extended from others: every variable any of them passes,
// at the strongest level. Nil contexts are skipped; the result is nil when
// all are nil.
func Merge(cs ...*Context) *Context {
	var out *Context
	for _, c := range cs {
		if c == nil {
			continue
		}
		if out == nil {
			out = &Context{Vars: map[string]*Var{}}
		}
		out.Names = append(out.Names, c.Names...)
		for _, v := range c.Views {
			if !contains(out.Views, v) {
				out.Views = append(out.Views, v)
			}
		}
		for k, v := range c.Vars {
			if old := out.Vars[k]; old == nil || v.Level > old.Level {
				out.Vars[k] = v
			}
		}
	}
	return out
}
