package project

import (
	"bytes"
	"path"
	"strings"

	"github.com/djangoguard/djangoguard/internal/python"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// findSettingsRefs finds every place DJANGO_SETTINGS_MODULE is given a
// literal module name: os.environ.setdefault / assignments in Python files
// (manage.py, wsgi.py, asgi.py, conftest.py, anything), and KEY=VALUE or
// KEY = VALUE lines of .env, pytest.ini, tox.ini, setup.cfg and
// pyproject.toml.
func findSettingsRefs(t *rules.Target) []SettingsRef {
	var out []SettingsRef
	for _, f := range t.Files {
		switch f.Kind {
		case rules.PythonFile:
			if !bytes.Contains(f.Content, []byte("DJANGO_SETTINGS_MODULE")) {
				continue
			}
			how := "python"
			switch b := path.Base(f.Path); b {
			case "manage.py", "wsgi.py", "asgi.py":
				how = b
			case "conftest.py":
				how = "pytest"
			}
			m := Parse(t, f)
			walkStmtsDeep(m.AST.Body, func(n python.Node) {
				if name, line := settingsRefIn(n); name != "" {
					out = append(out, SettingsRef{Module: name, Path: f.Path, Line: line, How: how})
				}
			})
		case rules.ConfigFile, rules.DependencyFile, rules.OtherFile:
			b := strings.ToLower(path.Base(f.Path))
			how := ""
			switch {
			case b == ".env" || strings.HasPrefix(b, ".env.") || strings.HasSuffix(b, ".env"):
				how = ".env"
			case b == "pytest.ini":
				how = "pytest"
			case b == "tox.ini":
				how = "tox"
			case b == "setup.cfg":
				how = "setup.cfg"
			case b == "pyproject.toml":
				how = "pyproject"
			default:
				continue
			}
			if !bytes.Contains(f.Content, []byte("DJANGO_SETTINGS_MODULE")) {
				continue
			}
			for i := 1; i <= f.LineCount(); i++ {
				line := f.LineText(i)
				if strings.HasPrefix(strings.TrimSpace(line), "#") || strings.HasPrefix(strings.TrimSpace(line), ";") {
					continue
				}
				if m := settingsRefRE().FindStringSubmatch(line); m != nil {
					out = append(out, SettingsRef{Module: m[1], Path: f.Path, Line: i, How: how})
				}
			}
		}
	}
	return out
}

// settingsRefIn recognises os.environ.setdefault("DJANGO_SETTINGS_MODULE",
// "x") and os.environ["DJANGO_SETTINGS_MODULE"] = "x".
func settingsRefIn(n python.Node) (string, int) {
	switch n := n.(type) {
	case *python.Call:
		a, ok := n.Func.(*python.Attribute)
		if !ok || a.Attr != "setdefault" || len(n.Args) < 2 {
			return "", 0
		}
		if constStr(n.Args[0]) == "DJANGO_SETTINGS_MODULE" {
			if v := constStr(n.Args[1]); v != "" {
				return v, int(n.Lineno)
			}
		}
	case *python.Assign:
		for _, tg := range n.Targets {
			if s, ok := tg.(*python.Subscript); ok && constStr(s.Slice) == "DJANGO_SETTINGS_MODULE" {
				if v := constStr(n.Value); v != "" {
					return v, int(n.Lineno)
				}
			}
		}
	}
	return "", 0
}

func constStr(e python.Expr) string {
	if c, ok := e.(*python.Constant); ok {
		if s, ok := c.Value.(python.Str); ok {
			return string(s)
		}
	}
	return ""
}

// walkStmtsDeep visits every statement, including function and class
// bodies, and the calls inside expression statements and assignments.
func walkStmtsDeep(body []python.Stmt, fn func(python.Node)) {
	var visit func(body []python.Stmt, depth int)
	visit = func(body []python.Stmt, depth int) {
		if depth > 200 {
			return
		}
		for _, s := range body {
			fn(s)
			switch s := s.(type) {
			case *python.ExprStmt:
				fn(s.Value)
			case *python.FunctionDef:
				visit(s.Body, depth+1)
			case *python.AsyncFunctionDef:
				visit(s.Body, depth+1)
			case *python.ClassDef:
				visit(s.Body, depth+1)
			case *python.If:
				visit(s.Body, depth+1)
				visit(s.Orelse, depth+1)
			case *python.For:
				visit(s.Body, depth+1)
				visit(s.Orelse, depth+1)
			case *python.While:
				visit(s.Body, depth+1)
				visit(s.Orelse, depth+1)
			case *python.With:
				visit(s.Body, depth+1)
			case *python.Try:
				visit(s.Body, depth+1)
				for _, h := range s.Handlers {
					visit(h.Body, depth+1)
				}
				visit(s.Orelse, depth+1)
				visit(s.Finalbody, depth+1)
			}
		}
	}
	visit(body, 0)
}
