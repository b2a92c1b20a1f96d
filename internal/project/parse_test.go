package project

import (
	"context"
	"sort"
	"testing"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// memTarget builds a target from path -> content, classifying .py files as
// Python and the rest by a few names.
func memTarget(files map[string]string) *rules.Target {
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var fs []*rules.File
	for _, p := range paths {
		k := rules.OtherFile
		switch {
		case len(p) > 3 && p[len(p)-3:] == ".py":
			k = rules.PythonFile
		case isDependencyName(p):
			k = rules.DependencyFile
		case isConfigName(p):
			k = rules.ConfigFile
		}
		fs = append(fs, &rules.File{Path: p, Abs: "/mem/" + p, Kind: k, Content: []byte(files[p])})
	}
	return rules.NewTarget("/mem", fs)
}

func TestModuleName(t *testing.T) {
	tg := memTarget(map[string]string{
		"manage.py":                   "",
		"mysite/__init__.py":          "",
		"mysite/settings/__init__.py": "",
		"mysite/settings/base.py":     "",
		"src/app/__init__.py":         "",
		"src/app/views.py":            "",
		"scripts/tool.py":             "",
		"my-site/__init__.py":         "",
		"my-site/x.py":                "",
		"proj/mysite/__init__.py":     "",
		"proj/mysite/settings.py":     "",
	})
	cases := map[string]string{
		"manage.py":                   "manage",
		"mysite/__init__.py":          "mysite",
		"mysite/settings/base.py":     "mysite.settings.base",
		"mysite/settings/__init__.py": "mysite.settings",
		"src/app/views.py":            "app.views",
		"scripts/tool.py":             "tool",
		"my-site/x.py":                "",
		"proj/mysite/settings.py":     "mysite.settings",
		"README.md":                   "",
	}
	for p, want := range cases {
		if got := ModuleName(tg, p); got != want {
			t.Errorf("ModuleName(%q) = %q, want %q", p, got, want)
		}
	}
	if got := SourceRoot(tg, "proj/mysite/settings.py"); got != "proj" {
		t.Errorf("SourceRoot = %q, want proj", got)
	}
	if got := SourceRoot(tg, "mysite/settings/__init__.py"); got != "" {
		t.Errorf("SourceRoot = %q, want root", got)
	}
}

func TestParseIsMemoized(t *testing.T) {
	tg := memTarget(map[string]string{"a.py": "X = 1\n"})
	m1 := Parse(tg, tg.File("a.py"))
	m2 := Parse(tg, tg.File("a.py"))
	if m1 != m2 {
		t.Fatal("Parse parsed twice")
	}
	if len(m1.AST.Body) != 1 || len(m1.Errors) != 0 || m1.Name != "a" {
		t.Fatalf("unexpected module: %+v", m1)
	}
}

func TestSyntaxErrorRule(t *testing.T) {
	tg := memTarget(map[string]string{
		"ok.py":     "X = 1\n",
		"py2.py":    "X = 1\nprint \"hello\"\nY = 2\n",
		"indent.py": "def f():\nreturn 1\n",
	})
	var got []rules.Finding
	pass := rules.NewPass(context.Background(), SyntaxErrorRule, tg, nil, func(f rules.Finding) { got = append(got, f) })
	if err := SyntaxErrorRule.Run(pass); err != nil {
		t.Fatal(err)
	}
	byPath := map[string]int{}
	for _, f := range got {
		byPath[f.Path] = f.Line
		if f.RuleID != "DJG002" || f.Column < 1 {
			t.Errorf("bad finding %+v", f)
		}
	}
	if byPath["py2.py"] != 2 {
		t.Errorf("py2.py: line %d, want 2 (%+v)", byPath["py2.py"], got)
	}
	if byPath["indent.py"] != 2 {
		t.Errorf("indent.py: line %d, want 2 (%+v)", byPath["indent.py"], got)
	}
	if _, ok := byPath["ok.py"]; ok {
		t.Error("ok.py reported")
	}
}
