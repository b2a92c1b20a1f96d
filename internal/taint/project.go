package taint

import (
	"path"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/djangoguard/djangoguard/internal/python"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// Module is one parsed Python file of the project with its symbol table.
type Module struct {
	Name  string // dotted module name, e.g. "notes.views"
	Path  string // file path relative to the scan root
	File  *rules.File
	AST   *python.Module
	isPkg bool // an __init__.py

	// imports maps a local name to the qualified name it was imported as.
	imports map[string]string
	// defs maps top-level function names to functions.
	defs map[string]*Func
	// classes maps top-level class names to classes.
	classes map[string]*Class
	// aliases maps a top-level name to the expression it was bound to once
	// (name = other.name), for re-exports.
	aliases map[string]python.Expr
	// consts are top-level names bound to literal collections of constants
	// (allowlists) or to string constants.
	consts map[string]python.Expr
	// rebound are top-level names assigned more than once.
	rebound map[string]bool

	Funcs   []*Func  // every function and method, in source order
	Classes []*Class // every class, in source order
}

// Func is a function or method.
type Func struct {
	Mod    *Module
	Class  *Class // nil for functions
	Def    *python.FunctionDef
	Name   string // "f" or "C.m"
	QName  string // "mod.f" or "mod.C.m"
	Params []string
	Async  bool
	// Decorators are the qualified names of the decorators (call decorators
	// by their callee), "" when unresolved.
	Decorators []string
	Nested     bool // defined inside another function

	// Per-function cache, filled on the first analysis and reused by the
	// later rounds (a function is analysed by one goroutine at a time).
	paramVals []Value
	// sum is the function's latest summary, published as soon as it is
	// computed so that callers analysed later in the same round use it.
	sum atomic.Pointer[Summary]
}

// Class is a class definition.
type Class struct {
	Mod     *Module
	Def     *python.ClassDef
	QName   string
	Bases   []string // qualified names of the bases, "" when unresolved
	Methods map[string]*Func
	// Attrs are class-level assignments (template_name = "...", model = X).
	Attrs map[string]python.Expr
	// Meta is the nested Meta class, if any.
	Meta *python.ClassDef
}

// moduleName derives a dotted module name from a relative file path.
func moduleName(p string) (name string, isPkg bool) {
	p = strings.TrimSuffix(p, ".py")
	parts := strings.Split(p, "/")
	if parts[len(parts)-1] == "__init__" {
		parts = parts[:len(parts)-1]
		isPkg = true
	}
	return strings.Join(parts, "."), isPkg
}

// Index is the project-wide module table and resolver.
type Index struct {
	Modules []*Module
	byName  map[string]*Module
	// roots are the first segments of the project's module names: a
	// qualified name starting elsewhere (django..., os...) is external and
	// already canonical.
	roots map[string]bool
}

func newIndex(mods []*Module) *Index {
	ix := &Index{Modules: mods, byName: map[string]*Module{}}
	// Modules are named from their package root (the first directory up
	// without an __init__.py), which is how Python imports them when that
	// directory is on sys.path (manage.py's directory, a src/ layout). The
	// path from the scan root is registered too, for projects scanned from
	// above their source root, unless another module has that name.
	for _, m := range mods {
		if _, ok := ix.byName[m.Name]; !ok {
			ix.byName[m.Name] = m
		}
	}
	for _, m := range mods {
		full, _ := moduleName(m.Path)
		if _, ok := ix.byName[full]; !ok {
			ix.byName[full] = m
		}
	}
	ix.roots = map[string]bool{}
	for name := range ix.byName {
		first, _, _ := strings.Cut(name, ".")
		ix.roots[first] = true
	}
	return ix
}

// packageRootName names a module from its package root: pkgDirs holds the
// directories that contain an __init__.py.
func packageRootName(p string, pkgDirs map[string]bool) (string, bool) {
	full, isPkg := moduleName(p)
	dir := path.Dir(p)
	n := 0 // number of package directories above the file
	for dir != "." && dir != "/" && pkgDirs[dir] {
		n++
		dir = path.Dir(dir)
	}
	parts := strings.Split(full, ".")
	keep := n + 1
	if isPkg {
		keep = n
	}
	if keep < 1 {
		keep = 1
	}
	if keep > len(parts) {
		keep = len(parts)
	}
	return strings.Join(parts[len(parts)-keep:], "."), isPkg
}

// module returns the project module of a dotted name, or nil.
func (ix *Index) module(name string) *Module { return ix.byName[name] }

// absImport turns the module of a `from ... import` into an absolute name.
func absImport(m *Module, level int, mod string) string {
	if level == 0 {
		return mod
	}
	pkg := m.Name
	if !m.isPkg {
		if i := strings.LastIndexByte(pkg, '.'); i >= 0 {
			pkg = pkg[:i]
		} else {
			pkg = ""
		}
	}
	for i := 1; i < level; i++ {
		if j := strings.LastIndexByte(pkg, '.'); j >= 0 {
			pkg = pkg[:j]
		} else {
			pkg = ""
		}
	}
	switch {
	case pkg == "":
		return mod
	case mod == "":
		return pkg
	}
	return pkg + "." + mod
}

// buildSymbols fills the module's symbol table and function list (one walk
// of the top level and of class bodies; function bodies are visited for
// nested definitions only).
func buildSymbols(m *Module) {
	m.imports = map[string]string{}
	m.defs = map[string]*Func{}
	m.classes = map[string]*Class{}
	m.aliases = map[string]python.Expr{}
	m.consts = map[string]python.Expr{}
	m.rebound = map[string]bool{}
	if m.AST == nil {
		return
	}
	assigned := map[string]int{}
	var visitStmts func(body []python.Stmt, cls *Class, nested bool, depth int)
	visitStmts = func(body []python.Stmt, cls *Class, nested bool, depth int) {
		if depth > 64 {
			return
		}
		for _, s := range body {
			switch s := s.(type) {
			case *python.Import:
				for _, a := range s.Names {
					if nested || cls != nil {
						// A function-level import: bind it when the name is
						// free at module level (an approximation of scopes).
						local := a.Asname
						if local == "" {
							local, _, _ = strings.Cut(a.Name, ".")
						}
						if _, taken := m.imports[local]; taken {
							continue
						}
					}
					if a.Asname != "" {
						m.imports[a.Asname] = a.Name
					} else {
						first := a.Name
						if i := strings.IndexByte(first, '.'); i >= 0 {
							first = first[:i]
						}
						m.imports[first] = first
					}
				}
			case *python.ImportFrom:
				base := absImport(m, s.Level, s.Module)
				for _, a := range s.Names {
					if a.Name == "*" {
						continue
					}
					local := a.Asname
					if local == "" {
						local = a.Name
					}
					if _, taken := m.imports[local]; taken && (nested || cls != nil) {
						continue
					}
					if base == "" {
						m.imports[local] = a.Name
					} else {
						m.imports[local] = base + "." + a.Name
					}
				}
			case *python.FunctionDef:
				f := newFunc(m, cls, s, nested)
				m.Funcs = append(m.Funcs, f)
				if cls != nil {
					cls.Methods[s.Name] = f
				} else if !nested {
					m.defs[s.Name] = f
				}
				visitStmts(s.Body, nil, true, depth+1)
			case *python.AsyncFunctionDef:
				fd := &python.FunctionDef{Pos: s.Pos, Name: s.Name, Args: s.Args, Body: s.Body, DecoratorList: s.DecoratorList, Returns: s.Returns}
				f := newFunc(m, cls, fd, nested)
				f.Async = true
				m.Funcs = append(m.Funcs, f)
				if cls != nil {
					cls.Methods[s.Name] = f
				} else if !nested {
					m.defs[s.Name] = f
				}
				visitStmts(s.Body, nil, true, depth+1)
			case *python.ClassDef:
				if cls != nil && s.Name == "Meta" {
					cls.Meta = s
					continue
				}
				c := &Class{Mod: m, Def: s, Methods: map[string]*Func{}, Attrs: map[string]python.Expr{}}
				c.QName = m.Name + "." + s.Name
				if cls != nil {
					c.QName = cls.QName + "." + s.Name
				}
				m.Classes = append(m.Classes, c)
				if cls == nil && !nested {
					m.classes[s.Name] = c
				}
				visitStmts(s.Body, c, nested, depth+1)
			case *python.Assign:
				if cls != nil {
					for _, t := range s.Targets {
						if n, ok := t.(*python.Name); ok {
							cls.Attrs[n.Id] = s.Value
						}
					}
					continue
				}
				if nested {
					continue
				}
				for _, t := range s.Targets {
					n, ok := t.(*python.Name)
					if !ok {
						continue
					}
					assigned[n.Id]++
					switch v := s.Value.(type) {
					case *python.Name, *python.Attribute:
						m.aliases[n.Id] = v
					case *python.Constant, *python.Set, *python.List, *python.Tuple, *python.Dict, *python.JoinedStr, *python.BinOp:
						m.consts[n.Id] = v
					case *python.Call:
						if fn, ok := v.Func.(*python.Name); ok && (fn.Id == "frozenset" || fn.Id == "set" || fn.Id == "tuple") {
							m.consts[n.Id] = v
						}
					}
				}
			case *python.AnnAssign:
				if cls != nil && s.Value != nil {
					if n, ok := s.Target.(*python.Name); ok {
						cls.Attrs[n.Id] = s.Value
					}
				}
			case *python.If:
				visitStmts(s.Body, cls, nested, depth+1)
				visitStmts(s.Orelse, cls, nested, depth+1)
			case *python.Try:
				visitStmts(s.Body, cls, nested, depth+1)
				for _, h := range s.Handlers {
					visitStmts(h.Body, cls, nested, depth+1)
				}
				visitStmts(s.Orelse, cls, nested, depth+1)
				visitStmts(s.Finalbody, cls, nested, depth+1)
			case *python.With:
				if nested {
					visitStmts(s.Body, cls, nested, depth+1)
				}
			case *python.For:
				if nested {
					visitStmts(s.Body, cls, nested, depth+1)
				}
			case *python.While:
				if nested {
					visitStmts(s.Body, cls, nested, depth+1)
				}
			}
		}
	}
	visitStmts(m.AST.Body, nil, false, 0)
	for n, c := range assigned {
		if c > 1 {
			m.rebound[n] = true
			delete(m.aliases, n)
		}
	}
}

func newFunc(m *Module, cls *Class, d *python.FunctionDef, nested bool) *Func {
	f := &Func{Mod: m, Class: cls, Def: d, Name: d.Name, Nested: nested}
	if cls != nil {
		f.Name = cls.Def.Name + "." + d.Name
		f.QName = cls.QName + "." + d.Name
	} else {
		f.QName = m.Name + "." + d.Name
	}
	if d.Args != nil {
		for _, a := range d.Args.PosOnlyArgs {
			f.Params = append(f.Params, a.Arg)
		}
		for _, a := range d.Args.Args {
			f.Params = append(f.Params, a.Arg)
		}
	}
	return f
}

// resolveClassBases and decorators after every module has symbols.
func (ix *Index) resolveDecls(m *Module) {
	for _, c := range m.Classes {
		c.Bases = c.Bases[:0]
		for _, b := range c.Def.Bases {
			c.Bases = append(c.Bases, ix.resolve(m, b))
		}
	}
	for _, f := range m.Funcs {
		f.Decorators = f.Decorators[:0]
		for _, d := range f.Def.DecoratorList {
			if c, ok := d.(*python.Call); ok {
				d = c.Func
			}
			f.Decorators = append(f.Decorators, ix.resolve(m, d))
		}
	}
}

var builtinNames = map[string]bool{
	"open": true, "eval": true, "exec": true, "compile": true, "__import__": true, "int": true,
	"float": true, "bool": true, "len": true, "str": true, "repr": true, "print": true, "range": true,
	"getattr": true, "setattr": true, "globals": true, "locals": true, "input": true, "isinstance": true,
	"hash": true, "id": true, "abs": true, "min": true, "max": true, "sorted": true, "list": true,
	"dict": true, "set": true, "tuple": true, "frozenset": true, "bytes": true, "vars": true,
	"super": true, "type": true, "iter": true, "next": true, "enumerate": true, "zip": true,
	"round": true, "ord": true, "chr": true, "hex": true, "format": true, "any": true, "all": true,
	"sum": true, "map": true, "filter": true, "reversed": true, "callable": true, "hasattr": true,
}

// resolve returns the canonical qualified name of an expression made of
// names and attributes, following imports, aliases and re-exports across
// project modules; "" when it is a local variable or unknown.
func (ix *Index) resolve(m *Module, e python.Expr) string {
	return ix.resolveDepth(m, e, 0)
}

func (ix *Index) resolveDepth(m *Module, e python.Expr, depth int) string {
	if depth > 12 {
		return ""
	}
	switch e := e.(type) {
	case *python.Name:
		return ix.resolveName(m, e.Id, depth)
	case *python.Attribute:
		base := ix.resolveDepth(m, e.Value, depth+1)
		if base == "" {
			return ""
		}
		if ix.byName[base] == nil {
			// An attribute of a class, a function or an external name:
			// nothing to follow.
			return base + "." + e.Attr
		}
		return ix.canonical(base+"."+e.Attr, depth+1)
	}
	return ""
}

func (ix *Index) resolveName(m *Module, id string, depth int) string {
	if q, ok := m.imports[id]; ok {
		return ix.canonical(q, depth+1)
	}
	if _, ok := m.defs[id]; ok {
		return m.Name + "." + id
	}
	if _, ok := m.classes[id]; ok {
		return m.Name + "." + id
	}
	if a, ok := m.aliases[id]; ok {
		if n, ok := a.(*python.Name); ok && n.Id == id {
			return ""
		}
		return ix.resolveDepth(m, a, depth+1)
	}
	if _, ok := m.consts[id]; ok {
		return m.Name + "." + id
	}
	if builtinNames[id] {
		return "builtins." + id
	}
	return ""
}

// canonical follows re-exports: if a prefix of q is a project module, the
// next segment is looked up in that module's symbols.
func (ix *Index) canonical(q string, depth int) string {
	if depth > 12 {
		return q
	}
	if first, _, _ := strings.Cut(q, "."); !ix.roots[first] {
		return q
	}
	if m := ix.byName[q]; m != nil {
		return m.Name
	}
	// Try the prefixes of q from the longest: q[:i] a module, q[i+1:] the
	// rest (substrings, no allocation).
	for i := strings.LastIndexByte(q, '.'); i > 0; i = strings.LastIndexByte(q[:i], '.') {
		m := ix.byName[q[:i]]
		if m == nil {
			continue
		}
		rest := q[i+1:]
		seg, tail, _ := strings.Cut(rest, ".")
		_, isDef := m.defs[seg]
		_, isClass := m.classes[seg]
		if isDef || isClass {
			if m.Name == q[:i] {
				return q
			}
			return m.Name + "." + rest
		}
		var r string
		if _, ok := m.imports[seg]; ok {
			r = ix.resolveName(m, seg, depth+1)
		} else if _, ok := m.aliases[seg]; ok {
			r = ix.resolveName(m, seg, depth+1)
		} else if sub := ix.byName[q[:i+1+len(seg)]]; sub != nil {
			r = sub.Name
		} else {
			r = m.Name + "." + seg
		}
		if r == "" {
			return q
		}
		if tail != "" {
			return ix.canonical(r+"."+tail, depth+1)
		}
		return r
	}
	return q
}

// funcByName returns the project function of a canonical name.
func (ix *Index) funcByName(q string) *Func {
	i := strings.LastIndexByte(q, '.')
	if i < 0 {
		return nil
	}
	if m := ix.byName[q[:i]]; m != nil {
		if f := m.defs[q[i+1:]]; f != nil && f.QName == q {
			return f
		}
	}
	// A method: mod.Class.method
	if c := ix.classByName(q[:i]); c != nil {
		return ix.method(c, q[i+1:], 0)
	}
	return nil
}

// classByName returns the project class of a canonical name.
func (ix *Index) classByName(q string) *Class {
	i := strings.LastIndexByte(q, '.')
	if i < 0 {
		return nil
	}
	if m := ix.byName[q[:i]]; m != nil {
		if c := m.classes[q[i+1:]]; c != nil && c.QName == q {
			return c
		}
	}
	return nil
}

// method finds a method on a class or its project bases.
func (ix *Index) method(c *Class, name string, depth int) *Func {
	if c == nil || depth > 8 {
		return nil
	}
	if f := c.Methods[name]; f != nil {
		return f
	}
	for _, b := range c.Bases {
		if bc := ix.classByName(b); bc != nil {
			if f := ix.method(bc, name, depth+1); f != nil {
				return f
			}
		}
	}
	return nil
}

// classAttr finds a class attribute on a class or its project bases.
func (ix *Index) classAttr(c *Class, name string, depth int) (python.Expr, *Class) {
	if c == nil || depth > 8 {
		return nil, nil
	}
	if e, ok := c.Attrs[name]; ok {
		return e, c
	}
	for _, b := range c.Bases {
		if bc := ix.classByName(b); bc != nil {
			if e, owner := ix.classAttr(bc, name, depth+1); e != nil {
				return e, owner
			}
		}
	}
	return nil, nil
}

// AllBases returns the qualified names of every base of c, transitively
// through project classes (external bases are leaves).
func (ix *Index) AllBases(c *Class) []string {
	seen := map[string]bool{}
	var out []string
	var walk func(c *Class, depth int)
	walk = func(c *Class, depth int) {
		if depth > 8 {
			return
		}
		for _, b := range c.Bases {
			if b == "" || seen[b] {
				continue
			}
			seen[b] = true
			out = append(out, b)
			if bc := ix.classByName(b); bc != nil {
				walk(bc, depth+1)
			}
		}
	}
	walk(c, 0)
	sort.Strings(out)
	return out
}

// Resolve is the exported form of resolve for rules.
func (ix *Index) Resolve(m *Module, e python.Expr) string { return ix.resolve(m, e) }

// ClassByName returns the project class of a canonical name, or nil.
func (ix *Index) ClassByName(q string) *Class { return ix.classByName(q) }

// ClassAttr finds a class attribute on a class or its project bases.
func (ix *Index) ClassAttr(c *Class, name string) python.Expr {
	e, _ := ix.classAttr(c, name, 0)
	return e
}

// Const returns a module-level constant binding, or nil.
func (m *Module) Const(name string) python.Expr { return m.consts[name] }

// Dir is the module's directory (its package path).
func (m *Module) Dir() string { return path.Dir(m.Path) }

// classAttrClass resolves a class attribute naming a project class
// (form_class = NoteForm).
func (ix *Index) classAttrClass(c *Class, name string) *Class {
	e, owner := ix.classAttr(c, name, 0)
	if e == nil {
		return nil
	}
	return ix.classByName(ix.resolve(owner.Mod, e))
}
