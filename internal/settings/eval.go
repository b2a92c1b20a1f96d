package settings

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/djangoguard/djangoguard/internal/python"
)

// SourceModule is one of the project's own Python modules.
type SourceModule struct {
	Name      string // dotted name
	Path      string // relative to the scanned root
	Abs       string // absolute path, the value of __file__
	IsPackage bool   // an __init__.py
	AST       *python.Module
}

// Source gives the evaluator the project's own modules.
type Source interface {
	// Lookup returns the module with the dotted name, or nil when the
	// project has none (it may still be a third-party module).
	Lookup(name string) *SourceModule
}

// Options tune an evaluation.
type Options struct {
	// Environ holds environment variables known to the evaluator.
	Environ map[string]string
	// EnvComplete says that Environ is the whole environment: a variable
	// absent from it is unset. When false, variables absent from Environ
	// are unknown: reads with a default take the default (marked Assumed),
	// reads without one are Unknown.
	EnvComplete bool
	// MaxImportDepth bounds chains of imports (default 256).
	MaxImportDepth int
	// MaxSteps bounds the work of one evaluator (default 2,000,000
	// expression and statement steps).
	MaxSteps int
}

// Diagnostic is something the evaluator could not follow.
type Diagnostic struct {
	Path    string
	Line    int
	Message string
}

func (d Diagnostic) String() string { return fmt.Sprintf("%s:%d: %s", d.Path, d.Line, d.Message) }

// Result is an evaluated module.
type Result struct {
	Module string // dotted name
	Path   string
	// Names is the module's namespace when its top level has run.
	Names map[string]*Value
	// Imports lists the project modules whose evaluation this one needed,
	// in the order they were first imported.
	Imports []string
	// Diagnostics say what could not be followed.
	Diagnostics []Diagnostic
}

// Settings returns the upper-case names of the namespace (what Django reads
// as settings), sorted.
func (r *Result) Settings() []string {
	var out []string
	for n := range r.Names {
		if isSettingName(n) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func isSettingName(n string) bool {
	if n == "" || n[0] == '_' {
		return false
	}
	return strings.ToUpper(n) == n && strings.ContainsAny(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
}

// Evaluator evaluates modules of one source with one set of options. It
// caches each module it evaluates, so evaluating many settings modules that
// share a base costs the base once. An Evaluator is used by one goroutine.
type Evaluator struct {
	src   Source
	opts  Options
	cache map[string]*Result
	stack []string
	steps int
	// exhausted is set when MaxSteps ran out; evaluation then stops.
	exhausted bool
}

// New makes an evaluator.
func New(src Source, opts Options) *Evaluator {
	if opts.MaxImportDepth <= 0 {
		opts.MaxImportDepth = 256
	}
	if opts.MaxSteps <= 0 {
		opts.MaxSteps = 2_000_000
	}
	return &Evaluator{src: src, opts: opts, cache: map[string]*Result{}}
}

// Evaluate runs the top level of the module with the dotted name. It
// returns an error only when the module is not in the source or ctx is done.
func (ev *Evaluator) Evaluate(ctx context.Context, name string) (*Result, error) {
	m := ev.src.Lookup(name)
	if m == nil {
		return nil, fmt.Errorf("settings module %s: not found in the scanned tree", name)
	}
	r := ev.module(ctx, m)
	if err := ctx.Err(); err != nil {
		return r, fmt.Errorf("evaluating %s: %w", name, err)
	}
	return r, nil
}

// module evaluates a module once.
func (ev *Evaluator) module(ctx context.Context, m *SourceModule) *Result {
	if r, ok := ev.cache[m.Name]; ok {
		return r
	}
	r := &Result{Module: m.Name, Path: m.Path, Names: map[string]*Value{}}
	ev.cache[m.Name] = r
	ev.stack = append(ev.stack, m.Name)
	defer func() { ev.stack = ev.stack[:len(ev.stack)-1] }()
	fr := &frame{ev: ev, ctx: ctx, mod: m, res: r, names: r.Names}
	fr.names["__file__"] = strV(m.Abs)
	fr.names["__name__"] = strV(m.Name)
	if m.AST != nil {
		fr.block(m.AST.Body)
	}
	r.Names = fr.names
	delete(r.Names, "__file__")
	delete(r.Names, "__name__")
	return r
}

// frame is the state of one module's evaluation.
type frame struct {
	ev    *Evaluator
	ctx   context.Context
	mod   *SourceModule
	res   *Result
	names map[string]*Value
	// depth of nested statements, bounded by the parser already; loops
	// counts unrolled iterations.
	loops int
}

func (fr *frame) diag(n python.Located, format string, args ...any) {
	if len(fr.res.Diagnostics) >= maxDiagnostics {
		return
	}
	line := 0
	if n != nil {
		line = int(n.Span().Lineno)
	}
	fr.res.Diagnostics = append(fr.res.Diagnostics, Diagnostic{Path: fr.mod.Path, Line: line, Message: fmt.Sprintf(format, args...)})
}

func (fr *frame) origin(n python.Located) Origin {
	p := n.Span()
	return Origin{Path: fr.mod.Path, Line: int(p.Lineno), Col: int(p.ColOffset) + 1}
}

// step counts work and reports whether evaluation may go on.
func (fr *frame) step() bool {
	ev := fr.ev
	if ev.exhausted {
		return false
	}
	ev.steps++
	if ev.steps > ev.opts.MaxSteps {
		ev.exhausted = true
		fr.diag(nil, "evaluation stopped after %d steps", ev.opts.MaxSteps)
		return false
	}
	if ev.steps&1023 == 0 && fr.ctx.Err() != nil {
		ev.exhausted = true
		return false
	}
	return true
}

// outcome of running statements.
type outcome uint8

const (
	fallsThrough outcome = iota
	mayRaise             // some path raised (try handlers matter)
	raises               // every path raised or left the module
)

// block runs statements in order; it stops at a statement that certainly
// raises.
func (fr *frame) block(body []python.Stmt) outcome {
	out := fallsThrough
	for _, s := range body {
		if !fr.step() {
			return out
		}
		o := fr.stmt(s)
		if o == raises {
			return raises
		}
		if o == mayRaise {
			out = mayRaise
		}
	}
	return out
}

func (fr *frame) stmt(s python.Stmt) outcome {
	switch s := s.(type) {
	case *python.Assign:
		v := fr.expr(s.Value)
		for _, t := range s.Targets {
			fr.assign(t, v, fr.origin(s))
		}
		return riskOf(s.Value)
	case *python.AnnAssign:
		if s.Value != nil {
			fr.assign(s.Target, fr.expr(s.Value), fr.origin(s))
		}
		return riskOf(s.Value)
	case *python.AugAssign:
		fr.augAssign(s)
		return riskOf(s.Value)
	case *python.ExprStmt:
		if c, ok := s.Value.(*python.Call); ok {
			fr.callStmt(c, s)
		}
		return riskOf(s.Value)
	case *python.Import:
		return fr.importStmt(s)
	case *python.ImportFrom:
		return fr.importFrom(s)
	case *python.If:
		return fr.ifStmt(s)
	case *python.Try:
		return fr.tryStmt(s.Body, s.Handlers, s.Orelse, s.Finalbody)
	case *python.TryStar:
		return fr.tryStmt(s.Body, s.Handlers, s.Orelse, s.Finalbody)
	case *python.With:
		return fr.block(s.Body)
	case *python.AsyncWith:
		return fr.block(s.Body)
	case *python.For:
		return fr.forStmt(s)
	case *python.AsyncFor:
		fr.forget(s, s.Body, s.Orelse)
		return mayRaise
	case *python.While:
		fr.forget(s, s.Body, s.Orelse)
		return mayRaise
	case *python.FunctionDef:
		fr.names[s.Name] = funcV(s.Name, s.Body).at(fr.origin(s))
	case *python.AsyncFunctionDef:
		fr.names[s.Name] = funcV(s.Name, s.Body).at(fr.origin(s))
	case *python.ClassDef:
		fr.names[s.Name] = objV("class " + s.Name).at(fr.origin(s))
	case *python.Delete:
		for _, t := range s.Targets {
			switch t := t.(type) {
			case *python.Name:
				delete(fr.names, t.Id)
			case *python.Subscript:
				fr.deleteItem(t, s)
			}
		}
	case *python.Raise:
		return raises
	case *python.Match:
		fr.forget(s, matchBodies(s)...)
		return mayRaise
	case *python.Global, *python.Nonlocal, *python.Pass, *python.Break, *python.Continue, *python.Assert, *python.Return, *python.TypeAlias:
	}
	return fallsThrough
}

func matchBodies(m *python.Match) [][]python.Stmt {
	var out [][]python.Stmt
	for _, c := range m.Cases {
		out = append(out, c.Body)
	}
	return out
}

// riskOf says whether evaluating an expression might raise at run time in a
// way a try statement cares about: calls and subscripts might.
func riskOf(e python.Expr) outcome {
	risky := false
	walkExpr(e, func(x python.Expr) bool {
		switch x.(type) {
		case *python.Call, *python.Subscript:
			risky = true
			return false
		}
		return true
	})
	if risky {
		return mayRaise
	}
	return fallsThrough
}

// forget makes every name assigned in the bodies Unknown: a loop or match
// the evaluator does not run.
func (fr *frame) forget(at python.Located, bodies ...[]python.Stmt) {
	for _, body := range bodies {
		for _, n := range assignedNames(body) {
			fr.names[n] = unknown("set in a loop or match statement").at(fr.origin(at))
		}
	}
}

// assign binds v to a target.
func (fr *frame) assign(t python.Expr, v *Value, o Origin) {
	switch t := t.(type) {
	case *python.Name:
		fr.names[t.Id] = v.at(o)
	case *python.Tuple:
		fr.unpack(t.Elts, v, o)
	case *python.List:
		fr.unpack(t.Elts, v, o)
	case *python.Subscript:
		fr.setItem(t, v, o)
	case *python.Starred:
		fr.assign(t.Value, unknown("starred assignment"), o)
	case *python.Attribute:
		// Attributes of objects are not settings.
	}
}

func (fr *frame) unpack(targets []python.Expr, v *Value, o Origin) {
	star := false
	for _, t := range targets {
		if _, ok := t.(*python.Starred); ok {
			star = true
		}
	}
	if !star && v.Known() && seqKind(v.Kind) && len(v.Elems) == len(targets) && v.Kind != Set {
		for i, t := range targets {
			fr.assign(t, v.Elems[i], o)
		}
		return
	}
	for _, t := range targets {
		fr.assign(t, unknown("unpacked from a value the evaluator cannot split").withEnv(v.Env), o)
	}
}

// funcV is a function defined in the module. The evaluator does not run
// it, but remembers which module-level names its body may change (globals
// it assigns, containers it mutates): calling it makes those Unknown.
func funcV(name string, body []python.Stmt) *Value {
	v := objV("function " + name)
	touched := assignedNames(body)
	walkStmts(body, func(s python.Stmt) bool {
		if g, ok := s.(*python.Global); ok {
			touched = append(touched, g.Names...)
		}
		return true
	})
	v.obj = funcTouches(touched)
	return v
}

type funcTouches []string

// sliceTarget reports NAME[a:b] as a slice assignment target.
func sliceTarget(t *python.Subscript) (string, *python.Slice, bool) {
	sl, ok := t.Slice.(*python.Slice)
	if !ok || sl.Step != nil {
		return "", nil, false
	}
	n, ok := t.Value.(*python.Name)
	if !ok {
		return "", nil, false
	}
	return n.Id, sl, true
}

// setItem handles NAME[k1][k2]... = v by copying the containers on the way,
// and NAME[a:b] = iterable on lists.
func (fr *frame) setItem(t *python.Subscript, v *Value, o Origin) {
	if name, sl, ok := sliceTarget(t); ok {
		cur, exists := fr.names[name]
		if !exists {
			return
		}
		fr.names[name] = fr.sliceAssign(cur, sl, v).at(o)
		return
	}
	root, keys, ok := fr.subscriptPath(t)
	if !ok {
		fr.spoil(t, o)
		return
	}
	cur, exists := fr.names[root]
	if !exists {
		return
	}
	fr.names[root] = updateAt(cur, keys, func(old *Value) *Value { return v.at(o) }, o)
}

// spoil makes the name at the root of an assignment target the evaluator
// cannot follow Unknown, rather than leaving a stale value.
func (fr *frame) spoil(t python.Expr, o Origin) {
	for {
		switch x := t.(type) {
		case *python.Subscript:
			t = x.Value
			continue
		case *python.Attribute:
			t = x.Value
			continue
		case *python.Name:
			if _, ok := fr.names[x.Id]; ok {
				fr.names[x.Id] = unknown("changed in a way the evaluator cannot follow").at(o)
			}
		}
		return
	}
}

// sliceAssign computes list[a:b] = items.
func (fr *frame) sliceAssign(cur *Value, sl *python.Slice, items *Value) *Value {
	if cur.Kind != List || !items.Known() || !seqKind(items.Kind) {
		return unknown("slice assignment the evaluator cannot follow")
	}
	n := int64(len(cur.Elems))
	bound := func(e python.Expr, def int64) (int64, bool) {
		if e == nil {
			return def, true
		}
		i, ok := toInt(fr.expr(e))
		if !ok {
			return 0, false
		}
		if i < 0 {
			i += n
		}
		return max(0, min(i, n)), true
	}
	lo, ok1 := bound(sl.Lower, 0)
	hi, ok2 := bound(sl.Upper, n)
	if !ok1 || !ok2 {
		return unknown("slice bounds unknown")
	}
	hi = max(hi, lo)
	if int(n)-int(hi-lo)+len(items.Elems) > maxItems {
		return unknown("list too long")
	}
	c := cur.clone()
	c.Elems = append(append(append([]*Value{}, cur.Elems[:lo]...), items.Elems...), cur.Elems[hi:]...)
	return c
}

// deleteItem handles del NAME[k1]...[kn].
func (fr *frame) deleteItem(t *python.Subscript, at python.Located) {
	if name, sl, ok := sliceTarget(t); ok {
		if cur, exists := fr.names[name]; exists {
			fr.names[name] = fr.sliceAssign(cur, sl, &Value{Kind: List}).at(fr.origin(at))
		}
		return
	}
	root, keys, ok := fr.subscriptPath(t)
	if !ok || len(keys) == 0 {
		fr.spoil(t, fr.origin(at))
		return
	}
	cur, exists := fr.names[root]
	if !exists {
		return
	}
	o := fr.origin(at)
	last := keys[len(keys)-1]
	fr.names[root] = updateAt(cur, keys[:len(keys)-1], func(c *Value) *Value {
		c = c.clone()
		switch c.Kind {
		case Dict:
			if i := dictIndex(c, last); i >= 0 {
				c.Keys = append(c.Keys[:i], c.Keys[i+1:]...)
				c.Vals = append(c.Vals[:i], c.Vals[i+1:]...)
				return c.at(o)
			}
		case List:
			if i, ok := index(c, last); ok {
				c.Elems = append(c.Elems[:i], c.Elems[i+1:]...)
				return c.at(o)
			}
		}
		return unknown("item deleted from a value the evaluator cannot follow").at(o)
	}, o)
}

// subscriptPath splits NAME[k1][k2] into the name and evaluated keys.
func (fr *frame) subscriptPath(t *python.Subscript) (string, []*Value, bool) {
	var keys []*Value
	var e python.Expr = t
	for {
		switch x := e.(type) {
		case *python.Subscript:
			if _, isSlice := x.Slice.(*python.Slice); isSlice {
				return "", nil, false
			}
			keys = append(keys, fr.expr(x.Slice))
			e = x.Value
			continue
		case *python.Name:
			for i, j := 0, len(keys)-1; i < j; i, j = i+1, j-1 {
				keys[i], keys[j] = keys[j], keys[i]
			}
			return x.Id, keys, true
		}
		return "", nil, false
	}
}

// updateAt returns a copy of v where the item at keys is replaced by
// fn(item). A missing dict key is added; anything that cannot be followed
// becomes Unknown.
func updateAt(v *Value, keys []*Value, fn func(*Value) *Value, o Origin) *Value {
	if len(keys) == 0 {
		return fn(v)
	}
	k := keys[0]
	switch v.Kind {
	case Dict:
		if !k.Known() {
			return unknown("dict item set with an unknown key").at(o)
		}
		c := v.clone()
		if i := dictIndex(c, k); i >= 0 {
			c.Vals[i] = updateAt(c.Vals[i], keys[1:], fn, o)
		} else {
			if len(keys) > 1 {
				return unknown("nested item of a missing key").at(o)
			}
			c.Keys = append(c.Keys, k)
			c.Vals = append(c.Vals, fn(nil))
		}
		return c.at(v.Origin)
	case List:
		i, ok := index(v, k)
		if !ok {
			return unknown("list item set at an unknown index").at(o)
		}
		c := v.clone()
		c.Elems[i] = updateAt(c.Elems[i], keys[1:], fn, o)
		return c.at(v.Origin)
	case OneOf:
		var alts []*Value
		for _, a := range v.Alts {
			alts = append(alts, updateAt(a, keys, fn, o))
		}
		return oneOf(alts...)
	}
	return unknown("item set on a value the evaluator cannot follow").at(o)
}

// index resolves a list index.
func index(list *Value, k *Value) (int, bool) {
	i, ok := toInt(k)
	if !ok || k.Kind == Bool && false {
		return 0, false
	}
	n := int64(len(list.Elems))
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return 0, false
	}
	return int(i), true
}

func (fr *frame) augAssign(s *python.AugAssign) {
	o := fr.origin(s)
	switch t := s.Target.(type) {
	case *python.Name:
		cur, ok := fr.names[t.Id]
		if !ok {
			fr.names[t.Id] = unknown("augmented assignment to an unset name").at(o)
			return
		}
		fr.names[t.Id] = fr.augmented(cur, s.Op, fr.expr(s.Value), s).at(o)
	case *python.Subscript:
		root, keys, ok := fr.subscriptPath(t)
		if !ok {
			fr.spoil(t, o)
			return
		}
		cur, exists := fr.names[root]
		if !exists {
			return
		}
		rhs := fr.expr(s.Value)
		fr.names[root] = updateAt(cur, keys, func(old *Value) *Value {
			if old == nil {
				return unknown("augmented assignment to a missing item").at(o)
			}
			return fr.augmented(old, s.Op, rhs, s).at(o)
		}, o)
	}
}

// augmented computes x op= y. For lists, += extends with any iterable.
func (fr *frame) augmented(x *Value, op python.Operator, y *Value, at python.Located) *Value {
	if op == python.Add && x.Kind == List && y.Known() && (y.Kind == Tuple || y.Kind == Set) {
		return fr.concat(x, y.Elems)
	}
	if op == python.BitOr && x.Kind == Dict && y.Kind == Dict {
		return dictMerge(x, y)
	}
	return fr.binop(x, op, y, at)
}

func (fr *frame) concat(x *Value, extra []*Value) *Value {
	if len(x.Elems)+len(extra) > maxItems {
		return unknown("list too long")
	}
	c := x.clone()
	c.Elems = append(c.Elems, extra...)
	return inherit(c, x)
}

// callStmt handles a call used as a statement: list, dict and set mutation
// of a named setting (MIDDLEWARE.append(...), DATABASES["default"].update(...)).
func (fr *frame) callStmt(c *python.Call, s python.Stmt) {
	attr, ok := c.Func.(*python.Attribute)
	if !ok {
		fr.expr(c)
		return
	}
	var root string
	var keys []*Value
	switch recv := attr.Value.(type) {
	case *python.Name:
		root = recv.Id
	case *python.Subscript:
		r, k, ok := fr.subscriptPath(recv)
		if !ok {
			fr.expr(c)
			if isMutator(attr.Attr) {
				fr.spoil(recv, fr.origin(s))
			}
			return
		}
		root, keys = r, k
	default:
		fr.expr(c)
		return
	}
	cur, exists := fr.names[root]
	if !exists || cur.Kind == Object {
		fr.expr(c)
		return
	}
	args := fr.args(c)
	o := fr.origin(s)
	fr.names[root] = updateAt(cur, keys, func(v *Value) *Value {
		if v == nil {
			return unknown("method called on a missing item").at(o)
		}
		return mutate(fr, v, attr.Attr, args, o)
	}, o).at(pick(len(keys) == 0, o, cur.Origin))
}

func isMutator(m string) bool {
	switch m {
	case "append", "extend", "insert", "remove", "pop", "clear", "update", "setdefault", "add", "discard", "sort", "reverse":
		return true
	}
	return false
}

func pick(c bool, a, b Origin) Origin {
	if c {
		return a
	}
	return b
}

// callArgs are evaluated call arguments.
type callArgs struct {
	pos     []*Value
	kw      map[string]*Value
	kwOrder []string
	// opaque is set when *args or **kwargs could not be expanded.
	opaque bool
}

func (a callArgs) get(i int, name string) *Value {
	if v, ok := a.kw[name]; ok && name != "" {
		return v
	}
	if i >= 0 && i < len(a.pos) {
		return a.pos[i]
	}
	return nil
}

func (fr *frame) args(c *python.Call) callArgs {
	a := callArgs{kw: map[string]*Value{}}
	for _, e := range c.Args {
		if st, ok := e.(*python.Starred); ok {
			v := fr.expr(st.Value)
			if v.Known() && seqKind(v.Kind) && v.Kind != Set {
				a.pos = append(a.pos, v.Elems...)
			} else {
				a.opaque = true
			}
			continue
		}
		a.pos = append(a.pos, fr.expr(e))
	}
	for _, k := range c.Keywords {
		v := fr.expr(k.Value)
		if k.Arg == "" {
			if v.Kind == Dict {
				for i, key := range v.Keys {
					if key.Kind == Str {
						a.kw[key.S] = v.Vals[i]
						a.kwOrder = append(a.kwOrder, key.S)
					}
				}
			} else {
				a.opaque = true
			}
			continue
		}
		a.kw[k.Arg] = v
		a.kwOrder = append(a.kwOrder, k.Arg)
	}
	return a
}

// mutate applies a mutating method to a copy of v and returns the copy.
func mutate(fr *frame, v *Value, method string, a callArgs, o Origin) *Value {
	if v.Kind == OneOf {
		var alts []*Value
		for _, alt := range v.Alts {
			alts = append(alts, mutate(fr, alt, method, a, o))
		}
		return oneOf(alts...)
	}
	if a.opaque {
		return unknown(method + "() called with arguments the evaluator cannot expand").at(o)
	}
	arg := func(i int) *Value {
		if i < len(a.pos) {
			return a.pos[i]
		}
		return nil
	}
	switch v.Kind {
	case List:
		switch method {
		case "append":
			if x := arg(0); x != nil {
				return fr.concat(v, []*Value{x}).at(o)
			}
		case "extend":
			if x := arg(0); x != nil && x.Known() && seqKind(x.Kind) {
				return fr.concat(v, x.Elems).at(o)
			}
		case "insert":
			if x := arg(1); x != nil {
				i, ok := toInt(arg(0))
				if ok {
					n := int64(len(v.Elems))
					if i < 0 {
						i += n
						if i < 0 {
							i = 0
						}
					}
					if i > n {
						i = n
					}
					c := v.clone()
					c.Elems = append(c.Elems[:i:i], append([]*Value{x}, v.Elems[i:]...)...)
					return c.at(o)
				}
			}
		case "remove":
			if x := arg(0); x != nil {
				for i, e := range v.Elems {
					eq, ok := equal(e, x)
					if !ok {
						break
					}
					if eq {
						c := v.clone()
						c.Elems = append(c.Elems[:i:i], v.Elems[i+1:]...)
						return c.at(o)
					}
				}
			}
		case "pop":
			c := v.clone()
			i := int64(len(c.Elems) - 1)
			if x := arg(0); x != nil {
				var ok bool
				if i, ok = toInt(x); !ok {
					break
				}
				if i < 0 {
					i += int64(len(c.Elems))
				}
			}
			if i >= 0 && i < int64(len(c.Elems)) {
				c.Elems = append(c.Elems[:i:i], c.Elems[i+1:]...)
				return c.at(o)
			}
		case "clear":
			return listV(List, nil).at(o)
		case "sort", "reverse":
			return unknown("list reordered").at(o)
		case "index", "count", "copy":
			return v
		}
	case Dict:
		switch method {
		case "update":
			c := v
			if x := arg(0); x != nil {
				if x.Kind != Dict {
					break
				}
				c = dictMerge(c, x)
			}
			if len(a.kw) > 0 {
				kw := &Value{Kind: Dict}
				for _, k := range a.kwOrder {
					kw.Keys = append(kw.Keys, strV(k))
					kw.Vals = append(kw.Vals, a.kw[k])
				}
				c = dictMerge(c, kw)
			}
			return c.at(o)
		case "setdefault":
			k := arg(0)
			if k == nil || !k.Known() {
				break
			}
			if dictIndex(v, k) >= 0 {
				return v
			}
			d := arg(1)
			if d == nil {
				d = noneV()
			}
			c := v.clone()
			c.Keys = append(c.Keys, k)
			c.Vals = append(c.Vals, d)
			return c.at(o)
		case "pop":
			k := arg(0)
			if k == nil || !k.Known() {
				break
			}
			c := v.clone()
			if i := dictIndex(c, k); i >= 0 {
				c.Keys = append(c.Keys[:i:i], c.Keys[i+1:]...)
				c.Vals = append(c.Vals[:i:i], c.Vals[i+1:]...)
			}
			return c.at(o)
		case "clear":
			return (&Value{Kind: Dict}).at(o)
		case "get", "keys", "values", "items", "copy":
			return v
		}
	case Set:
		switch method {
		case "add":
			if x := arg(0); x != nil {
				return setAdd(v, []*Value{x}).at(o)
			}
		case "update":
			if x := arg(0); x != nil && x.Known() && seqKind(x.Kind) {
				return setAdd(v, x.Elems).at(o)
			}
		case "discard", "remove":
			if x := arg(0); x != nil {
				c := v.clone()
				c.Elems = nil
				for _, e := range v.Elems {
					eq, ok := equal(e, x)
					if !ok {
						return unknown("set item removal").at(o)
					}
					if !eq {
						c.Elems = append(c.Elems, e)
					}
				}
				return c.at(o)
			}
		}
	case Str, Int, Float, Bool, None, Tuple, Path, Bytes:
		// Immutable: a method call returns a new value and changes nothing.
		return v
	}
	return unknown(method + "() on a value the evaluator cannot follow").at(o)
}

func setAdd(s *Value, items []*Value) *Value {
	c := s.clone()
	if len(c.Elems)+len(items) > 1000 {
		// Big sets: str items deduplicated through a map, others kept.
		seen := map[string]bool{}
		for _, e := range c.Elems {
			if e.Kind == Str {
				seen[e.S] = true
			}
		}
		for _, x := range items {
			if x.Kind == Str {
				if seen[x.S] {
					continue
				}
				seen[x.S] = true
			}
			c.Elems = append(c.Elems, x)
		}
		return c
	}
	for _, x := range items {
		dup := false
		for _, e := range c.Elems {
			if eq, ok := equal(e, x); ok && eq {
				dup = true
				break
			}
		}
		if !dup {
			c.Elems = append(c.Elems, x)
		}
	}
	return c
}

func dictMerge(a, b *Value) *Value {
	c := a.clone()
	for i, k := range b.Keys {
		if j := dictIndex(c, k); j >= 0 {
			c.Vals[j] = b.Vals[i]
		} else {
			c.Keys = append(c.Keys, k)
			c.Vals = append(c.Vals, b.Vals[i])
		}
	}
	return c
}

// ---- control flow ----

// snapshot copies the namespace.
func (fr *frame) snapshot() map[string]*Value {
	m := make(map[string]*Value, len(fr.names))
	for k, v := range fr.names {
		m[k] = v
	}
	return m
}

// merge joins namespaces of alternative paths into fr.names: a name bound
// to different values on different paths becomes a OneOf; a name missing on
// some path gets an Unset alternative.
func (fr *frame) merge(paths ...map[string]*Value) {
	if len(paths) == 0 {
		return
	}
	all := map[string]bool{}
	for _, p := range paths {
		for k := range p {
			all[k] = true
		}
	}
	out := make(map[string]*Value, len(all))
	for k := range all {
		var alts []*Value
		same := true
		var first *Value
		for i, p := range paths {
			v, ok := p[k]
			if !ok {
				v = &Value{Kind: Unknown, Why: unsetWhy}
			}
			if i == 0 {
				first = v
			} else if v != first {
				same = false
			}
			alts = append(alts, v)
		}
		if same {
			out[k] = first
		} else {
			out[k] = oneOf(alts...)
		}
	}
	fr.names = out
}

// unsetWhy marks an alternative in which a name was never set: rules read
// it as the Django default.
const unsetWhy = "not set on this path"

// IsUnset reports whether v is the alternative of a path that never set
// the name.
func (v *Value) IsUnset() bool { return v != nil && v.Kind == Unknown && v.Why == unsetWhy }

func (fr *frame) ifStmt(s *python.If) outcome {
	test := fr.expr(s.Test)
	if t, ok := test.Truth(); ok && !dependsOnAssumedEnv(test) {
		if t {
			return fr.block(s.Body)
		}
		return fr.block(s.Orelse)
	}
	before := fr.snapshot()
	o1 := fr.block(s.Body)
	a := fr.names
	fr.names = before
	fr.names = fr.snapshot()
	o2 := fr.block(s.Orelse)
	b := fr.names
	switch {
	case o1 == raises && o2 == raises:
		fr.names = b
		return raises
	case o1 == raises:
		fr.names = b
	case o2 == raises:
		fr.names = a
	default:
		fr.merge(a, b)
	}
	if o1 != fallsThrough || o2 != fallsThrough {
		return mayRaise
	}
	return fallsThrough
}

// dependsOnAssumedEnv says whether a test's value rests on an environment
// variable whose value was only assumed: then both branches stay possible.
func dependsOnAssumedEnv(v *Value) bool { return v.Env != nil && v.Env.Assumed }

func (fr *frame) tryStmt(body []python.Stmt, handlers []*python.ExceptHandler, orelse, final []python.Stmt) outcome {
	before := fr.snapshot()
	ob := fr.block(body)
	var paths []map[string]*Value
	result := fallsThrough
	if ob != raises {
		if oe := fr.block(orelse); oe == raises {
			result = mayRaise
		} else {
			paths = append(paths, fr.names)
		}
	}
	if ob != fallsThrough && len(handlers) > 0 {
		// A handler starts from the state when the exception was raised:
		// after the whole body when it certainly raised, otherwise anywhere;
		// the state before the body stands for "early".
		start := before
		if ob == raises {
			start = fr.names
		}
		for _, h := range handlers {
			fr.names = copyMap(start)
			if h.Name != "" {
				fr.names[h.Name] = unknown("exception object")
			}
			if oh := fr.block(h.Body); oh != raises {
				paths = append(paths, fr.names)
			}
		}
	} else if ob != fallsThrough {
		result = mayRaise
	}
	if len(paths) == 0 {
		fr.names = before
		result = raises
	} else {
		fr.merge(paths...)
	}
	if len(final) > 0 {
		if of := fr.block(final); of == raises {
			return raises
		}
	}
	return result
}

func copyMap(m map[string]*Value) map[string]*Value {
	c := make(map[string]*Value, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

const maxLoopIterations = 1000

const maxDiagnostics = 200

func (fr *frame) forStmt(s *python.For) outcome {
	it := fr.expr(s.Iter)
	var items []*Value
	switch {
	case it.Known() && seqKind(it.Kind):
		items = it.Elems
	case it.Known() && it.Kind == Dict:
		items = it.Keys
	case it.Known() && it.Kind == Str && len(it.S) <= maxLoopIterations:
		for _, r := range it.S {
			items = append(items, strV(string(r)))
		}
	default:
		fr.forget(s, s.Body, s.Orelse)
		return mayRaise
	}
	if fr.loops+len(items) > maxLoopIterations || containsBreak(s.Body) {
		fr.forget(s, s.Body, s.Orelse)
		return mayRaise
	}
	fr.loops += len(items)
	out := fallsThrough
	for _, x := range items {
		fr.assign(s.Target, x, fr.origin(s))
		o := fr.block(s.Body)
		if o == raises {
			return raises
		}
		if o == mayRaise {
			out = mayRaise
		}
	}
	if o := fr.block(s.Orelse); o != fallsThrough {
		return o
	}
	return out
}

func containsBreak(body []python.Stmt) bool {
	found := false
	walkStmts(body, func(s python.Stmt) bool {
		switch s.(type) {
		case *python.Break, *python.Continue:
			found = true
		case *python.FunctionDef, *python.AsyncFunctionDef, *python.ClassDef, *python.For, *python.While, *python.AsyncFor:
			return false
		}
		return !found
	})
	return found
}

// ---- imports ----

// resolveRelative turns a relative import into an absolute module name.
func (fr *frame) resolveRelative(module string, level int) (string, bool) {
	if level == 0 {
		return module, true
	}
	pkg := fr.mod.Name
	if !fr.mod.IsPackage {
		if i := strings.LastIndexByte(pkg, '.'); i >= 0 {
			pkg = pkg[:i]
		} else {
			pkg = ""
		}
	}
	for i := 1; i < level; i++ {
		j := strings.LastIndexByte(pkg, '.')
		if j < 0 {
			if pkg == "" {
				return "", false
			}
			pkg = ""
			continue
		}
		pkg = pkg[:j]
	}
	if pkg == "" {
		return module, module != ""
	}
	if module == "" {
		return pkg, true
	}
	return pkg + "." + module, true
}

// load evaluates a project module for an import; nil when the project has
// no such module. A cycle or too deep a chain yields a partial module.
func (fr *frame) load(name string, at python.Located) (*Result, bool) {
	m := fr.ev.src.Lookup(name)
	if m == nil {
		return nil, false
	}
	for _, s := range fr.ev.stack {
		if s == name {
			fr.diag(at, "import cycle: %s imports %s, which is still being evaluated (%s)", fr.mod.Name, name, strings.Join(append(append([]string{}, fr.ev.stack...), name), " -> "))
			r := fr.ev.cache[name]
			return r, true
		}
	}
	if len(fr.ev.stack) >= fr.ev.opts.MaxImportDepth {
		fr.diag(at, "import chain deeper than %d modules; %s not evaluated", fr.ev.opts.MaxImportDepth, name)
		return &Result{Module: name, Path: m.Path, Names: map[string]*Value{}}, true
	}
	r := fr.ev.module(fr.ctx, m)
	before := len(fr.res.Imports)
	fr.res.Imports = appendUniq(fr.res.Imports, name)
	if len(fr.res.Imports) > before {
		// First import of this module here: take its imports and what it
		// could not follow along.
		for _, imp := range r.Imports {
			fr.res.Imports = appendUniq(fr.res.Imports, imp)
		}
		for _, d := range r.Diagnostics {
			if len(fr.res.Diagnostics) >= maxDiagnostics {
				break
			}
			fr.res.Diagnostics = append(fr.res.Diagnostics, d)
		}
	}
	return r, true
}

func appendUniq(ss []string, s string) []string {
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}

func moduleObj(name string, r *Result) *Value {
	v := objV("module " + name)
	v.obj = r
	return v
}

func (fr *frame) importStmt(s *python.Import) outcome {
	o := fr.origin(s)
	for _, a := range s.Names {
		if r, ok := fr.load(a.Name, s); ok {
			if a.Asname != "" {
				fr.names[a.Asname] = moduleObj(a.Name, r).at(o)
			} else {
				top := strings.SplitN(a.Name, ".", 2)[0]
				tr, _ := fr.load(top, s)
				fr.names[top] = moduleObj(top, tr).at(o)
			}
			continue
		}
		if a.Asname != "" {
			fr.names[a.Asname] = objV(a.Name).at(o)
		} else {
			top := strings.SplitN(a.Name, ".", 2)[0]
			if fr.ev.src.Lookup(top) == nil {
				fr.names[top] = objV(top).at(o)
			}
		}
	}
	return mayRaise
}

func (fr *frame) importFrom(s *python.ImportFrom) outcome {
	o := fr.origin(s)
	name, ok := fr.resolveRelative(s.Module, s.Level)
	if !ok {
		fr.diag(s, "relative import beyond the top-level package")
		return raises
	}
	r, isProject := fr.load(name, s)
	if !isProject {
		if s.Level > 0 {
			// A relative import of a module the tree does not have fails.
			fr.diag(s, "%s is not in the scanned tree; the import raises ImportError", name)
			return raises
		}
		for _, a := range s.Names {
			if a.Name == "*" {
				fr.diag(s, "star import from %s, which is not in the scanned tree: the names it adds are unknown", name)
				continue
			}
			bind := a.Asname
			if bind == "" {
				bind = a.Name
			}
			fr.names[bind] = objV(name + "." + a.Name).at(o)
		}
		return mayRaise
	}
	for _, a := range s.Names {
		if a.Name == "*" {
			for _, n := range exportedNames(r) {
				fr.names[n] = r.Names[n]
			}
			continue
		}
		bind := a.Asname
		if bind == "" {
			bind = a.Name
		}
		if v, ok := r.Names[a.Name]; ok {
			fr.names[bind] = v
			continue
		}
		if sub, ok := fr.load(name+"."+a.Name, s); ok {
			fr.names[bind] = moduleObj(name+"."+a.Name, sub).at(o)
			continue
		}
		fr.diag(s, "%s has no name %s the evaluator could find", name, a.Name)
		fr.names[bind] = unknown("imported name not found").at(o)
	}
	return mayRaise
}

// exportedNames returns what `from m import *` binds: __all__ when it is a
// known list of strings, else every name not starting with "_".
func exportedNames(r *Result) []string {
	if all, ok := r.Names["__all__"]; ok {
		if names, ok := all.Strings(); ok {
			var out []string
			for _, n := range names {
				if _, ok := r.Names[n]; ok {
					out = append(out, n)
				}
			}
			return out
		}
	}
	var out []string
	for n := range r.Names {
		if !strings.HasPrefix(n, "_") {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// ---- helpers over the AST ----

// walkExpr visits e and its sub-expressions, not descending into lambdas
// or comprehensions' scopes beyond their expressions.
func walkExpr(e python.Expr, fn func(python.Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch x := e.(type) {
	case *python.BoolOp:
		for _, v := range x.Values {
			walkExpr(v, fn)
		}
	case *python.NamedExpr:
		walkExpr(x.Value, fn)
	case *python.BinOp:
		walkExpr(x.Left, fn)
		walkExpr(x.Right, fn)
	case *python.UnaryOp:
		walkExpr(x.Operand, fn)
	case *python.IfExp:
		walkExpr(x.Test, fn)
		walkExpr(x.Body, fn)
		walkExpr(x.Orelse, fn)
	case *python.Dict:
		for _, k := range x.Keys {
			walkExpr(k, fn)
		}
		for _, v := range x.Values {
			walkExpr(v, fn)
		}
	case *python.Set:
		for _, v := range x.Elts {
			walkExpr(v, fn)
		}
	case *python.List:
		for _, v := range x.Elts {
			walkExpr(v, fn)
		}
	case *python.Tuple:
		for _, v := range x.Elts {
			walkExpr(v, fn)
		}
	case *python.Compare:
		walkExpr(x.Left, fn)
		for _, v := range x.Comparators {
			walkExpr(v, fn)
		}
	case *python.Call:
		walkExpr(x.Func, fn)
		for _, v := range x.Args {
			walkExpr(v, fn)
		}
		for _, k := range x.Keywords {
			walkExpr(k.Value, fn)
		}
	case *python.JoinedStr:
		for _, v := range x.Values {
			walkExpr(v, fn)
		}
	case *python.FormattedValue:
		walkExpr(x.Value, fn)
	case *python.Attribute:
		walkExpr(x.Value, fn)
	case *python.Subscript:
		walkExpr(x.Value, fn)
		walkExpr(x.Slice, fn)
	case *python.Starred:
		walkExpr(x.Value, fn)
	case *python.Slice:
		walkExpr(x.Lower, fn)
		walkExpr(x.Upper, fn)
		walkExpr(x.Step, fn)
	}
}

// walkStmts visits statements and their nested blocks.
func walkStmts(body []python.Stmt, fn func(python.Stmt) bool) {
	for _, s := range body {
		if !fn(s) {
			continue
		}
		switch s := s.(type) {
		case *python.If:
			walkStmts(s.Body, fn)
			walkStmts(s.Orelse, fn)
		case *python.For:
			walkStmts(s.Body, fn)
			walkStmts(s.Orelse, fn)
		case *python.AsyncFor:
			walkStmts(s.Body, fn)
			walkStmts(s.Orelse, fn)
		case *python.While:
			walkStmts(s.Body, fn)
			walkStmts(s.Orelse, fn)
		case *python.With:
			walkStmts(s.Body, fn)
		case *python.AsyncWith:
			walkStmts(s.Body, fn)
		case *python.Try:
			walkStmts(s.Body, fn)
			for _, h := range s.Handlers {
				walkStmts(h.Body, fn)
			}
			walkStmts(s.Orelse, fn)
			walkStmts(s.Finalbody, fn)
		case *python.TryStar:
			walkStmts(s.Body, fn)
			for _, h := range s.Handlers {
				walkStmts(h.Body, fn)
			}
			walkStmts(s.Orelse, fn)
			walkStmts(s.Finalbody, fn)
		case *python.Match:
			for _, c := range s.Cases {
				walkStmts(c.Body, fn)
			}
		}
	}
}

// assignedNames lists the names a block binds or mutates at its level.
func assignedNames(body []python.Stmt) []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	var target func(e python.Expr)
	target = func(e python.Expr) {
		switch t := e.(type) {
		case *python.Name:
			add(t.Id)
		case *python.Tuple:
			for _, x := range t.Elts {
				target(x)
			}
		case *python.List:
			for _, x := range t.Elts {
				target(x)
			}
		case *python.Starred:
			target(t.Value)
		case *python.Subscript:
			target(t.Value)
		case *python.Attribute:
			target(t.Value)
		}
	}
	walkStmts(body, func(s python.Stmt) bool {
		switch s := s.(type) {
		case *python.Assign:
			for _, t := range s.Targets {
				target(t)
			}
		case *python.AugAssign:
			target(s.Target)
		case *python.AnnAssign:
			target(s.Target)
		case *python.For:
			target(s.Target)
		case *python.ExprStmt:
			if c, ok := s.Value.(*python.Call); ok {
				if a, ok := c.Func.(*python.Attribute); ok {
					target(a.Value)
				}
			}
		case *python.FunctionDef:
			add(s.Name)
			return false
		case *python.AsyncFunctionDef:
			add(s.Name)
			return false
		case *python.ClassDef:
			add(s.Name)
			return false
		case *python.Import:
			for _, a := range s.Names {
				if a.Asname != "" {
					add(a.Asname)
				} else {
					add(strings.SplitN(a.Name, ".", 2)[0])
				}
			}
		case *python.ImportFrom:
			for _, a := range s.Names {
				if a.Asname != "" {
					add(a.Asname)
				} else if a.Name != "*" {
					add(a.Name)
				}
			}
		}
		return true
	})
	return out
}

// cleanPath normalises a filesystem path string like os.path.normpath.
func cleanPath(p string) string {
	if p == "" {
		return "."
	}
	return path.Clean(p)
}
