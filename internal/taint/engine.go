package taint

import (
	"fmt"
	"strings"

	"github.com/djangoguard/djangoguard/internal/python"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// maxDepth bounds recursion into nested expressions and statements.
const maxDepth = 200

// maxSinks bounds the parameter-to-sink entries of one summary.
const maxSinks = 16

// Summary is what callers need to know about a project function: which
// parameters flow to its return value (and sanitized for what), what
// source data it returns, and which parameters reach a sink inside it.
type Summary struct {
	Ret   Value
	Sinks []paramSink
}

type paramSink struct {
	param int
	class Kind
	kill  Kind
	tr    *trace // from the parameter to the sink, sink step included
	what  string
}

// identical compares two summaries including their traces, so that a
// caller analysed with one of them would get the same result with the
// other.
func (s *Summary) identical(o *Summary) bool {
	if s == o {
		return true
	}
	if !s.equal(o) {
		return false
	}
	if s == nil || o == nil {
		return true // both empty
	}
	for i := range s.Sinks {
		if !sameTrace(s.Sinks[i].tr, o.Sinks[i].tr) || s.Sinks[i].what != o.Sinks[i].what {
			return false
		}
	}
	for _, l := range s.Ret.labels {
		found := false
		for _, m := range o.Ret.labels {
			if l.origin == m.origin && sameTrace(l.tr, m.tr) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return s.Ret.typ == o.Ret.typ
}

func sameTrace(a, b *trace) bool {
	for a != nil && b != nil {
		if a == b {
			return true
		}
		if a.step != b.step || a.param != b.param || a.fn != b.fn || a.n != b.n {
			return false
		}
		a, b = a.prev, b.prev
	}
	return a == b
}

func (s *Summary) equal(o *Summary) bool {
	// No summary yet behaves like an empty one.
	if s == nil {
		s = &Summary{}
	}
	if o == nil {
		o = &Summary{}
	}
	if !equalLabels(s.Ret, o.Ret) || len(s.Sinks) != len(o.Sinks) {
		return false
	}
	for i := range s.Sinks {
		a, b := s.Sinks[i], o.Sinks[i]
		if a.param != b.param || a.class != b.class || a.kill != b.kill {
			return false
		}
	}
	return true
}

// Flow is a taint finding: data from a source reaches a sink.
type Flow struct {
	Class   Kind
	Origin  Origin // Request or Stored
	Path    string
	Line    int
	Col     int // 1-based
	EndLine int
	EndCol  int
	Sink    string // what the sink is, e.g. "cursor.execute()"
	Func    *Func
	Trace   []rules.TraceStep
}

// Source describes the first step of the flow ("request.GET").
func (f *Flow) Source() string {
	if len(f.Trace) == 0 {
		return ""
	}
	return strings.TrimPrefix(f.Trace[0].Message, "source: ")
}

// CallSite is one call of the project, with the abstract values of its
// receiver and arguments, recorded for the pattern rules.
type CallSite struct {
	Mod    *Module
	Func   *Func // nil at module level
	Call   *python.Call
	Callee string // canonical qualified name, "" when unknown
	Method string // attribute name when the callee is an attribute
	Recv   Value
	Args   []Value
	Kws    map[string]Value
	// Dicts holds, for calls that render templates, the per-key values of
	// dict arguments (by argument position; keyword "context" is -1).
	Dicts map[int]map[string]Value
	// Guarded is true when the call sits inside an `if` whose test reads
	// request.method or calls a permission check.
	InPost bool
}

// CompareSite is an == or != comparison.
type CompareSite struct {
	Mod         *Module
	Func        *Func
	Node        *python.Compare
	Left, Right Value
}

// Funcs state for one analysis of one function body.
type fnState struct {
	a      *analyzer
	f      *Func
	m      *Module
	env    map[string]Value
	ret    Value
	sum    *Summary
	flows  []Flow
	calls  []*CallSite
	cmps   []*CompareSite
	inPost int
	record bool
	keys   []*KeyRead
	// deps are the project functions whose summaries this analysis used.
	deps      map[*Func]*Summary
	panic     string
	guardVars map[string][]guard
	// compound holds the base names that have per-attribute or per-key
	// entries in env ("obj" for "obj.title", "ctx" for "ctx[q]").
	compound map[string]bool
	// argStack holds the argument values of the calls being evaluated.
	argStack []Value
}

func (s *fnState) markCompound(key string) {
	base := key
	if i := strings.IndexAny(base, ".["); i >= 0 {
		base = base[:i]
	}
	if s.compound == nil {
		s.compound = map[string]bool{}
	}
	s.compound[base] = true
}

// KeyRead is a read of a named field of request data, such as
// request.POST["password"] or request.GET.get("q").
type KeyRead struct {
	Mod  *Module
	Func *Func
	Node python.Located
	Key  string
}

type analyzer struct {
	ix     *Index
	routes map[*Func]*Route
	cviews map[*Class]*Route
}

func (s *fnState) pos(n python.Located) rules.TraceStep {
	p := n.Span()
	return rules.TraceStep{Path: s.m.Path, Line: int(p.Lineno), Column: int(p.ColOffset) + 1}
}

func (s *fnState) stepAt(n python.Located, format string, args ...any) rules.TraceStep {
	st := s.pos(n)
	st.Message = fmt.Sprintf(format, args...)
	return st
}

// isRequestParam decides whether a parameter holds the HttpRequest.
func (s *fnState) isRequestParam(a *python.Arg, i int) bool {
	if a.Arg == "request" || a.Arg == "req" {
		return true
	}
	if a.Annotation != nil {
		t := exprText(a.Annotation, 0)
		if strings.HasSuffix(t, "HttpRequest") || strings.HasSuffix(t, "Request") || strings.HasSuffix(t, "WSGIRequest") || strings.HasSuffix(t, "ASGIRequest") {
			return true
		}
	}
	return false
}

func (s *fnState) initParams() {
	d := s.f.Def
	if d == nil || d.Args == nil {
		return
	}
	route := s.a.routes[s.f]
	if route == nil && s.f.Class != nil && isHandlerMethod(s.f.Def.Name) {
		route = s.a.cviews[s.f.Class]
	}
	all := append(append([]*python.Arg{}, d.Args.PosOnlyArgs...), d.Args.Args...)
	for i, a := range all {
		switch {
		case s.f.Class != nil && (d.Name == "form_valid" || d.Name == "form_invalid") && a.Arg == "form" && i > 0:
			// Generic editing views call form_valid with the form bound to
			// request.POST.
			st := s.stepAt(a, "source: form bound to request.POST (%s.%s)", s.f.Class.Def.Name, d.Name)
			v := Value{labels: []label{{origin: Request, tr: (*trace)(nil).push(st)}}}
			if fc := s.a.ix.classAttrClass(s.f.Class, "form_class"); fc != nil {
				v.typ = "form:" + fc.QName
			}
			s.env[a.Arg] = v
		case i == 0 && s.f.Class != nil && (a.Arg == "self" || a.Arg == "cls"):
			s.env[a.Arg] = Value{typ: "self"}
		case s.isRequestParam(a, i) || (route != nil && i == firstParam(s.f)):
			s.env[a.Arg] = Value{typ: "request"}
		case route != nil:
			if p, ok := route.Params[a.Arg]; ok && p.Safe {
				s.env[a.Arg] = Value{}
				continue
			}
			if _, ok := route.Params[a.Arg]; ok || !route.Known {
				st := s.stepAt(a, "source: URL parameter %s (%s)", a.Arg, route.describe())
				s.env[a.Arg] = Value{labels: []label{{origin: Request, tr: (*trace)(nil).push(st)}}}
				continue
			}
			fallthrough
		default:
			if i < 63 {
				s.env[a.Arg] = s.paramValue(i, a)
			}
		}
	}
	for _, a := range d.Args.KwOnlyArgs {
		s.env[a.Arg] = Value{}
	}
	if d.Args.Kwarg != nil {
		v := Value{}
		if route != nil {
			st := s.stepAt(d.Args.Kwarg, "source: URL parameters **%s (%s)", d.Args.Kwarg.Arg, route.describe())
			v = Value{labels: []label{{origin: Request, tr: (*trace)(nil).push(st)}}}
		}
		s.env[d.Args.Kwarg.Arg] = v
	}
	if d.Args.Vararg != nil {
		v := Value{}
		if route != nil {
			st := s.stepAt(d.Args.Vararg, "source: URL parameters *%s (%s)", d.Args.Vararg.Arg, route.describe())
			v = Value{labels: []label{{origin: Request, tr: (*trace)(nil).push(st)}}}
		}
		s.env[d.Args.Vararg.Arg] = v
	}
}

// paramValue returns the (cached, immutable) initial value of parameter i:
// a label of origin i whose trace starts at the parameter.
func (s *fnState) paramValue(i int, a *python.Arg) Value {
	f := s.f
	mk := func() Value {
		tr := &trace{step: s.pos(a), n: 1, param: a.Arg, fn: f.Name}
		return Value{labels: []label{{origin: Origin(i), tr: tr}}}
	}
	if i >= len(f.Params) {
		return mk()
	}
	if f.paramVals == nil {
		f.paramVals = make([]Value, len(f.Params))
	}
	if f.paramVals[i].labels == nil {
		f.paramVals[i] = mk()
	}
	return f.paramVals[i]
}

func firstParam(f *Func) int {
	if f.Class != nil {
		return 1
	}
	return 0
}

func isHandlerMethod(n string) bool {
	switch n {
	case "get", "post", "put", "patch", "delete", "head", "options", "dispatch":
		return true
	}
	return false
}

// ---- statements ----

// block analyses statements and reports whether control can fall through.
func (s *fnState) block(body []python.Stmt, depth int) bool {
	for _, st := range body {
		if !s.stmt(st, depth+1) {
			return false
		}
	}
	return true
}

func copyEnv(e map[string]Value) map[string]Value {
	out := make(map[string]Value, len(e))
	for k, v := range e {
		out[k] = v
	}
	return out
}

func mergeEnv(a, b map[string]Value) map[string]Value {
	for k, v := range b {
		if av, ok := a[k]; ok {
			a[k] = join(av, v)
		} else {
			a[k] = v
		}
	}
	return a
}

func (s *fnState) stmt(st python.Stmt, depth int) bool {
	if depth > maxDepth {
		return true
	}
	switch st := st.(type) {
	case *python.ExprStmt:
		s.eval(st.Value, depth)
	case *python.Assign:
		v := s.eval(st.Value, depth)
		if len(st.Targets) == 1 {
			if n, ok := st.Targets[0].(*python.Name); ok {
				// Remember validation results kept in a variable.
				if pos, _ := s.guards(st.Value, depth); len(pos) > 0 {
					if s.guardVars == nil {
						s.guardVars = map[string][]guard{}
					}
					s.guardVars[n.Id] = pos
				} else if s.guardVars != nil {
					delete(s.guardVars, n.Id)
				}
			}
		}
		for _, t := range st.Targets {
			tv := v
			if n, ok := t.(*python.Name); ok && v.tainted() {
				tv = v.step(s.stepAt(t, "assigned to %s", n.Id))
			}
			s.assign(t, tv, st.Value, depth)
		}
		if len(st.Targets) == 1 {
			if d, ok := st.Value.(*python.Dict); ok {
				if n, ok := st.Targets[0].(*python.Name); ok {
					s.dictKeys(n.Id, d, depth)
				}
			}
		}
	case *python.AugAssign:
		v := s.eval(st.Value, depth)
		old := s.eval(st.Target, depth)
		s.assign(st.Target, join(old, v).taintOnly(), nil, depth)
	case *python.AnnAssign:
		if st.Value != nil {
			s.assign(st.Target, s.eval(st.Value, depth), st.Value, depth)
		}
	case *python.Return:
		if st.Value != nil {
			v := s.eval(st.Value, depth)
			if v.tainted() {
				v = v.step(s.stepAt(st, "returned from %s()", s.f.Name))
			}
			s.ret = join(s.ret, v)
		}
		return false
	case *python.Raise:
		if st.Exc != nil {
			s.eval(st.Exc, depth)
		}
		return false
	case *python.Continue, *python.Break:
		return false
	case *python.If:
		return s.ifStmt(st.Test, st.Body, st.Orelse, depth)
	case *python.For:
		it := s.eval(st.Iter, depth)
		elem := it.taintOnly()
		if it.typ == "queryset" {
			elem.typ = "model"
		}
		before := copyEnv(s.env)
		for i := 0; i < 2; i++ {
			s.assign(st.Target, elem, nil, depth)
			s.block(st.Body, depth)
		}
		s.env = mergeEnv(s.env, before)
		s.block(st.Orelse, depth)
	case *python.AsyncFor:
		return s.stmt(&python.For{Pos: st.Pos, Target: st.Target, Iter: st.Iter, Body: st.Body, Orelse: st.Orelse}, depth)
	case *python.While:
		before := copyEnv(s.env)
		for i := 0; i < 2; i++ {
			s.eval(st.Test, depth)
			s.block(st.Body, depth)
		}
		s.env = mergeEnv(s.env, before)
		s.block(st.Orelse, depth)
	case *python.With:
		for _, it := range st.Items {
			v := s.eval(it.ContextExpr, depth)
			if it.OptionalVars != nil {
				s.assign(it.OptionalVars, v, it.ContextExpr, depth)
			}
		}
		return s.block(st.Body, depth)
	case *python.AsyncWith:
		return s.stmt(&python.With{Pos: st.Pos, Items: st.Items, Body: st.Body}, depth)
	case *python.Try:
		return s.try(st.Body, st.Handlers, st.Orelse, st.Finalbody, depth)
	case *python.TryStar:
		return s.try(st.Body, st.Handlers, st.Orelse, st.Finalbody, depth)
	case *python.Match:
		subj := s.eval(st.Subject, depth)
		_ = subj
		before := copyEnv(s.env)
		var out map[string]Value
		falls := false
		for _, c := range st.Cases {
			s.env = copyEnv(before)
			if c.Guard != nil {
				s.eval(c.Guard, depth)
			}
			if s.block(c.Body, depth) {
				falls = true
				if out == nil {
					out = s.env
				} else {
					out = mergeEnv(out, s.env)
				}
			}
		}
		if out == nil {
			out = before
		} else {
			out = mergeEnv(out, before)
		}
		s.env = out
		return falls || len(st.Cases) == 0 || true
	case *python.Assert:
		s.eval(st.Test, depth)
		pos, _ := s.guards(st.Test, depth)
		s.applyGuards(pos)
	case *python.Delete:
		for _, t := range st.Targets {
			if n, ok := t.(*python.Name); ok {
				delete(s.env, n.Id)
			}
		}
	}
	return true
}

func (s *fnState) try(body []python.Stmt, handlers []*python.ExceptHandler, orelse, final []python.Stmt, depth int) bool {
	before := copyEnv(s.env)
	falls := s.block(body, depth)
	if falls {
		falls = s.block(orelse, depth)
	}
	after := s.env
	if !falls {
		after = nil
	}
	for _, h := range handlers {
		s.env = mergeEnv(copyEnv(before), s.env)
		if h.Name != "" {
			s.env[h.Name] = Value{}
		}
		if s.block(h.Body, depth) {
			falls = true
			if after == nil {
				after = s.env
			} else {
				after = mergeEnv(after, s.env)
			}
		}
	}
	if after == nil {
		after = before
	}
	s.env = after
	if len(final) > 0 {
		if !s.block(final, depth) {
			return false
		}
	}
	return falls
}

func (s *fnState) ifStmt(test python.Expr, body, orelse []python.Stmt, depth int) bool {
	s.eval(test, depth)
	pos, neg := s.guards(test, depth)
	post := readsPost(test)
	before := copyEnv(s.env)
	s.applyGuards(pos)
	if post {
		s.inPost++
	}
	bodyFalls := s.block(body, depth)
	if post {
		s.inPost--
	}
	bodyEnv := s.env
	s.env = before
	s.applyGuards(neg)
	elseFalls := s.block(orelse, depth)
	switch {
	case bodyFalls && elseFalls:
		s.env = mergeEnv(s.env, bodyEnv)
	case bodyFalls:
		s.env = bodyEnv
	case elseFalls:
		// s.env is the else branch
	default:
		return false
	}
	return true
}

// readsPost reports whether an if-test checks request.method for a
// state-changing method.
func readsPost(test python.Expr) bool {
	found := false
	var walk func(e python.Expr, d int)
	walk = func(e python.Expr, d int) {
		if d > 20 || found {
			return
		}
		switch e := e.(type) {
		case *python.Compare:
			if a, ok := e.Left.(*python.Attribute); ok && a.Attr == "method" {
				for _, c := range e.Comparators {
					if v, ok := constStr(c); ok && v != "GET" && v != "HEAD" && v != "OPTIONS" {
						found = true
					}
				}
			}
		case *python.BoolOp:
			for _, v := range e.Values {
				walk(v, d+1)
			}
		}
	}
	walk(test, 0)
	return found
}

type guard struct {
	key   string
	class Kind
}

// guards returns the sanitizations that hold when test is true (pos) and
// when it is false (neg).
func (s *fnState) guards(test python.Expr, depth int) (pos, neg []guard) {
	if depth > maxDepth {
		return nil, nil
	}
	switch t := test.(type) {
	case *python.UnaryOp:
		if t.Op == python.Not {
			p, n := s.guards(t.Operand, depth+1)
			return n, p
		}
	case *python.BoolOp:
		if t.Op == python.And {
			for _, v := range t.Values {
				p, _ := s.guards(v, depth+1)
				pos = append(pos, p...)
			}
			return pos, nil
		}
		for _, v := range t.Values {
			_, n := s.guards(v, depth+1)
			neg = append(neg, n...)
		}
		return nil, neg
	case *python.Name:
		// ok = url_has_allowed_host_and_scheme(url); if ok: ...
		if gs, ok := s.guardVars[t.Id]; ok {
			return gs, nil
		}
	case *python.Compare:
		if len(t.Ops) == 1 && (t.Ops[0] == python.In || t.Ops[0] == python.NotIn) {
			if key := envKey(t.Left); key != "" && s.isConstCollection(t.Comparators[0]) {
				g := []guard{{key, All}}
				if t.Ops[0] == python.In {
					return g, nil
				}
				return nil, g
			}
		}
		if len(t.Ops) == 1 && (t.Ops[0] == python.Eq || t.Ops[0] == python.NotEq) {
			if _, ok := t.Comparators[0].(*python.Constant); ok {
				if key := envKey(t.Left); key != "" {
					g := []guard{{key, All}}
					if t.Ops[0] == python.Eq {
						return g, nil
					}
					return nil, g
				}
			}
		}
	case *python.Call:
		q := s.resolveCallee(t.Func)
		switch {
		case strings.HasSuffix(q, "url_has_allowed_host_and_scheme") || strings.HasSuffix(q, "is_safe_url"):
			arg, ok := kwArg(t, "url")
			if !ok && len(t.Args) > 0 {
				arg, ok = t.Args[0], true
			}
			if ok {
				if key := envKey(arg); key != "" {
					return []guard{{key, Redirect}}, nil
				}
			}
		case q == "re.fullmatch" || q == "re.match":
			if len(t.Args) > 1 {
				if p, ok := constStr(t.Args[0]); ok && restrictivePattern(p, q == "re.fullmatch") {
					if key := envKey(t.Args[1]); key != "" {
						return []guard{{key, All &^ Size}}, nil
					}
				}
			}
		}
		if a, ok := t.Func.(*python.Attribute); ok {
			switch a.Attr {
			case "isdigit", "isdecimal", "isnumeric", "isalnum", "isidentifier", "isalpha":
				if key := envKey(a.Value); key != "" {
					return []guard{{key, All &^ Size}}, nil
				}
			}
		}
	}
	return nil, nil
}

// restrictivePattern: an anchored regular expression over a character class
// without quotes, slashes, dots, angle brackets or whitespace.
func restrictivePattern(p string, full bool) bool {
	if !full && !strings.HasSuffix(p, "$") && !strings.HasSuffix(p, `\Z`) {
		return false
	}
	return safeRegex(p)
}

func (s *fnState) applyGuards(gs []guard) {
	for _, g := range gs {
		if v, ok := s.env[g.key]; ok {
			s.env[g.key] = v.sanitize(g.class)
		}
	}
}

// envKey names a variable or a one-level attribute for the environment.
func envKey(e python.Expr) string {
	switch e := e.(type) {
	case *python.Name:
		return e.Id
	case *python.Attribute:
		if n, ok := e.Value.(*python.Name); ok {
			return n.Id + "." + e.Attr
		}
	}
	return ""
}

func (s *fnState) isConstCollection(e python.Expr) bool { return s.isConstCollectionDepth(e, 0) }

func (s *fnState) isConstCollectionDepth(e python.Expr, d int) bool {
	if d > 16 {
		return false
	}
	switch e := e.(type) {
	case *python.Set, *python.List, *python.Tuple, *python.Dict:
		return allConst(e, 0)
	case *python.Name:
		if _, local := s.env[e.Id]; local {
			return false
		}
		if c := s.m.consts[e.Id]; c != nil && !s.m.rebound[e.Id] {
			return allConst(c, 0)
		}
		// An imported constant collection of another project module.
		if q := s.a.ix.resolve(s.m, e); q != "" {
			if i := strings.LastIndexByte(q, '.'); i > 0 {
				if m := s.a.ix.module(q[:i]); m != nil {
					if c := m.consts[q[i+1:]]; c != nil {
						return allConst(c, 0)
					}
				}
			}
		}
	case *python.Attribute:
		// Model choices and class-level constants: Model.CHOICES
		return strings.ToUpper(e.Attr) == e.Attr
	case *python.Call:
		if n, ok := e.Func.(*python.Name); ok && (n.Id == "frozenset" || n.Id == "set" || n.Id == "tuple" || n.Id == "dict") {
			if len(e.Args) == 1 {
				return s.isConstCollectionDepth(e.Args[0], d+1)
			}
		}
		if a, ok := e.Func.(*python.Attribute); ok && (a.Attr == "keys" || a.Attr == "values") {
			return s.isConstCollectionDepth(a.Value, d+1)
		}
	}
	return false
}

func allConst(e python.Expr, d int) bool {
	if d > 8 {
		return false
	}
	switch e := e.(type) {
	case *python.Constant:
		return true
	case *python.Set:
		return allConstList(e.Elts, d)
	case *python.List:
		return allConstList(e.Elts, d)
	case *python.Tuple:
		return allConstList(e.Elts, d)
	case *python.Dict:
		for _, k := range e.Keys {
			if k == nil || !allConst(k, d+1) {
				return false
			}
		}
		return true
	case *python.Call:
		if len(e.Args) == 1 {
			return allConst(e.Args[0], d+1)
		}
	}
	return false
}

func allConstList(es []python.Expr, d int) bool {
	for _, x := range es {
		if !allConst(x, d+1) {
			return false
		}
	}
	return true
}

// isConstDict: a literal dict (or a module constant bound to one) whose
// values are constants — lookups in it return constants.
func (s *fnState) isConstDict(e python.Expr) bool {
	var d *python.Dict
	switch e := e.(type) {
	case *python.Dict:
		d = e
	case *python.Name:
		if _, local := s.env[e.Id]; local {
			return false
		}
		if c, ok := s.m.consts[e.Id].(*python.Dict); ok && !s.m.rebound[e.Id] {
			d = c
		}
	}
	if d == nil {
		return false
	}
	for _, v := range d.Values {
		if !allConst(v, 0) {
			return false
		}
	}
	return true
}

func (s *fnState) assign(t python.Expr, v Value, src python.Expr, depth int) {
	if depth > maxDepth {
		return
	}
	depth++
	switch t := t.(type) {
	case *python.Name:
		s.env[t.Id] = v
		// Drop stale per-key and per-attribute entries of the old value.
		if s.compound[t.Id] {
			for k := range s.env {
				if len(k) > len(t.Id) && strings.HasPrefix(k, t.Id) && (k[len(t.Id)] == '.' || k[len(t.Id)] == '[') {
					delete(s.env, k)
				}
			}
			delete(s.compound, t.Id)
		}
	case *python.Attribute:
		if key := envKey(t); key != "" {
			s.env[key] = v
			s.markCompound(key)
		}
	case *python.Subscript:
		base := envKey(t.Value)
		if base == "" {
			s.eval(t.Value, depth)
			return
		}
		bv := s.env[base]
		if bv.typ == "response" {
			if k, ok := constStr(t.Slice); ok {
				s.checkSink(t, Header, v, fmt.Sprintf("response[%s]", python.ReprStr(k)), depth)
			}
		}
		if k, ok := constStr(t.Slice); ok {
			s.env[base+"["+k+"]"] = v
			s.markCompound(base)
		}
		nv := join(bv, v.taintOnly())
		nv.typ = bv.typ
		s.env[base] = nv
	case *python.Tuple:
		for _, e := range t.Elts {
			s.assign(e, v.taintOnly(), nil, depth)
		}
	case *python.List:
		for _, e := range t.Elts {
			s.assign(e, v.taintOnly(), nil, depth)
		}
	case *python.Starred:
		s.assign(t.Value, v.taintOnly(), nil, depth)
	}
}

// dictKeys records the per-key values of a dict literal bound to a name.
func (s *fnState) dictKeys(name string, d *python.Dict, depth int) {
	for i, k := range d.Keys {
		if ks, ok := constStr(k); ok {
			s.env[name+"["+ks+"]"] = s.eval(d.Values[i], depth)
			s.markCompound(name)
		}
	}
}

// ---- expressions ----

func (s *fnState) eval(e python.Expr, depth int) Value {
	if e == nil || depth > maxDepth {
		return Value{}
	}
	depth++
	switch e := e.(type) {
	case *python.Constant:
		return Value{}
	case *python.Name:
		if v, ok := s.env[e.Id]; ok {
			return v
		}
		return Value{}
	case *python.Attribute:
		return s.attr(e, depth)
	case *python.Subscript:
		return s.subscript(e, depth)
	case *python.Call:
		return s.call(e, depth)
	case *python.BinOp:
		if e.Op == python.Mod {
			if f, ok := constStr(e.Left); ok {
				return s.formatValue(f, e.Right, depth)
			}
		}
		l := s.eval(e.Left, depth)
		r := s.eval(e.Right, depth)
		if e.Op == python.Add || e.Op == python.Mod {
			if s.fixedPrefix(e.Left, depth) {
				return join(l, r).taintOnly().sanitize(Redirect | SSRF)
			}
			if e.Op == python.Add && containsQueryMark(e.Left, 0) {
				if _, bad := l.has(Request, Redirect); !bad {
					// Appended after "?" or "#": cannot change where a
					// redirect goes.
					return join(l, r.sanitize(Redirect)).taintOnly()
				}
			}
		}
		if e.Op == python.Mult {
			// "x" * n: the size of the result is the user's.
			v := join(l, r).taintOnly()
			if len(v.labels) > 0 {
				s.checkSink(e, Size, r.taintOnly(), "string repetition", depth)
			}
			return v
		}
		return join(l, r).taintOnly()
	case *python.JoinedStr:
		var v Value
		query := false
		for i, x := range e.Values {
			xv := s.eval(x, depth)
			if query {
				xv = xv.sanitize(Redirect)
			}
			v = join(v, xv)
			if c, ok := constStr(x); ok && strings.ContainsAny(c, "?#") {
				if _, bad := v.has(Request, Redirect); !bad || i == 0 {
					query = true
				}
			}
		}
		if len(e.Values) > 0 && s.fixedPrefix(e.Values[0], depth) {
			return v.taintOnly().sanitize(Redirect | SSRF)
		}
		return v.taintOnly()
	case *python.FormattedValue:
		if e.FormatSpec != nil {
			s.eval(e.FormatSpec, depth)
		}
		return s.eval(e.Value, depth)
	case *python.BoolOp:
		var v Value
		for _, x := range e.Values {
			v = join(v, s.eval(x, depth))
		}
		return v
	case *python.UnaryOp:
		s.eval(e.Operand, depth)
		if e.Op == python.Not {
			return Value{}
		}
		return s.eval(e.Operand, depth).taintOnly()
	case *python.Compare:
		l := s.eval(e.Left, depth)
		for _, c := range e.Comparators {
			r := s.eval(c, depth)
			if s.record && len(e.Ops) == 1 && (e.Ops[0] == python.Eq || e.Ops[0] == python.NotEq) {
				s.cmps = append(s.cmps, &CompareSite{Mod: s.m, Func: s.f, Node: e, Left: l, Right: r})
			}
		}
		return Value{}
	case *python.IfExp:
		s.eval(e.Test, depth)
		pos, neg := s.guards(e.Test, depth)
		if len(pos) == 0 && len(neg) == 0 {
			return join(s.eval(e.Body, depth), s.eval(e.Orelse, depth))
		}
		saved := copyEnv(s.env)
		s.applyGuards(pos)
		body := s.eval(e.Body, depth)
		s.env = copyEnv(saved)
		s.applyGuards(neg)
		orelse := s.eval(e.Orelse, depth)
		s.env = saved
		return join(body, orelse)
	case *python.NamedExpr:
		v := s.eval(e.Value, depth)
		s.assign(e.Target, v, e.Value, depth)
		return v
	case *python.Lambda:
		return Value{}
	case *python.Dict:
		var v Value
		for i, x := range e.Values {
			if e.Keys[i] != nil {
				v = join(v, s.eval(e.Keys[i], depth))
			}
			v = join(v, s.eval(x, depth))
		}
		return v.taintOnly()
	case *python.List:
		v := s.evalAll(e.Elts, depth)
		v.typ = "list"
		return v
	case *python.Tuple:
		v := s.evalAll(e.Elts, depth)
		v.typ = "list"
		return v
	case *python.Set:
		return s.evalAll(e.Elts, depth)
	case *python.Starred:
		return s.eval(e.Value, depth)
	case *python.ListComp:
		return s.comp(e.Generators, depth, e.Elt)
	case *python.SetComp:
		return s.comp(e.Generators, depth, e.Elt)
	case *python.GeneratorExp:
		return s.comp(e.Generators, depth, e.Elt)
	case *python.DictComp:
		return s.comp(e.Generators, depth, e.Key, e.Value)
	case *python.Await:
		return s.eval(e.Value, depth)
	case *python.Yield:
		if e.Value != nil {
			s.ret = join(s.ret, s.eval(e.Value, depth))
		}
		return Value{}
	case *python.YieldFrom:
		s.ret = join(s.ret, s.eval(e.Value, depth))
		return Value{}
	case *python.Slice:
		s.eval(e.Lower, depth)
		s.eval(e.Upper, depth)
		s.eval(e.Step, depth)
		return Value{}
	}
	return Value{}
}

func (s *fnState) evalAll(es []python.Expr, depth int) Value {
	var v Value
	for _, x := range es {
		v = join(v, s.eval(x, depth))
	}
	return v.taintOnly()
}

func (s *fnState) comp(gens []*python.Comprehension, depth int, elts ...python.Expr) Value {
	saved := map[string]*Value{}
	for _, g := range gens {
		it := s.eval(g.Iter, depth)
		bindNames(g.Target, func(n string) {
			if _, ok := saved[n]; !ok {
				if old, ok := s.env[n]; ok {
					o := old
					saved[n] = &o
				} else {
					saved[n] = nil
				}
			}
		})
		elem := it.taintOnly()
		if it.typ == "queryset" {
			elem.typ = "model"
		}
		s.assign(g.Target, elem, nil, depth)
		for _, c := range g.Ifs {
			s.eval(c, depth)
			pos, _ := s.guards(c, depth)
			s.applyGuards(pos)
		}
	}
	var v Value
	for _, e := range elts {
		v = join(v, s.eval(e, depth))
	}
	for n, old := range saved {
		if old == nil {
			delete(s.env, n)
		} else {
			s.env[n] = *old
		}
	}
	return v.taintOnly()
}

func bindNames(t python.Expr, f func(string)) { bindNamesDepth(t, f, 0) }

func bindNamesDepth(t python.Expr, f func(string), d int) {
	if d > maxDepth {
		return
	}
	switch t := t.(type) {
	case *python.Name:
		f(t.Id)
	case *python.Tuple:
		for _, e := range t.Elts {
			bindNamesDepth(e, f, d+1)
		}
	case *python.List:
		for _, e := range t.Elts {
			bindNamesDepth(e, f, d+1)
		}
	case *python.Starred:
		bindNamesDepth(t.Value, f, d+1)
	}
}

func (s *fnState) attr(e *python.Attribute, depth int) Value {
	if key := envKey(e); key != "" {
		if v, ok := s.env[key]; ok {
			return v
		}
	}
	base := s.eval(e.Value, depth)
	switch base.typ {
	case "request":
		if requestSourceAttrs[e.Attr] {
			st := s.stepAt(e, "source: %s", exprText(e, 0))
			typ := ""
			if e.Attr == "FILES" {
				typ = "upload"
			}
			l := label{origin: Request, tr: (*trace)(nil).push(st)}
			if e.Attr == "path" || e.Attr == "path_info" {
				// The path of this very request: redirecting to it stays on
				// the site.
				l.kill = Redirect
			}
			return Value{labels: []label{l}, typ: typ}
		}
		if e.Attr == "user" {
			return Value{typ: "user"}
		}
		return Value{}
	case "self":
		switch e.Attr {
		case "request":
			return Value{typ: "request"}
		case "kwargs", "args":
			st := s.stepAt(e, "source: URL parameters self.%s", e.Attr)
			return Value{labels: []label{{origin: Request, tr: (*trace)(nil).push(st)}}}
		case "object":
			if s.f.Class != nil {
				st := s.stepAt(e, "source: self.object, loaded from the database")
				return Value{labels: []label{{origin: Stored, tr: (*trace)(nil).push(st)}}, typ: "model"}
			}
		}
		return Value{}
	case "form:":
		return Value{}
	}
	if strings.HasPrefix(base.typ, "form:") && e.Attr == "cleaned_data" {
		return Value{labels: base.labels, typ: "cleaned:" + strings.TrimPrefix(base.typ, "form:")}
	}
	if base.typ == "model" || base.typ == "queryset" {
		switch e.Attr {
		case "pk", "id":
			return Value{}
		}
	}
	if len(base.labels) == 0 {
		return Value{}
	}
	v := base.taintOnly()
	if base.typ == "model" {
		v.typ = "model"
	}
	return v
}

func (s *fnState) subscript(e *python.Subscript, depth int) Value {
	if base := envKey(e.Value); base != "" {
		if k, ok := constStr(e.Slice); ok {
			if v, ok := s.env[base+"["+k+"]"]; ok {
				return v
			}
		}
	}
	key := s.eval(e.Slice, depth)
	if c, ok := e.Value.(*python.Call); ok && len(c.Args) == 0 && key.tainted() {
		// globals()[name]: a dispatch table of every module-level name,
		// so the client picks which function or class runs.
		switch callee := s.resolveCallee(c.Func); callee {
		case "builtins.globals", "builtins.locals", "builtins.vars":
			s.checkSink(e, Code, key, strings.TrimPrefix(callee, "builtins.")+"()[...] dispatch", depth)
		}
	}
	if s.record && isRequestData(e.Value) {
		if k, ok := constStr(e.Slice); ok {
			s.keys = append(s.keys, &KeyRead{Mod: s.m, Func: s.f, Node: e, Key: k})
		}
	}
	if s.isConstDict(e.Value) {
		return Value{}
	}
	b := s.eval(e.Value, depth)
	if strings.HasPrefix(b.typ, "cleaned:") {
		if k, ok := constStr(e.Slice); ok {
			return s.cleanedField(b, strings.TrimPrefix(b.typ, "cleaned:"), k)
		}
	}
	if sl, ok := e.Slice.(*python.Slice); ok && sl.Upper != nil {
		// qs[:n] with n from the request: an unbounded page size.
		if up := s.eval(sl.Upper, depth); up.tainted() && (b.typ == "queryset") {
			s.checkSink(e, Size, up, "queryset slice", depth)
		}
	}
	_ = key
	v := b.taintOnly()
	if b.typ == "queryset" {
		v.typ = "model"
	}
	if b.typ == "upload" {
		v.typ = "upload"
	}
	return v
}

// cleanedField: form.cleaned_data["f"] is clean when the form's field f is
// a typed field.
func (s *fnState) cleanedField(form Value, cls, field string) Value {
	c := s.a.ix.classByName(cls)
	if c == nil {
		return form.taintOnly()
	}
	fe, _ := s.a.ix.classAttr(c, field, 0)
	call, ok := fe.(*python.Call)
	if !ok {
		// A ModelForm field taken from the model: the model field's type.
		call = s.modelField(c, field)
		if call == nil {
			return form.taintOnly()
		}
	}
	t := exprText(call.Func, 0)
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		t = t[i+1:]
	}
	switch t {
	case "IntegerField", "FloatField", "DecimalField", "BigIntegerField", "PositiveIntegerField",
		"PositiveSmallIntegerField", "SmallIntegerField", "DurationField":
		return form.taintOnly().sanitize(All &^ Size) // a number, but any number
	case "BooleanField", "NullBooleanField", "DateField", "DateTimeField", "TimeField", "UUIDField",
		"ModelChoiceField", "ModelMultipleChoiceField", "TypedChoiceField", "ChoiceField",
		"MultipleChoiceField", "SlugField", "ForeignKey", "OneToOneField", "ManyToManyField":
		return Value{}
	case "URLField":
		return form.taintOnly().sanitize(All &^ (Redirect | SSRF | XSS))
	case "CharField", "TextField":
		// A CharField with choices is validated against them.
		for _, k := range call.Keywords {
			if k.Arg == "choices" {
				return Value{}
			}
		}
	}
	return form.taintOnly()
}

// modelField finds the model field behind a ModelForm field: Meta.model's
// class attribute of that name.
func (s *fnState) modelField(form *Class, field string) *python.Call {
	for c, d := form, 0; c != nil && d < 8; d++ {
		if c.Meta != nil {
			for _, st := range c.Meta.Body {
				a, ok := st.(*python.Assign)
				if !ok || len(a.Targets) != 1 {
					continue
				}
				if n, ok := a.Targets[0].(*python.Name); ok && n.Id == "model" {
					mc := s.a.ix.classByName(s.a.ix.resolve(c.Mod, a.Value))
					if mc == nil {
						return nil
					}
					fe, _ := s.a.ix.classAttr(mc, field, 0)
					call, _ := fe.(*python.Call)
					return call
				}
			}
		}
		var next *Class
		for _, b := range c.Bases {
			if bc := s.a.ix.classByName(b); bc != nil {
				next = bc
				break
			}
		}
		c = next
	}
	return nil
}

// isRequestData: request.POST, request.GET, request.data... (by name).
func isRequestData(e python.Expr) bool {
	a, ok := e.(*python.Attribute)
	if !ok || !requestSourceAttrs[a.Attr] {
		return false
	}
	t := exprText(a.Value, 0)
	return t == "request" || t == "req" || t == "self.request"
}

// fixedPrefix: the expression starts a URL whose scheme and host are fixed —
// a path ("/x", not "//x"), "https://host/...", or reverse(...) — so what
// is appended cannot change where a redirect or request goes.
func (s *fnState) fixedPrefix(e python.Expr, depth int) bool {
	if depth > maxDepth {
		return false
	}
	switch e := e.(type) {
	case *python.Constant:
		p, ok := constStr(e)
		if !ok {
			return false
		}
		if strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "/\\") {
			return true
		}
		for _, scheme := range []string{"https://", "http://"} {
			if rest, ok := strings.CutPrefix(p, scheme); ok {
				return strings.ContainsAny(rest, "/?#")
			}
		}
	case *python.BinOp:
		return e.Op == python.Add && s.fixedPrefix(e.Left, depth+1)
	case *python.Call:
		q := s.resolveCallee(e.Func)
		return q == "django.urls.reverse" || q == "django.shortcuts.resolve_url" && false
	}
	return false
}

// formatValue evaluates fmt % args, knowing which arguments land after a
// "?" or "#" of the format (the query or fragment: they cannot change where
// a redirect goes) and whether the format starts with a fixed site path.
func (s *fnState) formatValue(format string, args python.Expr, depth int) Value {
	var parts []python.Expr
	if t, ok := args.(*python.Tuple); ok {
		parts = t.Elts
	} else {
		parts = []python.Expr{args}
	}
	// Index of the first argument placed after the query mark.
	cut := len(parts)
	if q := strings.IndexAny(format, "?#"); q >= 0 {
		cut = countPlaceholders(format[:q])
	}
	fixed := s.fixedPrefix(&python.Constant{Value: python.Str(format)}, depth)
	var v Value
	for i, p := range parts {
		pv := s.eval(p, depth).taintOnly()
		if i >= cut || fixed {
			pv = pv.sanitize(Redirect)
		}
		v = join(v, pv)
	}
	if fixed {
		v = v.sanitize(SSRF)
	}
	return v
}

func countPlaceholders(f string) int {
	n := 0
	for i := 0; i < len(f); i++ {
		if f[i] == '%' {
			if i+1 < len(f) && f[i+1] == '%' {
				i++
				continue
			}
			n++
		}
	}
	return n
}

// containsQueryMark: a string-building expression whose constant text has
// a "?" or "#".
func containsQueryMark(e python.Expr, d int) bool {
	if d > 32 {
		return false
	}
	switch e := e.(type) {
	case *python.Constant:
		c, ok := constStr(e)
		return ok && strings.ContainsAny(c, "?#")
	case *python.BinOp:
		return e.Op == python.Add && (containsQueryMark(e.Left, d+1) || containsQueryMark(e.Right, d+1))
	case *python.JoinedStr:
		for _, x := range e.Values {
			if containsQueryMark(x, d+1) {
				return true
			}
		}
	}
	return false
}
