// Package taint is djangoguard's dataflow engine for Python: it resolves
// names across the project (imports, aliases, re-exports), summarises every
// function (which parameters reach its return value and which reach a
// sink), iterates the summaries to a bounded fixpoint across modules, and
// reports the flows from Django request data to sinks with their traces.
//
// Analyze runs once per scan target (memoized on the Target) and its Result
// is shared by every code rule and by the view-to-template join.
package taint

import (
	"context"
	"fmt"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/djangoguard/djangoguard/internal/python"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// maxRounds bounds the fixpoint iteration of summaries across modules.
const maxRounds = 4

// Result is the analysis of a whole target.
type Result struct {
	Index    *Index
	Flows    []Flow
	Calls    []*CallSite
	Compares []*CompareSite
	Keys     []*KeyRead
	// Routes maps view functions and class-based views to their URL pattern.
	Routes      map[*Func]*Route
	ClassRoutes map[*Class]*Route
	// Envs holds, for get_context_data methods, the per-key values of the
	// returned dict.
	ContextKeys map[*Func]map[string]Value
	Rounds      int
	// Analyses counts function analyses over all rounds (units re-analysed
	// after a callee's summary changed count again).
	Analyses int
	// Internal lists analyses abandoned because of an internal error
	// (a bug, reported rather than crashing the scan).
	Internal []string
}

type memoKey struct{}

// Analyze returns the analysis of t, computing it once per target.
func Analyze(ctx context.Context, t *rules.Target) (*Result, error) {
	v, err := t.Memo(memoKey{}, func() (any, error) { return analyze(ctx, t) })
	if err != nil {
		return nil, err
	}
	return v.(*Result), nil
}

func workers() int {
	n := runtime.GOMAXPROCS(0)
	if n < 1 {
		n = 1
	}
	return n
}

// parallel runs f(i) for i in [0,n) on bounded workers, in ascending order
// of i as far as workers allow, stopping early when ctx is cancelled. Workers
// take the next index from a shared counter: a scan has tens of thousands
// of small units, and handing each over a channel cost a goroutine switch.
func parallel(ctx context.Context, n int, f func(i int)) error {
	var next atomic.Int64
	var stopped atomic.Bool
	var wg sync.WaitGroup
	for w := 0; w < min(workers(), n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if i%64 == 0 && ctx.Err() != nil {
					stopped.Store(true)
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
	if stopped.Load() {
		return ctx.Err()
	}
	return nil
}

func analyze(ctx context.Context, t *rules.Target) (*Result, error) {
	files := t.FilesOf(rules.PythonFile)
	mods := make([]*Module, len(files))
	pkgDirs := map[string]bool{}
	for _, f := range files {
		if path.Base(f.Path) == "__init__.py" {
			pkgDirs[path.Dir(f.Path)] = true
		}
	}
	err := parallel(ctx, len(files), func(i int) {
		f := files[i]
		ast := parseFile(t, f)
		name, isPkg := packageRootName(f.Path, pkgDirs)
		m := &Module{Name: name, Path: f.Path, File: f, AST: ast, isPkg: isPkg}
		buildSymbols(m)
		mods[i] = m
	})
	if err != nil {
		return nil, err
	}
	ix := newIndex(mods)
	if err := parallel(ctx, len(mods), func(i int) { ix.resolveDecls(mods[i]) }); err != nil {
		return nil, err
	}
	res := &Result{Index: ix, Routes: map[*Func]*Route{}, ClassRoutes: map[*Class]*Route{},
		ContextKeys: map[*Func]map[string]Value{}}
	for _, m := range mods {
		ix.collectRoutes(m, res.Routes, res.ClassRoutes)
	}
	a := &analyzer{ix: ix, routes: res.Routes, cviews: res.ClassRoutes}

	// Every function, method and module body is a unit of analysis, ordered
	// callees first (modules after the project modules they import). The
	// first round analyses every unit, recording its findings and call
	// sites and publishing its summary at once, so units analysed later
	// use it; each later round re-analyses only the units that read a
	// summary that has since changed, until none has or maxRounds is
	// reached. A unit's record is the one of its last run.
	var units []*Func
	order := importOrder(ix)
	for _, m := range order {
		units = append(units, m.Funcs...)
	}
	for _, m := range order {
		units = append(units, moduleFunc(m))
	}
	states := make([]*unitOut, len(units))
	dirty := make([]bool, len(units))
	for i := range dirty {
		dirty[i] = true
	}
	for round := 0; round < maxRounds; round++ {
		var todo []int
		for i := range units {
			if dirty[i] {
				todo = append(todo, i)
			}
		}
		if len(todo) == 0 {
			break
		}
		res.Rounds = round + 1
		res.Analyses += len(todo)
		if err := parallel(ctx, len(todo), func(k int) {
			i := todo[k]
			f := units[i]
			st := a.run(f, true)
			out := &unitOut{flows: st.flows, calls: st.calls, cmps: st.cmps, keys: st.keys, deps: st.deps, panic: st.panic}
			if f.Class != nil && f.Def.Name == "get_context_data" {
				out.ctxKeys = st.returnedKeys()
			}
			states[i] = out
			f.sum.Store(st.sum)
			a.release(st)
		}); err != nil {
			return nil, err
		}
		more := false
		for i, st := range states {
			dirty[i] = false
			for d, seen := range st.deps {
				if cur := d.sum.Load(); cur != seen && !seen.identical(cur) {
					dirty[i] = true
					more = true
					break
				}
			}
		}
		if !more {
			break
		}
	}
	seen := map[flowKey]bool{}
	nc, nk := 0, 0
	for _, st := range states {
		if st != nil {
			nc += len(st.calls)
			nk += len(st.cmps)
		}
	}
	res.Calls = make([]*CallSite, 0, nc)
	res.Compares = make([]*CompareSite, 0, nk)
	for i, st := range states {
		if st == nil {
			continue
		}
		for _, fl := range st.flows {
			k := flowKey{fl.Path, fl.Line, fl.Col, fl.Class, fl.Origin}
			if seen[k] {
				continue
			}
			seen[k] = true
			res.Flows = append(res.Flows, fl)
		}
		res.Calls = append(res.Calls, st.calls...)
		res.Compares = append(res.Compares, st.cmps...)
		res.Keys = append(res.Keys, st.keys...)
		if st.panic != "" {
			res.Internal = append(res.Internal, st.panic)
		}
		if st.ctxKeys != nil {
			res.ContextKeys[units[i]] = st.ctxKeys
		}
	}
	sort.SliceStable(res.Flows, func(i, j int) bool {
		a, b := res.Flows[i], res.Flows[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return res, nil
}

type flowKey struct {
	path      string
	line, col int
	class     Kind
	origin    Origin
}

// moduleFunc wraps a module's top-level statements as a pseudo-function.
func moduleFunc(m *Module) *Func {
	var body []python.Stmt
	if m.AST != nil {
		body = m.AST.Body
	}
	return &Func{Mod: m, Name: "<module>", QName: m.Name, Def: &python.FunctionDef{Name: "<module>", Body: body, Args: &python.Arguments{}}}
}

// unitOut is what the dirty check and the final merge read from one
// analysis; the rest of the state is recycled.
type unitOut struct {
	flows   []Flow
	calls   []*CallSite
	cmps    []*CompareSite
	keys    []*KeyRead
	deps    map[*Func]*Summary
	panic   string
	ctxKeys map[string]Value
}

// statePool recycles analysis states, and above all their environment maps,
// from one unit to the next: a large project has tens of thousands of
// units, and fresh memory is what a scan pays most for.
var statePool = sync.Pool{New: func() any { return &fnState{env: map[string]Value{}} }}

// release returns st to the pool once nothing reads it any more.
func (a *analyzer) release(st *fnState) {
	env, stack := st.env, st.argStack
	clear(env)
	clear(stack) // only a panicking run leaves values; calls clear what they pop
	*st = fnState{env: env, argStack: stack[:0]}
	statePool.Put(st)
}

func (a *analyzer) run(f *Func, record bool) (st *fnState) {
	st = statePool.Get().(*fnState)
	st.a, st.f, st.m, st.sum, st.record = a, f, f.Mod, &Summary{}, record
	defer func() {
		// A malformed tree must not take the scan down: drop this
		// function's results and say so.
		if r := recover(); r != nil {
			st.flows, st.calls, st.cmps, st.keys = nil, nil, nil, nil
			st.sum = &Summary{}
			st.panic = fmt.Sprintf("%s: %s(): internal error: %v", f.Mod.Path, f.Name, r)
		}
	}()
	st.initParams()
	st.block(skipDefs(f.Def.Body), 0)
	st.sum.Ret = st.ret
	return st
}

// skipDefs drops nested function and class definitions, which are analysed
// on their own.
func skipDefs(body []python.Stmt) []python.Stmt {
	out := make([]python.Stmt, 0, len(body))
	for _, s := range body {
		switch s.(type) {
		case *python.FunctionDef, *python.AsyncFunctionDef, *python.ClassDef:
			continue
		}
		out = append(out, s)
	}
	return out
}

// returnedKeys finds, for a get_context_data method, the per-key values of
// the dict it returns (context["k"] = v; return context).
func (s *fnState) returnedKeys() map[string]Value {
	out := map[string]Value{}
	for _, st := range s.f.Def.Body {
		r, ok := st.(*python.Return)
		if !ok || r.Value == nil {
			continue
		}
		if n, ok := r.Value.(*python.Name); ok {
			for k, v := range s.dictOf(n, 0) {
				out[k] = v
			}
		}
		if d, ok := r.Value.(*python.Dict); ok {
			for k, v := range s.dictOf(d, 0) {
				out[k] = v
			}
		}
	}
	return out
}

// importOrder returns the modules so that a module comes after the project
// modules it imports (cycles broken in path order): summaries of callees
// are then usually ready when their callers are analysed.
func importOrder(ix *Index) []*Module {
	out := make([]*Module, 0, len(ix.Modules))
	state := make(map[*Module]int, len(ix.Modules)) // 1 visiting, 2 done
	var visit func(m *Module, depth int)
	visit = func(m *Module, depth int) {
		if state[m] != 0 {
			return
		}
		state[m] = 1
		if depth < 512 {
			for _, q := range m.importTargets() {
				if dep := ix.moduleOf(q); dep != nil && dep != m {
					visit(dep, depth+1)
				}
			}
		}
		state[m] = 2
		out = append(out, m)
	}
	for _, m := range ix.Modules {
		visit(m, 0)
	}
	return out
}

// importTargets lists the qualified names the module imports, sorted.
func (m *Module) importTargets() []string {
	out := make([]string, 0, len(m.imports))
	for _, q := range m.imports {
		out = append(out, q)
	}
	sort.Strings(out)
	return out
}

// moduleOf returns the project module that a qualified name is, or is
// defined in.
func (ix *Index) moduleOf(q string) *Module {
	for {
		if m := ix.byName[q]; m != nil {
			return m
		}
		i := strings.LastIndexByte(q, '.')
		if i < 0 {
			return nil
		}
		q = q[:i]
	}
}
