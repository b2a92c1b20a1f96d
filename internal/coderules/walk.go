package coderules

import "github.com/djangoguard/djangoguard/internal/python"

const maxWalkDepth = 200

// walker visits the expressions of statements, without descending into
// nested function or class definitions.
type walker struct{ fn func(python.Expr) }

func (w *walker) stmts(b []python.Stmt, d int) {
	for _, s := range b {
		w.stmt(s, d+1)
	}
}

func (w *walker) stmt(s python.Stmt, d int) {
	if d > maxWalkDepth {
		return
	}
	switch s := s.(type) {
	case *python.ExprStmt:
		w.expr(s.Value, d)
	case *python.Assign:
		for _, t := range s.Targets {
			w.expr(t, d)
		}
		w.expr(s.Value, d)
	case *python.AugAssign:
		w.expr(s.Target, d)
		w.expr(s.Value, d)
	case *python.AnnAssign:
		w.expr(s.Target, d)
		w.expr(s.Value, d)
	case *python.Return:
		w.expr(s.Value, d)
	case *python.If:
		w.expr(s.Test, d)
		w.stmts(s.Body, d)
		w.stmts(s.Orelse, d)
	case *python.While:
		w.expr(s.Test, d)
		w.stmts(s.Body, d)
		w.stmts(s.Orelse, d)
	case *python.For:
		w.expr(s.Target, d)
		w.expr(s.Iter, d)
		w.stmts(s.Body, d)
		w.stmts(s.Orelse, d)
	case *python.AsyncFor:
		w.expr(s.Iter, d)
		w.stmts(s.Body, d)
	case *python.With:
		for _, it := range s.Items {
			w.expr(it.ContextExpr, d)
		}
		w.stmts(s.Body, d)
	case *python.AsyncWith:
		for _, it := range s.Items {
			w.expr(it.ContextExpr, d)
		}
		w.stmts(s.Body, d)
	case *python.Try:
		w.stmts(s.Body, d)
		for _, h := range s.Handlers {
			w.stmts(h.Body, d)
		}
		w.stmts(s.Orelse, d)
		w.stmts(s.Finalbody, d)
	case *python.Raise:
		w.expr(s.Exc, d)
	case *python.Assert:
		w.expr(s.Test, d)
	case *python.Match:
		w.expr(s.Subject, d)
		for _, c := range s.Cases {
			w.stmts(c.Body, d)
		}
	}
}

func (w *walker) exprs(es []python.Expr, d int) {
	for _, e := range es {
		w.expr(e, d+1)
	}
}

func (w *walker) expr(e python.Expr, d int) {
	if e == nil || d > maxWalkDepth {
		return
	}
	w.fn(e)
	d++
	switch e := e.(type) {
	case *python.BoolOp:
		w.exprs(e.Values, d)
	case *python.BinOp:
		w.expr(e.Left, d)
		w.expr(e.Right, d)
	case *python.UnaryOp:
		w.expr(e.Operand, d)
	case *python.IfExp:
		w.expr(e.Test, d)
		w.expr(e.Body, d)
		w.expr(e.Orelse, d)
	case *python.Compare:
		w.expr(e.Left, d)
		w.exprs(e.Comparators, d)
	case *python.Call:
		w.expr(e.Func, d)
		w.exprs(e.Args, d)
		for _, k := range e.Keywords {
			w.expr(k.Value, d)
		}
	case *python.Attribute:
		w.expr(e.Value, d)
	case *python.Subscript:
		w.expr(e.Value, d)
		w.expr(e.Slice, d)
	case *python.List:
		w.exprs(e.Elts, d)
	case *python.Tuple:
		w.exprs(e.Elts, d)
	case *python.Set:
		w.exprs(e.Elts, d)
	case *python.Dict:
		for i := range e.Values {
			w.expr(e.Keys[i], d)
			w.expr(e.Values[i], d)
		}
	case *python.JoinedStr:
		w.exprs(e.Values, d)
	case *python.FormattedValue:
		w.expr(e.Value, d)
	case *python.Await:
		w.expr(e.Value, d)
	case *python.NamedExpr:
		w.expr(e.Value, d)
	case *python.Starred:
		w.expr(e.Value, d)
	case *python.ListComp:
		w.expr(e.Elt, d)
		for _, g := range e.Generators {
			w.expr(g.Iter, d)
		}
	case *python.GeneratorExp:
		w.expr(e.Elt, d)
		for _, g := range e.Generators {
			w.expr(g.Iter, d)
		}
	}
}
