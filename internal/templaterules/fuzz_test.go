package templaterules

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// FuzzRules runs every 3xx rule on two arbitrary templates, a page and the
// base.html it may extend or include (with a CSP middleware in the
// settings so that DJG310 runs too), and checks that no rule fails or
// reports a position outside the files.
func FuzzRules(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/suite/*/templates/*/*.html")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, []byte(`<script>{% block s %}{% endblock %}</script>`), false)
	}
	f.Add([]byte(`<form method=post>{% include "t.html" %}</form>{% autoescape off %}{{ x }}`), []byte(`{% include "base.html" %}`), true)
	f.Add([]byte(`{% extends "base.html" %}{% block s %}"{{ a }}{% endblock %}{% block h %}{{ b }}{% endblock %}`),
		[]byte(`<a href="{% block h %}{% endblock %}"><script>f({% block s %}{% endblock %})</script>`), false)
	f.Fuzz(func(t *testing.T, src, base []byte, jinja bool) {
		name := "app/templates/t.html"
		if jinja {
			name = "app/jinja2/t.html"
		}
		tg := rules.NewTarget("/p", []*rules.File{
			{Path: "app/templates/base.html", Kind: rules.TemplateFile, Content: base},
			{Path: name, Kind: rules.TemplateFile, Content: src},
			{Path: "p/settings.py", Kind: rules.PythonFile, Content: []byte(`MIDDLEWARE = ["csp.middleware.CSPMiddleware"]`)},
		})
		for _, r := range Rules() {
			err := r.Run(rules.NewPass(context.Background(), r, tg, nil, func(f rules.Finding) {
				file := tg.File(f.Path)
				if file == nil || f.Line < 1 || f.Line > file.LineCount() || f.Column < 1 || f.EndLine < f.Line {
					t.Fatalf("%s: bad position %s:%d:%d-%d:%d", r.Code, f.Path, f.Line, f.Column, f.EndLine, f.EndColumn)
				}
			}))
			if err != nil {
				t.Fatalf("%s: %v", r.Code, err)
			}
		}
	})
}
