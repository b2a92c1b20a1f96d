package correlate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/live"
	"github.com/djangoguard/djangoguard/internal/rules"
)

func TestParseSettings(t *testing.T) {
	src := `import os
DEBUG = False  # production
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_SSL_REDIRECT = True
NAME = "x # not a comment"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",  # first
    'csp.middleware.CSPMiddleware',
]
    INDENTED = True
if os.environ.get("X"):
    DEBUG = True
A == B
`
	sf := ParseSettings("proj/settings/production.py", []byte(src))
	if !sf.Production {
		t.Error("production.py not seen as production")
	}
	cases := []struct {
		name, raw string
		line      int
	}{
		{"DEBUG", "False", 2},
		{"SECURE_HSTS_SECONDS", "60 * 60 * 24 * 365", 3},
		{"NAME", `"x # not a comment"`, 5},
	}
	for _, c := range cases {
		a := sf.Values[c.name]
		if a == nil || a.Raw != c.raw || a.Line != c.line {
			t.Errorf("%s = %+v, want raw %q line %d", c.name, a, c.raw, c.line)
		}
	}
	if a := sf.Values["DEBUG"]; a.Bool == nil || *a.Bool {
		t.Errorf("DEBUG bool = %v", a.Bool)
	}
	if a := sf.Values["SECURE_HSTS_SECONDS"]; a.Int == nil || *a.Int != 31536000 {
		t.Errorf("HSTS int = %v", a.Int)
	}
	if a := sf.Values["MIDDLEWARE"]; a == nil || len(a.Items) != 2 || a.Items[1] != "csp.middleware.CSPMiddleware" {
		t.Errorf("MIDDLEWARE = %+v", a)
	}
	if _, ok := sf.Values["INDENTED"]; ok {
		t.Error("indented assignment read as top-level")
	}
}

func FuzzParseSettings(f *testing.F) {
	f.Add([]byte("DEBUG = True\nX = [\n'a',\n]\n"))
	f.Add([]byte("A = (\n"))
	f.Add([]byte("B = '\\\n# x'\nC=1*2*3"))
	f.Fuzz(func(t *testing.T, src []byte) {
		sf := ParseSettings("settings.py", src)
		for name, a := range sf.Values {
			if !isIdent(name) || a.Line < 1 {
				t.Fatalf("bad assignment %q %+v", name, a)
			}
		}
	})
}

func input(settings string, tests map[string]string, findings ...rules.Finding) *Input {
	rep := &live.Report{SchemaVersion: live.SchemaVersion, Target: "https://example.com/", Findings: findings}
	for name, res := range tests {
		rep.Tests = append(rep.Tests, live.TestResult{Name: name, Result: res})
	}
	return &Input{Probe: rep, Settings: &Settings{Files: []*SettingsFile{ParseSettings("proj/settings/prod.py", []byte(settings))}}}
}

func TestRules(t *testing.T) {
	cases := []struct {
		name string
		in   *Input
		want []string // "CODE:line"
	}{
		{"hsts stripped", input("SECURE_HSTS_SECONDS = 31536000\n", map[string]string{live.TestHSTS: "hsts-not-implemented"}), []string{"DJG601:1"}},
		{"hsts present", input("SECURE_HSTS_SECONDS = 31536000\n", map[string]string{live.TestHSTS: "hsts-implemented-max-age-at-least-six-months"}), nil},
		{"hsts zero", input("SECURE_HSTS_SECONDS = 0\n", map[string]string{live.TestHSTS: "hsts-not-implemented"}), nil},
		{"hsts no https", input("SECURE_HSTS_SECONDS = 3600\n", map[string]string{live.TestHSTS: "hsts-not-implemented-no-https"}), nil},
		{"debug page despite False", input("X = 1\nDEBUG = False\n", nil, rules.Finding{RuleID: "DJG500", URL: "https://example.com/nope"}), []string{"DJG602:2"}},
		{"debug page with True", input("DEBUG = True\n", nil, rules.Finding{RuleID: "DJG500"}), nil},
		{"no debug page", input("DEBUG = False\n", nil), nil},
		{"csp missing", input("CSP_DEFAULT_SRC = (\"'self'\",)\n", map[string]string{live.TestCSP: "csp-not-implemented"}), []string{"DJG603:1"}},
		{"csp present", input("SECURE_CSP = {'default-src': ['self']}\n", map[string]string{live.TestCSP: "csp-implemented-with-no-unsafe"}), nil},
		{"ssl redirect missing", input("SECURE_SSL_REDIRECT = True\n", map[string]string{live.TestRedirection: "redirection-missing"}), []string{"DJG604:1"}},
		{"ssl redirect off", input("SECURE_SSL_REDIRECT = False\n", map[string]string{live.TestRedirection: "redirection-missing"}), nil},
		{"session cookie", input("SESSION_COOKIE_SECURE = True\n", nil, rules.Finding{RuleID: "DJG507", Setting: &rules.SettingRef{Name: "SESSION_COOKIE_SECURE"}}), []string{"DJG605:1"}},
		{"no settings", &Input{Probe: &live.Report{Tests: []live.TestResult{{Name: live.TestHSTS, Result: "hsts-not-implemented"}}}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs, err := Run(context.Background(), c.in, Rules())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				got = append(got, f.RuleID+":"+itoa(f.Line))
				if f.Fix == "" || f.Severity == 0 || f.Fingerprint == "" || f.Message == "" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("findings = %v, want %v", got, c.want)
			}
		})
	}
}

func itoa(n int) string { return fmtInt(n) }

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestLoadSettingsAndFiles(t *testing.T) {
	root := t.TempDir()
	write := func(rel, s string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("proj/settings/base.py", "DEBUG = True\n")
	write("proj/settings/production.py", "DEBUG = False\n")
	write("node_modules/x/settings.py", "DEBUG = False\n")
	write("proj/views.py", "DEBUG = False\n")
	s, err := LoadSettings(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range s.Files {
		paths = append(paths, f.Path)
	}
	if strings.Join(paths, ",") != "proj/settings/base.py,proj/settings/production.py" {
		t.Fatalf("settings files = %v", paths)
	}
	if a := s.Find("DEBUG"); len(a) != 2 || a[0].Path != "proj/settings/production.py" {
		t.Fatalf("Find puts production first: %+v", a)
	}
	write("scan.json", `{"schema_version":1,"tool":{"name":"djangoguard"},"root":"`+filepath.ToSlash(root)+`","findings":[],"errors":[],"summary":{}}`)
	write("probe.json", `{"schema_version":1,"target":"https://x.example/","tests":[],"findings":[{"rule_id":"DJG501","url":"https://x.example/boom"}]}`)
	write("bad.json", `{"schema_version":1}`)
	in, err := LoadFiles(context.Background(), filepath.Join(root, "scan.json"), filepath.Join(root, "probe.json"), "")
	if err != nil {
		t.Fatal(err)
	}
	fs, err := Run(context.Background(), in, Rules())
	if err != nil || len(fs) != 1 || fs[0].RuleID != "DJG602" || fs[0].SettingsModule != "proj.settings.production" {
		t.Fatalf("findings = %+v, %v", fs, err)
	}
	if _, err := LoadFiles(context.Background(), filepath.Join(root, "scan.json"), filepath.Join(root, "bad.json"), ""); err == nil {
		t.Error("a probe report without target was accepted")
	}
	if _, err := LoadFiles(context.Background(), filepath.Join(root, "probe.json"), filepath.Join(root, "probe.json"), ""); err == nil {
		t.Error("a probe report was accepted as a scan report")
	}
}

func FuzzLoadReports(f *testing.F) {
	f.Add([]byte(`{"schema_version":1,"target":"https://x/","tests":[],"findings":[]}`))
	f.Add([]byte(`[{"schema_version":1,"target":"https://x/"},null]`))
	f.Add([]byte(`{"schema_version":1,"tool":{"name":"djangoguard"},"findings":[{"severity":"bogus"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if reps, err := LoadProbes(data); err == nil {
			for _, r := range reps {
				if r == nil || r.Target == "" {
					t.Fatal("accepted a report without target")
				}
			}
		}
		if doc, err := LoadScan(strings.NewReader(string(data))); err == nil && doc.Tool.Name == "" {
			t.Fatal("accepted a scan report without tool")
		}
	})
}
