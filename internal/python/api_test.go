package python

import (
	"strings"
	"testing"
)

const apiSrc = `import os
import django.utils.safestring
import django.utils.html as html_mod
from django.utils.safestring import mark_safe, SafeString as SS
from django.utils import safestring as ss
from . import views
from ..conf import settings
ms = mark_safe

def view(request):
    from django.shortcuts import render as r
    x = mark_safe(request.GET["q"])
    y = ss.mark_safe(x)
    z = django.utils.safestring.mark_safe(y)
    w = ms(z)
    html_mod.format_html(w)
    settings.DEBUG
    r(request)
    return views.other(os.path.join("a", "b"))
`

func TestResolver(t *testing.T) {
	f := ParseFile("app.py", []byte(apiSrc))
	if len(f.Errors) > 0 {
		t.Fatal(f.Errors)
	}
	r := NewResolver(f.Module)
	var got []string
	Walk(f.Module, func(n Node, parents []Node) bool {
		if c, ok := n.(*Call); ok {
			got = append(got, r.ResolveIn(c.Func, parents))
		}
		return true
	}, nil)
	want := []string{
		"django.utils.safestring.mark_safe",
		"django.utils.safestring.mark_safe",
		"django.utils.safestring.mark_safe",
		"django.utils.safestring.mark_safe",
		"django.utils.html.format_html",
		"django.shortcuts.render",
		".views.other",
		"os.path.join",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("resolved calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// module-level Resolve does not see the function-local import
	var render Expr
	Inspect(f.Module, func(n Node) bool {
		if c, ok := n.(*Call); ok {
			if nm, ok := c.Func.(*Name); ok && nm.Id == "r" {
				render = c.Func
			}
		}
		return true
	})
	if got := ResolveName(f.Module, render); got != "r" {
		t.Errorf("ResolveName(r) = %q, want %q", got, "r")
	}
	attr := &Attribute{Value: &Name{Id: "settings"}, Attr: "DEBUG"}
	if got := r.Resolve(attr); got != "..conf.settings.DEBUG" {
		t.Errorf("Resolve(settings.DEBUG) = %q", got)
	}
	if !r.IsImported(attr) || r.IsImported(&Name{Id: "request"}) {
		t.Error("IsImported")
	}
	if got := r.Resolve(&Call{Func: &Name{Id: "f"}}); got != "" {
		t.Errorf("Resolve(call) = %q, want empty", got)
	}
}

func TestWalkParentsAndLeave(t *testing.T) {
	mod, errs := ParseString("<s>", "def f(a):\n    return g(a + 1)\n")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var trace []string
	Walk(mod, func(n Node, parents []Node) bool {
		if c, ok := n.(*Constant); ok {
			var path []string
			for _, p := range parents {
				path = append(path, typeInfoName(p))
			}
			trace = append(trace, strings.Join(path, ">")+">"+ReprValue(c.Value))
		}
		return true
	}, func(n Node, parents []Node) {
		if _, ok := n.(*Return); ok {
			trace = append(trace, "leave Return")
		}
	})
	want := "Module>FunctionDef>Return>Call>BinOp>1|leave Return"
	if got := strings.Join(trace, "|"); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	// skipping children
	count := 0
	Walk(mod, func(n Node, _ []Node) bool {
		count++
		_, isFunc := n.(*FunctionDef)
		return !isFunc
	}, nil)
	if count != 2 {
		t.Errorf("visited %d nodes, want 2", count)
	}
}

func typeInfoName(n Node) string {
	var b strings.Builder
	b.WriteString(Dump(n, false))
	s := b.String()
	if i := strings.IndexByte(s, '('); i >= 0 {
		return s[:i]
	}
	return s
}

func TestFilePositions(t *testing.T) {
	src := "# -*- coding: latin-1 -*-\nx = 'caf\xe9'; y = mark_safe(x)\n"
	f := ParseFile("p.py", []byte(src))
	if len(f.Errors) > 0 {
		t.Fatal(f.Errors)
	}
	var call *Call
	Inspect(f.Module, func(n Node) bool {
		if c, ok := n.(*Call); ok {
			call = c
		}
		return true
	})
	// columns are UTF-8 byte offsets of the decoded source: é is 2 bytes
	if call.ColOffset != 17 || f.Segment(call) != "mark_safe(x)" {
		t.Errorf("call at col %d, segment %q", call.ColOffset, f.Segment(call))
	}
	if f.Line(2) != "x = 'café'; y = mark_safe(x)" {
		t.Errorf("line 2 = %q", f.Line(2))
	}
	if off := f.Offset(2, 17); off < 0 || string(f.Src[off:off+9]) != "mark_safe" {
		t.Errorf("Offset(2, 17) = %d", off)
	}
	if l, c := f.Position(f.Offset(2, 17)); l != 2 || c != 17 {
		t.Errorf("Position = %d:%d", l, c)
	}
	nodes := NodesAt(f.Module, 2, 27)
	var kinds []string
	for _, n := range nodes {
		kinds = append(kinds, typeInfoName(n))
	}
	if got := strings.Join(kinds, ">"); got != "Assign>Call>Name" {
		t.Errorf("NodesAt = %s", got)
	}
}

func TestRecoveryKeepsRestOfFile(t *testing.T) {
	src := "import os\ndef f(:\n    pass\nx = (1,\ny = 2\ndef g():\n    return 1\n"
	mod, errs := ParseString("bad.py", src)
	if len(errs) == 0 {
		t.Fatal("no errors")
	}
	if errs[0].Line != 2 {
		t.Errorf("first error %v", errs[0])
	}
	var names []string
	Inspect(mod, func(n Node) bool {
		switch t := n.(type) {
		case *FunctionDef:
			names = append(names, "def "+t.Name)
		case *Import:
			names = append(names, "import")
		}
		return true
	})
	if len(names) == 0 || names[0] != "import" {
		t.Errorf("partial AST lost the statements before the error: %v", names)
	}
	// an error in one function body does not lose the next function
	mod, errs = ParseString("bad2.py", "def a():\n    x = = 1\n    y = 2\n\ndef b():\n    return 3\n")
	if len(errs) != 1 {
		t.Fatalf("errors: %v", errs)
	}
	if len(mod.Body) != 2 {
		t.Fatalf("body has %d statements, want 2: %s", len(mod.Body), Dump(mod, false))
	}
	if fn, ok := mod.Body[0].(*FunctionDef); !ok || len(fn.Body) != 1 {
		t.Errorf("first function: %s", Dump(mod.Body[0], false))
	}
	if fn, ok := mod.Body[1].(*FunctionDef); !ok || fn.Name != "b" {
		t.Errorf("second function: %s", Dump(mod.Body[1], false))
	}
	if got := errs[0].Error(); got != "bad2.py:2:9: SyntaxError: invalid syntax" {
		t.Errorf("error text %q", got)
	}
}
