package python

import "strings"

// DottedName returns the dotted name an expression spells ("a.b.c" for
// Attribute(Attribute(Name a, b), c)), or "" if it is not a plain chain
// of attribute accesses on a name.
func DottedName(e Expr) string {
	switch t := e.(type) {
	case *Name:
		return t.Id
	case *Attribute:
		base := DottedName(t.Value)
		if base == "" {
			return ""
		}
		return base + "." + t.Attr
	}
	return ""
}

// Resolver resolves names through a module's imports and simple aliases.
type Resolver struct {
	module map[string]string // top-level bindings
	scopes map[Node]map[string]string
}

// NewResolver collects the bindings made by import statements and by
// simple alias assignments (`x = a.b.c`) at module level and, for use with
// ResolveIn, in each function and class body.
func NewResolver(mod *Module) *Resolver {
	r := &Resolver{module: map[string]string{}, scopes: map[Node]map[string]string{}}
	r.collect(mod.Body, r.module)
	Walk(mod, func(n Node, _ []Node) bool {
		switch t := n.(type) {
		case *FunctionDef:
			r.scopes[n] = r.collectScope(t.Body)
		case *AsyncFunctionDef:
			r.scopes[n] = r.collectScope(t.Body)
		case *ClassDef:
			r.scopes[n] = r.collectScope(t.Body)
		}
		return true
	}, nil)
	return r
}

func (r *Resolver) collectScope(body []Stmt) map[string]string {
	m := map[string]string{}
	r.collect(body, m)
	return m
}

// collect records the bindings of the statements of one scope, looking
// into nested blocks (if/try/with/for) but not into nested scopes.
func (r *Resolver) collect(body []Stmt, m map[string]string) {
	for _, s := range body {
		switch t := s.(type) {
		case *Import:
			for _, a := range t.Names {
				if a.Asname != "" {
					m[a.Asname] = a.Name
				} else {
					// `import a.b.c` binds a
					top, _, _ := strings.Cut(a.Name, ".")
					m[top] = top
				}
			}
		case *ImportFrom:
			mod := strings.Repeat(".", t.Level) + t.Module
			for _, a := range t.Names {
				if a.Name == "*" {
					continue
				}
				full := a.Name
				if mod != "" {
					if strings.HasSuffix(mod, ".") {
						full = mod + a.Name
					} else {
						full = mod + "." + a.Name
					}
				}
				if a.Asname != "" {
					m[a.Asname] = full
				} else {
					m[a.Name] = full
				}
			}
		case *Assign:
			if len(t.Targets) == 1 {
				if n, ok := t.Targets[0].(*Name); ok {
					if d := DottedName(t.Value); d != "" {
						if full := resolveIn(d, m, r.module); full != "" && full != n.Id {
							m[n.Id] = full
						}
					} else {
						delete(m, n.Id)
					}
				}
			}
		case *If:
			r.collect(t.Body, m)
			r.collect(t.Orelse, m)
		case *Try:
			r.collect(t.Body, m)
			for _, h := range t.Handlers {
				r.collect(h.Body, m)
			}
			r.collect(t.Orelse, m)
			r.collect(t.Finalbody, m)
		case *TryStar:
			r.collect(t.Body, m)
			for _, h := range t.Handlers {
				r.collect(h.Body, m)
			}
			r.collect(t.Orelse, m)
			r.collect(t.Finalbody, m)
		case *With:
			r.collect(t.Body, m)
		case *AsyncWith:
			r.collect(t.Body, m)
		case *For:
			r.collect(t.Body, m)
		case *While:
			r.collect(t.Body, m)
		}
	}
}

func resolveIn(dotted string, scopes ...map[string]string) string {
	head, rest, hasRest := strings.Cut(dotted, ".")
	for _, m := range scopes {
		if full, ok := m[head]; ok {
			if hasRest {
				return full + "." + rest
			}
			return full
		}
	}
	return dotted
}

// Resolve returns the fully qualified name of e through module-level
// imports and aliases: with `from django.utils.safestring import
// mark_safe as ms`, the expression `ms` resolves to
// "django.utils.safestring.mark_safe". A name that no import binds is
// returned as written ("open", "foo.bar"); relative imports keep their
// leading dots. It returns "" when e is not a dotted name.
func (r *Resolver) Resolve(e Expr) string {
	d := DottedName(e)
	if d == "" {
		return ""
	}
	return resolveIn(d, r.module)
}

// ResolveIn is Resolve for an expression inside nested scopes: parents is
// the ancestor stack from Walk; imports in enclosing function and class
// bodies are consulted (innermost first, class bodies only when directly
// enclosing) before the module's.
func (r *Resolver) ResolveIn(e Expr, parents []Node) string {
	d := DottedName(e)
	if d == "" {
		return ""
	}
	var scopes []map[string]string
	for i := len(parents) - 1; i >= 0; i-- {
		if m, ok := r.scopes[parents[i]]; ok {
			if _, isClass := parents[i].(*ClassDef); isClass && len(scopes) > 0 {
				continue
			}
			scopes = append(scopes, m)
		}
	}
	scopes = append(scopes, r.module)
	return resolveIn(d, scopes...)
}

// IsImported reports whether the first component of the dotted name e is
// bound by an import (or an alias of one) at module level.
func (r *Resolver) IsImported(e Expr) bool {
	d := DottedName(e)
	head, _, _ := strings.Cut(d, ".")
	_, ok := r.module[head]
	return d != "" && ok
}

// ResolveName resolves a dotted name through the module's imports and
// aliases; see Resolver.Resolve. Build a Resolver once to resolve many.
func ResolveName(mod *Module, e Expr) string {
	return NewResolver(mod).Resolve(e)
}
