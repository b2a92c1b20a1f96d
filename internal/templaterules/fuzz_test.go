package templaterules

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// FuzzRules runs every 3xx rule on one arbitrary template (with a CSP
// middleware in the settings so that DJG310 runs too) and checks that no
// rule fails or reports a position outside the file.
func FuzzRules(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/suite/*/templates/*/*.html")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
	}
	f.Add([]byte(`<form method=post>{% include "t.html" %}</form>{% autoescape off %}{{ x }}`), true)
	f.Fuzz(func(t *testing.T, src []byte, jinja bool) {
		name := "app/templates/t.html"
		if jinja {
			name = "app/jinja2/t.html"
		}
		tg := rules.NewTarget("/p", []*rules.File{
			{Path: name, Kind: rules.TemplateFile, Content: src},
			{Path: "p/settings.py", Kind: rules.PythonFile, Content: []byte(`MIDDLEWARE = ["csp.middleware.CSPMiddleware"]`)},
		})
		lines := tg.File(name).LineCount()
		for _, r := range Rules() {
			err := r.Run(rules.NewPass(context.Background(), r, tg, nil, func(f rules.Finding) {
				if f.Path != name || f.Line < 1 || f.Line > lines || f.Column < 1 || f.EndLine < f.Line {
					t.Fatalf("%s: bad position %s:%d:%d-%d:%d", r.Code, f.Path, f.Line, f.Column, f.EndLine, f.EndColumn)
				}
			}))
			if err != nil {
				t.Fatalf("%s: %v", r.Code, err)
			}
		}
	})
}
