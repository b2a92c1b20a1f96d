package project

import (
	"regexp"
	"strings"
	"sync"

	"github.com/djangoguard/djangoguard/internal/python"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// maxURLDepth bounds include() chains; maxURLs bounds the patterns kept.
const (
	maxURLDepth = 32
	maxURLs     = 20_000
)

type urlWalker struct {
	t     *rules.Target
	src   *projectSource
	out   []*URL
	stack []string
}

// walkURLs flattens the URLconf tree rooted at module root.
func walkURLs(t *rules.Target, src *projectSource, root string) []*URL {
	w := &urlWalker{t: t, src: src}
	w.module(root, "", false)
	return w.out
}

// urlModule is the state of one URLconf module's walk.
type urlModule struct {
	name    string
	file    *rules.File
	imports map[string]string      // local name -> dotted module
	consts  map[string]string      // local name -> string constant
	lists   map[string]python.Expr // local name -> a list of patterns assigned at top level
}

func (w *urlWalker) module(name, prefix string, guarded bool) {
	if len(w.stack) >= maxURLDepth {
		return
	}
	for _, s := range w.stack {
		if s == name {
			return
		}
	}
	f := w.src.file(name)
	if f == nil {
		return
	}
	w.stack = append(w.stack, name)
	defer func() { w.stack = w.stack[:len(w.stack)-1] }()
	m := Parse(w.t, f)
	um := &urlModule{name: name, file: f, imports: map[string]string{}, consts: map[string]string{}, lists: map[string]python.Expr{}}
	pkg := name
	if !strings.HasSuffix(f.Path, "__init__.py") {
		if i := strings.LastIndexByte(pkg, '.'); i >= 0 {
			pkg = pkg[:i]
		} else {
			pkg = ""
		}
	}
	for _, s := range m.AST.Body {
		switch s := s.(type) {
		case *python.ImportFrom:
			base := s.Module
			if s.Level > 0 {
				p := pkg
				for i := 1; i < s.Level; i++ {
					if j := strings.LastIndexByte(p, '.'); j >= 0 {
						p = p[:j]
					} else {
						p = ""
					}
				}
				base = strings.Trim(p+"."+s.Module, ".")
			}
			for _, a := range s.Names {
				local := a.Asname
				if local == "" {
					local = a.Name
				}
				um.imports[local] = strings.Trim(base+"."+a.Name, ".")
			}
		case *python.Import:
			for _, a := range s.Names {
				if a.Asname != "" {
					um.imports[a.Asname] = a.Name
				}
			}
		case *python.Assign:
			for _, tg := range s.Targets {
				n, ok := tg.(*python.Name)
				if !ok {
					continue
				}
				if v := constStr(s.Value); v != "" {
					um.consts[n.Id] = v
				}
				switch s.Value.(type) {
				case *python.List, *python.Tuple, *python.BinOp:
					if n.Id != "urlpatterns" {
						um.lists[n.Id] = s.Value
					}
				}
			}
		}
	}
	w.stmts(um, m.AST.Body, prefix, guarded)
}

func (w *urlWalker) stmts(um *urlModule, body []python.Stmt, prefix string, guarded bool) {
	for _, s := range body {
		switch s := s.(type) {
		case *python.Assign:
			for _, tg := range s.Targets {
				if n, ok := tg.(*python.Name); ok && n.Id == "urlpatterns" {
					w.expr(um, s.Value, prefix, guarded, 0)
				}
			}
		case *python.AnnAssign:
			if n, ok := s.Target.(*python.Name); ok && n.Id == "urlpatterns" && s.Value != nil {
				w.expr(um, s.Value, prefix, guarded, 0)
			}
		case *python.AugAssign:
			if n, ok := s.Target.(*python.Name); ok && n.Id == "urlpatterns" {
				w.expr(um, s.Value, prefix, guarded, 0)
			}
		case *python.ExprStmt:
			if c, ok := s.Value.(*python.Call); ok {
				if a, ok := c.Func.(*python.Attribute); ok {
					if n, ok := a.Value.(*python.Name); ok && n.Id == "urlpatterns" {
						for _, arg := range c.Args {
							w.expr(um, arg, prefix, guarded, 0)
						}
					}
				}
			}
		case *python.If:
			g := guarded || mentionsDebug(s.Test)
			w.stmts(um, s.Body, prefix, g)
			w.stmts(um, s.Orelse, prefix, guarded)
		case *python.Try:
			w.stmts(um, s.Body, prefix, guarded)
			for _, h := range s.Handlers {
				w.stmts(um, h.Body, prefix, guarded)
			}
			w.stmts(um, s.Orelse, prefix, guarded)
		}
	}
}

// mentionsDebug says whether an if test reads DEBUG (settings.DEBUG,
// DEBUG, "debug_toolbar" in settings.INSTALLED_APPS...).
func mentionsDebug(e python.Expr) bool {
	found := false
	var visit func(e python.Expr)
	visit = func(e python.Expr) {
		switch x := e.(type) {
		case *python.Name:
			if x.Id == "DEBUG" {
				found = true
			}
		case *python.Attribute:
			if x.Attr == "DEBUG" {
				found = true
			}
			visit(x.Value)
		case *python.BoolOp:
			for _, v := range x.Values {
				visit(v)
			}
		case *python.UnaryOp:
			visit(x.Operand)
		case *python.Compare:
			visit(x.Left)
			for _, c := range x.Comparators {
				visit(c)
			}
			if s := constStr(x.Left); s == "debug_toolbar" {
				found = true
			}
		case *python.Call:
			for _, a := range x.Args {
				visit(a)
			}
		}
	}
	visit(e)
	return found
}

var regexGroupRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\(\?P<[A-Za-z_][A-Za-z0-9_]*>([^)]*)\)`) })

var converterRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`<(?:([A-Za-z_][A-Za-z0-9_]*):)?[A-Za-z_][A-Za-z0-9_]*>`)
})

func (w *urlWalker) add(u *URL) {
	if len(w.out) < maxURLs {
		w.out = append(w.out, u)
	}
}

func (w *urlWalker) expr(um *urlModule, e python.Expr, prefix string, guarded bool, depth int) {
	if depth > 64 || e == nil {
		return
	}
	switch x := e.(type) {
	case *python.List:
		for _, el := range x.Elts {
			w.expr(um, el, prefix, guarded, depth+1)
		}
	case *python.Tuple:
		for _, el := range x.Elts {
			w.expr(um, el, prefix, guarded, depth+1)
		}
	case *python.BinOp:
		w.expr(um, x.Left, prefix, guarded, depth+1)
		w.expr(um, x.Right, prefix, guarded, depth+1)
	case *python.Starred:
		w.expr(um, x.Value, prefix, guarded, depth+1)
	case *python.Name:
		if l, ok := um.lists[x.Id]; ok {
			w.expr(um, l, prefix, guarded, depth+1)
		}
	case *python.Call:
		w.call(um, x, prefix, guarded, depth)
	}
}

func callName(e python.Expr) string {
	switch f := e.(type) {
	case *python.Name:
		return f.Id
	case *python.Attribute:
		return f.Attr
	}
	return ""
}

func dotted(e python.Expr) string {
	switch x := e.(type) {
	case *python.Name:
		return x.Id
	case *python.Attribute:
		if d := dotted(x.Value); d != "" {
			return d + "." + x.Attr
		}
	}
	return ""
}

func (w *urlWalker) call(um *urlModule, c *python.Call, prefix string, guarded bool, depth int) {
	pos := func(u *URL) *URL {
		u.Module, u.Path, u.Line, u.Col = um.name, um.file.Path, int(c.Lineno), int(c.ColOffset)+1
		u.DebugGuarded = guarded
		return u
	}
	switch name := callName(c.Func); name {
	case "static":
		w.add(pos(&URL{Route: prefix + "<static>", Kind: "static", Target: "static()"}))
	case "staticfiles_urlpatterns":
		w.add(pos(&URL{Route: prefix + "<static>", Kind: "static", Target: name + "()"}))
	case "i18n_patterns":
		for _, a := range c.Args {
			w.expr(um, a, prefix, guarded, depth+1)
		}
	case "debug_toolbar_urls":
		w.add(pos(&URL{Route: prefix + "__debug__/", Kind: "debug_toolbar", Target: name + "()"}))
	case "path", "re_path", "url":
		if len(c.Args) < 2 {
			return
		}
		route, known := constStr(c.Args[0]), true
		if route == "" {
			if n, ok := c.Args[0].(*python.Name); ok {
				route, known = um.consts[n.Id], um.consts[n.Id] != ""
			} else if _, ok := c.Args[0].(*python.Constant); !ok {
				known = false
			}
		}
		if !known {
			route = "<?>"
		}
		regex := name != "path"
		full := prefix + route
		if regex {
			full = prefix + strings.TrimPrefix(route, "^")
		}
		u := pos(&URL{Route: full, Regex: regex})
		if regex {
			for _, m := range regexGroupRE().FindAllStringSubmatch(route, -1) {
				conv := "str"
				if m[1] == `\d+` || m[1] == `[0-9]+` {
					conv = "int"
				}
				u.Converters = append(u.Converters, conv)
			}
		} else {
			for _, m := range converterRE().FindAllStringSubmatch(route, -1) {
				conv := m[1]
				if conv == "" {
					conv = "str"
				}
				u.Converters = append(u.Converters, conv)
			}
		}
		target := c.Args[1]
		switch tg := target.(type) {
		case *python.Call:
			if callName(tg.Func) == "include" && len(tg.Args) > 0 {
				w.include(um, u, tg.Args[0], full, guarded, depth)
				return
			}
			u.Kind, u.Target = "view", dotted(tg.Func)
		case *python.Attribute:
			d := dotted(tg)
			if strings.HasSuffix(d, "site.urls") && (strings.Contains(d, "admin") || um.imports[strings.SplitN(d, ".", 2)[0]] != "") {
				u.Kind, u.Target = "admin", d
			} else {
				u.Kind, u.Target = "view", d
			}
		default:
			u.Kind, u.Target = "view", dotted(tg)
		}
		w.add(u)
	}
}

// include follows include(...) with the route prefix.
func (w *urlWalker) include(um *urlModule, u *URL, arg python.Expr, prefix string, guarded bool, depth int) {
	u.Kind = "include"
	switch a := arg.(type) {
	case *python.Tuple:
		if len(a.Elts) > 0 {
			w.include(um, u, a.Elts[0], prefix, guarded, depth)
		}
		return
	case *python.List, *python.BinOp:
		u.Target = "[...]"
		w.add(u)
		w.expr(um, a, prefix, guarded, depth+1)
		return
	case *python.Name:
		if l, ok := um.lists[a.Id]; ok {
			u.Target = a.Id
			w.add(u)
			w.expr(um, l, prefix, guarded, depth+1)
			return
		}
	}
	target := constStr(arg)
	if target == "" {
		if d := dotted(arg); d != "" {
			head := strings.SplitN(d, ".", 2)
			if mod, ok := um.imports[head[0]]; ok {
				target = mod
				if len(head) == 2 {
					target += "." + head[1]
				}
			} else {
				target = d
			}
		}
	}
	u.Target = target
	if strings.HasPrefix(target, "debug_toolbar") {
		u.Kind = "debug_toolbar"
	}
	w.add(u)
	if target != "" {
		w.module(target, prefix, guarded)
	}
}
