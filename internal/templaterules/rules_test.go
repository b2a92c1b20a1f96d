package templaterules

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/templates"
)

// target builds a Target from path → content pairs.
func target(files map[string]string) *rules.Target {
	var fs []*rules.File
	for p, c := range files {
		kind := rules.TemplateFile
		if strings.HasSuffix(p, ".py") {
			kind = rules.PythonFile
		}
		fs = append(fs, &rules.File{Path: p, Kind: kind, Content: []byte(c)})
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].Path < fs[j].Path })
	return rules.NewTarget("/project", fs)
}

func run(t *testing.T, r *rules.Rule, tg *rules.Target) ([]rules.Finding, error) {
	t.Helper()
	var out []rules.Finding
	err := r.Run(rules.NewPass(context.Background(), r, tg, nil, func(f rules.Finding) { out = append(out, f) }))
	return out, err
}

func TestInlineScriptCSPNeedsAPolicy(t *testing.T) {
	page := `<script>init()</script><button onclick="go()">Go</button>`
	tests := []struct {
		name     string
		settings string
		want     int
	}{
		{"no settings", "", 0},
		{"django-csp", `MIDDLEWARE = ["csp.middleware.CSPMiddleware"]`, 2},
		{"django 6 csp", "MIDDLEWARE = [\n    'django.middleware.csp.ContentSecurityPolicyMiddleware',\n]\nSECURE_CSP = {'default-src': [CSP.SELF]}", 2},
		{"middleware commented out", `# "csp.middleware.CSPMiddleware",`, 0},
		{"script-src allows unsafe-inline", "MIDDLEWARE = ['csp.middleware.CSPMiddleware']\nCSP_SCRIPT_SRC = (\"'self'\", \"'unsafe-inline'\")", 0},
		{"django 6 unsafe inline", "MIDDLEWARE = ['django.middleware.csp.ContentSecurityPolicyMiddleware']\nSECURE_CSP = {\"script-src\": [CSP.SELF, CSP.UNSAFE_INLINE]}", 0},
		{"only styles allow unsafe-inline", "MIDDLEWARE = ['csp.middleware.CSPMiddleware']\nCSP_STYLE_SRC = (\"'unsafe-inline'\",)", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"app/templates/page.html": page}
			if tt.settings != "" {
				files["config/settings.py"] = tt.settings
			}
			got, err := run(t, InlineScriptCSP, target(files))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Errorf("got %d findings, want %d: %v", len(got), tt.want, got)
			}
		})
	}
}

func TestUnparsableTemplateIsReportedOnce(t *testing.T) {
	big := strings.Repeat("<p>{{ x }}</p>\n", templates.DefaultMaxSize/14+1)
	tg := target(map[string]string{"templates/big.html": big, "templates/ok.html": "{{ x|safe }}"})
	got, err := run(t, SafeFilter, tg)
	if err == nil || !strings.Contains(err.Error(), "templates/big.html") {
		t.Fatalf("DJG301 should report the oversized template, got %v", err)
	}
	if len(got) != 1 || got[0].Path != "templates/ok.html" {
		t.Errorf("the other template should still be checked: %v", got)
	}
	for _, r := range Rules()[1:] {
		if _, err := run(t, r, tg); err != nil {
			t.Errorf("%s repeats the parse error: %v", r.Code, err)
		}
	}
}

func TestCancellation(t *testing.T) {
	tg := target(map[string]string{"templates/a.html": "{{ x|safe }}"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, r := range Rules() {
		err := r.Run(rules.NewPass(ctx, r, tg, nil, func(rules.Finding) {}))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: got %v, want context.Canceled", r.Code, err)
		}
	}
}

func TestIncludeCyclesAndDepth(t *testing.T) {
	files := map[string]string{
		"templates/form.html": `<form method="post">{% include "a.html" %}</form>`,
		"templates/a.html":    `{% include "b.html" %}{% include "a.html" %}`,
		"templates/b.html":    `{% include "a.html" %}`,
	}
	got, err := run(t, FormWithoutCSRF, target(files))
	if err != nil || len(got) != 1 {
		t.Fatalf("a cycle without a token is a finding: %v %v", got, err)
	}
	// a chain deeper than the limit is unknown, so not reported
	files = map[string]string{"templates/form.html": `<form method="post">{% include "c0.html" %}</form>`}
	for i := 0; i < 12; i++ {
		files[fmt.Sprintf("templates/c%d.html", i)] = fmt.Sprintf(`{%% include "c%d.html" %%}`, i+1)
	}
	files["templates/c12.html"] = `{% csrf_token %}`
	got, err = run(t, FormWithoutCSRF, target(files))
	if err != nil || len(got) != 0 {
		t.Fatalf("deep include chain: %v %v", got, err)
	}
}

func TestFindingPositions(t *testing.T) {
	tg := target(map[string]string{"templates/p.html": "<p>\n  é{{ bio|safe }}\n</p>"})
	got, err := run(t, SafeFilter, tg)
	if err != nil || len(got) != 1 {
		t.Fatalf("%v %v", got, err)
	}
	f := got[0]
	if f.Line != 2 || f.Column != 5 || f.EndLine != 2 || f.EndColumn != 19 || f.RuleID != "DJG301" || f.Source != "  é{{ bio|safe }}" {
		t.Errorf("got %+v", f)
	}
}

func TestSinks(t *testing.T) {
	src := `<p>{{ profile.bio|safe }}</p>{% autoescape off %}{{ note }}{% endautoescape %}<script>var a = {{ data.items }};</script><a href="{{ request.GET.next }}">`
	tp, err := templates.Parse("t.html", []byte(src), templates.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range Sinks(tp) {
		got = append(got, s.Code+" "+s.Root)
	}
	want := "DJG301 profile|DJG302 note|DJG303 data|DJG306 request"
	if strings.Join(got, "|") != want {
		t.Errorf("got %q, want %q", strings.Join(got, "|"), want)
	}
	for _, c := range []struct{ in, out string }{{"a.b", "a"}, {"a", "a"}, {"a[0]", "a"}, {`"x"`, ""}, {"f(x)", ""}, {"x2.y", "x2"}} {
		if got := rootName(c.in); got != c.out {
			t.Errorf("rootName(%q) = %q, want %q", c.in, got, c.out)
		}
	}
}

func TestInlineScriptCSPFromMetaTag(t *testing.T) {
	base := func(policy string) string {
		return `<html><head><meta http-equiv="Content-Security-Policy" content="` + policy + `"></head><body>{% block content %}{% endblock %}<script>boot()</script></body></html>`
	}
	child := `{% extends "site/base.html" %}{% block content %}<a href="#" onclick="go()">x</a>{% endblock %}`
	tests := []struct {
		policy string
		want   int
	}{
		{"default-src 'self'", 2},
		{"script-src 'self' 'unsafe-inline'", 0},
		{"script-src 'self' 'unsafe-inline' 'nonce-abc'", 2},
		{"img-src 'self'", 0},
		{"default-src 'self' 'unsafe-inline'; script-src 'self'", 2},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			tg := target(map[string]string{
				"app/templates/site/base.html": base(tt.policy),
				"app/templates/site/page.html": child,
				"app/templates/other.html":     `<script>x()</script>`,
			})
			got, err := run(t, InlineScriptCSP, tg)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Errorf("got %d findings, want %d: %v", len(got), tt.want, got)
			}
			for _, f := range got {
				if f.Path == "app/templates/other.html" {
					t.Errorf("a template outside the policy's pages was reported: %v", f)
				}
			}
		})
	}
}

// TestHostileShapes runs every rule on inputs shaped to make careless code
// quadratic or recursive (one-line pages, thousands of forms with include
// cycles, deep autoescape nesting, a child filling thousands of blocks that
// its parent puts in scripts) and checks the findings. It does not time
// anything: a regression shows as a test that takes minutes instead of
// milliseconds. go test -bench covers speed.
func TestHostileShapes(t *testing.T) {
	const n = 2000
	tests := []struct {
		name  string
		files map[string]string
		code  string
		want  int
	}{
		{"forms with include cycle, one line", map[string]string{
			"app/templates/t.html": strings.Repeat(`<form method="post">{% include "x.html" %}`, n) + "</form>",
			"app/templates/x.html": `{% include "x.html" %}`,
		}, "DJG307", n},
		{"unterminated openers on one line", map[string]string{
			"app/templates/t.html": strings.Repeat(`{{ {% {# `, n) + `<p>{{ x|safe }}</p>`,
		}, "DJG301", 0}, // the first {{ swallows the rest of the line as one variable
		{"deep autoescape", map[string]string{
			"app/templates/t.html": strings.Repeat(`{% autoescape off %}`, 200) + strings.Repeat(`{{ x }}`, n) + strings.Repeat(`{% endautoescape %}`, 200),
		}, "DJG302", 1},
		{"blocks placed in scripts by the parent", map[string]string{
			"app/templates/base.html": strings.Repeat(`<script>{% block b %}{% endblock %}</script>`, n),
			"app/templates/t.html":    `{% extends "base.html" %}` + strings.Repeat(`{% block b %}{{ x }}{% endblock %}`, n),
		}, "DJG303", n},
		{"extends cycle", map[string]string{
			"app/templates/a.html": `{% extends "b.html" %}{% block s %}{{ x }}{% endblock %}`,
			"app/templates/b.html": `{% extends "a.html" %}<script>{% block s %}{% endblock %}</script>`,
		}, "DJG303", 1},
		{"a partial included in scripts thousands of times", map[string]string{
			"app/templates/t.html": strings.Repeat(`<script>{% include "p.html" %}</script>`, n) + `{% include "t.html" %}`,
			"app/templates/p.html": strings.Repeat(`f({{ x }});`, n),
		}, "DJG303", n},
		{"links on one line", map[string]string{
			"app/templates/t.html": strings.Repeat(`<a target=_blank href="{{ u }}">`, n),
		}, "DJG309", n},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := target(tt.files)
			for _, r := range Rules() {
				got, err := run(t, r, tg)
				if err != nil {
					t.Fatalf("%s: %v", r.Code, err)
				}
				for _, f := range got {
					if len(f.Source) > maxSourceLine+len("…") {
						t.Fatalf("%s: source line of %d bytes kept", r.Code, len(f.Source))
					}
				}
				if r.Code == tt.code && len(got) != tt.want {
					t.Errorf("%s: %d findings, want %d", r.Code, len(got), tt.want)
				}
			}
		})
	}
}
