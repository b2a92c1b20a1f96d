package settings

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/djangoguard/djangoguard/internal/python"
)

// FuzzEvaluate runs the evaluator on arbitrary modules: it must not panic,
// and it must stop within its step budget. Seeds are the example projects'
// settings modules and a few hostile shapes.
func FuzzEvaluate(f *testing.F) {
	seeds, _ := filepath.Glob("../../examples/*/mysite/settings/*.py")
	more, _ := filepath.Glob("../../examples/*/api/apisite/*.py")
	for _, p := range append(seeds, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	for _, s := range []string{
		"from .base import *\nX = 1\n",
		"A = [1]\nfor i in range(10):\n    A = A + A\n",
		"A = 'x' * 10 ** 9\nB = A + A\n",
		"D = {}\nD['a']['b'] = 1\nD.update(x=1)\nL = []\nL.insert(-5, 2)\nL.pop(7)\n",
		"import os\nX = os.environ.get(os.environ['A'], [1, 2])[5:-1:2]\n",
		"try:\n    from .nope import *\nexcept ImportError:\n    X = 1\nelse:\n    X = 2\nfinally:\n    Y = 3\n",
		"if a:\n    if b:\n        X = 1\n    else:\n        X = 2\nelse:\n    del X\n",
		"X = f'{1}{2!r}{3:>4}'\nY = '%s%d%%' % ('a', 1)\nZ = '{}{x}'.format(1, x=2)\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		mod, _ := python.Parse("m.py", []byte(src))
		if mod == nil {
			return
		}
		s := memSource{
			"m":    &SourceModule{Name: "m", Path: "m.py", Abs: "/p/m.py", AST: mod},
			"base": &SourceModule{Name: "base", Path: "base.py", Abs: "/p/base.py", AST: mod},
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ev := New(s, Options{MaxSteps: 200_000})
		r, _ := ev.Evaluate(ctx, "m")
		if r == nil {
			t.Fatal("no result")
		}
		for _, v := range r.Names {
			_ = v.String()
			_, _ = v.Truth()
		}
	})
}
