// Package project finds the Django projects in a scanned tree and builds a
// static model of each: manage.py, WSGI/ASGI entry points, where
// DJANGO_SETTINGS_MODULE is set, the settings modules and which one is judged
// to be production, INSTALLED_APPS, the URLconf tree and the Django version.
//
// It also owns the shared parse cache: every package that needs the AST of a
// Python file of the target asks Parse, which parses each file once per scan.
package project

import (
	"fmt"
	"path"
	"strings"

	"github.com/djangoguard/djangoguard/internal/python"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// Module is a parsed Python file of the target.
type Module struct {
	File   *rules.File
	AST    *python.Module // never nil: an empty module when nothing parsed
	Errors []*python.SyntaxError
	// Name is the dotted module name ("mysite.settings.base"), "" when the
	// file is not importable under a Python identifier path.
	Name string
}

type parseKey struct{ path string }

// Parse returns the parsed module of f, parsing it once per target however
// many rules and goroutines ask.
func Parse(t *rules.Target, f *rules.File) *Module {
	v, _ := t.Memo(parseKey{f.Path}, func() (any, error) {
		ast, errs := safeParse(f)
		if ast == nil {
			ast = &python.Module{}
		}
		return &Module{File: f, AST: ast, Errors: errs, Name: ModuleName(t, f.Path)}, nil
	})
	return v.(*Module)
}

// safeParse parses f; a panic inside the parser becomes a syntax error of
// the file, so one file cannot stop the scan.
func safeParse(f *rules.File) (m *python.Module, errs []*python.SyntaxError) {
	defer func() {
		if r := recover(); r != nil {
			m = nil
			errs = []*python.SyntaxError{{Filename: f.Path, Line: 1, Col: 1, Msg: fmt.Sprintf("internal parser error (%v); the file is not analysed", r)}}
		}
	}()
	return python.Parse(f.Path, f.Content)
}

// ParsePath parses the file at a relative path of the target, or returns nil
// when the target has no such Python file.
func ParsePath(t *rules.Target, p string) *Module {
	f := t.File(p)
	if f == nil || f.Kind != rules.PythonFile {
		return nil
	}
	return Parse(t, f)
}

// ModuleName returns the dotted module name of the Python file at the
// relative path p: the path below the highest directory that is still a
// package (has __init__.py) chain, as Python would import it with that
// directory's parent on sys.path. "pkg/__init__.py" is "pkg". It returns ""
// for paths whose parts are not Python identifiers.
func ModuleName(t *rules.Target, p string) string {
	if !strings.HasSuffix(p, ".py") {
		return ""
	}
	dir, file := path.Split(p)
	dir = strings.TrimSuffix(dir, "/")
	parts := []string{}
	stem := strings.TrimSuffix(file, ".py")
	if stem != "__init__" {
		parts = append(parts, stem)
	}
	for dir != "" && dir != "." {
		if t.File(dir+"/__init__.py") == nil {
			break
		}
		parts = append(parts, path.Base(dir))
		dir = path.Dir(dir)
		if dir == "." {
			dir = ""
		}
	}
	if len(parts) == 0 {
		return ""
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	for _, s := range parts {
		if !isIdentifier(s) {
			return ""
		}
	}
	return strings.Join(parts, ".")
}

// SourceRoot returns the directory (relative, "" for the root) that must be
// on sys.path for the file at p to import as ModuleName(t, p).
func SourceRoot(t *rules.Target, p string) string {
	name := ModuleName(t, p)
	if name == "" {
		return path.Dir(p)
	}
	n := strings.Count(name, ".") + 1
	if path.Base(p) == "__init__.py" {
		n++
	}
	d := p
	for i := 0; i < n; i++ {
		d = path.Dir(d)
	}
	if d == "." {
		return ""
	}
	return d
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r > 127:
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
