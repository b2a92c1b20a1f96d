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
	"sync"

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
	// Returns holds the abstract return value of every function, for the
	// view join (get_context_data, get_queryset).
	Returns map[*Func]Value
	// Envs holds, for get_context_data methods, the per-key values of the
	// returned dict.
	ContextKeys map[*Func]map[string]Value
	Rounds      int
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

// parallel runs f(i) for i in [0,n) on bounded workers, stopping early when
// ctx is cancelled.
func parallel(ctx context.Context, n int, f func(i int)) error {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	var err error
loop:
	for i := 0; i < n; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break loop
		}
	}
	close(next)
	wg.Wait()
	return err
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
		Returns: map[*Func]Value{}, ContextKeys: map[*Func]map[string]Value{}}
	for _, m := range mods {
		ix.collectRoutes(m, res.Routes, res.ClassRoutes)
	}
	a := &analyzer{ix: ix, sums: map[*Func]*Summary{}, routes: res.Routes, cviews: res.ClassRoutes}

	// Every function, method and module body is a unit of analysis. The
	// first round analyses every unit, recording its findings and call
	// sites and computing its summary; each later round re-analyses only
	// the units that used a summary that changed, until none changes or
	// maxRounds is reached. A unit's record is the one of its last run.
	var units []*Func
	for _, m := range mods {
		units = append(units, m.Funcs...)
	}
	for _, m := range mods {
		units = append(units, moduleFunc(m))
	}
	states := make([]*fnState, len(units))
	deps := make([][]*Func, len(units))
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
		if err := parallel(ctx, len(todo), func(k int) {
			i := todo[k]
			st := a.run(units[i], true)
			states[i] = st
			deps[i] = deps[i][:0]
			for f := range st.deps {
				deps[i] = append(deps[i], f)
			}
		}); err != nil {
			return nil, err
		}
		changed := map[*Func]bool{}
		sums := make(map[*Func]*Summary, len(a.sums)+len(todo))
		for f, s := range a.sums {
			sums[f] = s
		}
		for _, i := range todo {
			f := units[i]
			if !states[i].sum.equal(a.sums[f]) {
				changed[f] = true
			}
			sums[f] = states[i].sum
		}
		a.sums = sums
		if len(changed) == 0 {
			break
		}
		for i := range units {
			dirty[i] = false
			for _, d := range deps[i] {
				if changed[d] {
					dirty[i] = true
					break
				}
			}
		}
	}
	seen := map[flowKey]bool{}
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
		if f := units[i]; f.Def != nil && f.Name != "<module>" {
			res.Returns[f] = st.ret
			if f.Def.Name == "get_context_data" {
				res.ContextKeys[f] = st.returnedKeys()
			}
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

func (a *analyzer) run(f *Func, record bool) (st *fnState) {
	st = &fnState{a: a, f: f, m: f.Mod, env: map[string]Value{}, sum: &Summary{}, record: record}
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
