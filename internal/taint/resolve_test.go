package taint

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/djangoguard/djangoguard/internal/rules"
)

func target(files map[string]string) *rules.Target {
	var fs []*rules.File
	for p, c := range files {
		fs = append(fs, &rules.File{Path: p, Kind: rules.PythonFile, Content: []byte(c)})
	}
	return rules.NewTarget("/t", sortFiles(fs))
}

func sortFiles(fs []*rules.File) []*rules.File {
	for i := range fs {
		for j := i + 1; j < len(fs); j++ {
			if fs[j].Path < fs[i].Path {
				fs[i], fs[j] = fs[j], fs[i]
			}
		}
	}
	return fs
}

// TestResolve checks name resolution through imports, aliases, relative
// imports and re-exports: the callee of the last call of app/views.py's
// function named by each case.
func TestResolve(t *testing.T) {
	tg := target(map[string]string{
		"app/__init__.py":       "",
		"app/db.py":             "from django.db import connection\ndef run(sql):\n    connection.cursor().execute(sql)\n",
		"app/utils/__init__.py": "from .html import mark as safe_mark  # re-export\nfrom ..db import run as q\n",
		"app/utils/html.py":     "from django.utils.safestring import mark_safe as mark\n",
		"app/views.py": `from django.utils import safestring as s
import django.utils.html
import subprocess as sp
from . import db
from .utils import safe_mark, q
from app.utils import html as h
ms = s.mark_safe

def a(): s.mark_safe(1)
def b(): django.utils.html.escape(1)
def c(): sp.run(1)
def d(): db.run(1)
def e(): safe_mark(1)
def f(): q(1)
def g(): h.mark(1)
def i(): ms(1)
def j():
    sp = object()
    sp.run(1)
def k(): print(1)
`,
	})
	res, err := Analyze(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	var views *Module
	for _, m := range res.Index.Modules {
		if m.Path == "app/views.py" {
			views = m
		}
	}
	if views == nil || views.Name != "app.views" {
		t.Fatalf("app/views.py not indexed as app.views: %+v", views)
	}
	want := map[string]string{
		"a": "django.utils.safestring.mark_safe",
		"b": "django.utils.html.escape",
		"c": "subprocess.run",
		"d": "app.db.run",
		"e": "django.utils.safestring.mark_safe",
		"f": "app.db.run",
		"g": "django.utils.safestring.mark_safe",
		"i": "django.utils.safestring.mark_safe",
		"j": "", // a local variable shadows the import
		"k": "builtins.print",
	}
	got := map[string]string{}
	for _, cs := range res.Calls {
		if cs.Func != nil && cs.Mod == views {
			got[cs.Func.Name] = cs.Callee
		}
	}
	// Calls with an unresolved callee are only recorded for some methods;
	// j's sp.run(1) is not, which is what "" means here.
	for fn, w := range want {
		if got[fn] != w {
			t.Errorf("%s(): callee %q, want %q", fn, got[fn], w)
		}
	}
}

func TestRoutePatterns(t *testing.T) {
	p := parsePathPattern("notes/<int:pk>/<slug:s>/<str:name>/<path:rest>/<uuid:u>/<x>")
	for name, safe := range map[string]bool{"pk": true, "s": true, "name": false, "rest": false, "u": true, "x": false} {
		if got, ok := p[name]; !ok || got.Safe != safe {
			t.Errorf("path param %s: %+v, want safe=%v", name, got, safe)
		}
	}
	r := parseRegexPattern(`^a/(?P<id>\d+)/(?P<tag>[a-z0-9-]+)/(?P<any>[^/]+)/(?P<dot>[\w.]+)/(?P<alt>(?:x|y)+)$`)
	for name, safe := range map[string]bool{"id": true, "tag": true, "any": false, "dot": false, "alt": true} {
		if got, ok := r[name]; !ok || got.Safe != safe {
			t.Errorf("regex param %s: %+v, want safe=%v", name, got, safe)
		}
	}
}

func TestModuleNames(t *testing.T) {
	dirs := map[string]bool{"src/pkg": true, "src/pkg/sub": true}
	for in, want := range map[string]string{
		"src/pkg/sub/mod.py":  "pkg.sub.mod",
		"src/pkg/__init__.py": "pkg",
		"manage.py":           "manage",
		"scripts/tool.py":     "tool",
	} {
		if got, _ := packageRootName(in, dirs); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}

// TestIncludeCyclesEnd: URLconfs that include each other (and themselves)
// end, and the prefixes seen on the way reach the view.
func TestIncludeCyclesEnd(t *testing.T) {
	tg := target(map[string]string{
		"app/__init__.py": "",
		"app/views.py":    "def show(request, a, b):\n    return a + b\n",
		"app/urls.py": `from django.urls import include, path
from . import views
urlpatterns = [
    path("a/<str:a>/", include("app.urls2")),
    path("self/<int:n>/", include("app.urls")),
    path("x/", include("app.urls")),
    path("s/", views.show),
]
`,
		"app/urls2.py": `from django.urls import include, path
urlpatterns = [
    path("b/<str:b>/", include("app.urls")),
    path("again/", include("app.urls2")),
]
`,
	})
	res, err := Analyze(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	var route *Route
	for f, r := range res.Routes {
		if f.Name == "show" {
			route = r
		}
	}
	if route == nil {
		t.Fatal("show has no route")
	}
	for name, safe := range map[string]bool{"a": false, "b": false, "n": true} {
		p, ok := route.Params[name]
		if !ok {
			t.Errorf("show does not receive %s through the includes: %+v", name, route.Params)
		} else if p.Safe != safe {
			t.Errorf("%s: safe=%v, want %v", name, p.Safe, safe)
		}
	}
}

// TestIncludeFanOutBounded: URLconfs u0 to u8, each including the next ten
// times under different prefixes, have no cycle for the module stack to
// cut and 10^8 ways down to the view; the expansion budget ends the walk.
func TestIncludeFanOutBounded(t *testing.T) {
	files := map[string]string{
		"app/__init__.py": "",
		"app/views.py":    "def show(request, pa):\n    return pa\n",
		"app/u8.py":       "from django.urls import path\nfrom . import views\nurlpatterns = [path(\"v/\", views.show)]\n",
	}
	for level := 0; level < 8; level++ {
		src := "from django.urls import include, path\nurlpatterns = [\n"
		for i := 0; i < 10; i++ {
			src += fmt.Sprintf("    path(\"l%d/<str:p%d>/\", include(\"app.u%d\")),\n", i, i, level+1)
		}
		files[fmt.Sprintf("app/u%d.py", level)] = src + "]\n"
	}
	tg := target(files)
	done := make(chan error, 1)
	go func() {
		_, err := Analyze(context.Background(), tg)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the include walk did not end in 30 s")
	}
}
