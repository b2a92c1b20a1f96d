package taint

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// FuzzAnalyze runs the whole analysis on arbitrary Python source wired as
// a view module: it must neither crash nor hit an internal error, whatever
// the input. Seeded from the code-rule suite.
func FuzzAnalyze(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "coderules", "testdata", "suite", "app", "*.py"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("def v(request):\n    x = " + strings.Repeat("(", 300) + "request.GET" + strings.Repeat(")", 300) + "\n    eval(x)\n"))
	f.Add([]byte("def a(x):\n    return b(x)\ndef b(x):\n    return a(x)\ndef v(request):\n    eval(a(request.GET['q']))\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		files := []*rules.File{
			{Path: "app/__init__.py", Kind: rules.PythonFile},
			{Path: "app/urls.py", Kind: rules.PythonFile, Content: []byte("from django.urls import path\nfrom . import views\nurlpatterns = [path('<str:a>/<path:b>', views.v)]\n")},
			{Path: "app/views.py", Kind: rules.PythonFile, Content: src},
		}
		res, err := Analyze(context.Background(), rules.NewTarget("/fuzz", files))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Internal) > 0 {
			t.Fatalf("internal error: %s", res.Internal[0])
		}
		for _, fl := range res.Flows {
			if len(fl.Trace) == 0 || len(fl.Trace) > maxTrace+1 {
				t.Fatalf("flow at %s:%d has a trace of %d steps", fl.Path, fl.Line, len(fl.Trace))
			}
		}
	})
}
