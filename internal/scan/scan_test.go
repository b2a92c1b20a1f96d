package scan

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/config"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// testRules: DJG901-like rules are not allowed (codes are checked), so the
// test registers rules in the 1xx and 3xx ranges that flag marker words.
func testRegistry(t *testing.T) *rules.Registry {
	t.Helper()
	doc := rules.Doc{Why: "w", Bad: "b", Good: "g", Fix: "f", Links: []string{"https://example.test"}}
	word := func(code, name, word string, kind rules.FileKind, sev rules.Severity) *rules.Rule {
		return &rules.Rule{Code: code, Name: name, Title: "flags " + word, Severity: sev, Confidence: rules.HighConfidence,
			OWASP: "A05", CWE: 16, Doc: doc, Run: func(p *rules.Pass) error {
				for _, f := range p.Target.FilesOf(kind) {
					for n := 1; n <= f.LineCount(); n++ {
						if c := strings.Index(f.LineText(n), word); c >= 0 {
							p.Reportf(f.Path, n, c+1, "found %s", word)
						}
					}
				}
				return nil
			}}
	}
	reg, err := rules.NewRegistry(append(Rules(),
		word("DJG190", "flag-bad", "BAD", rules.PythonFile, rules.High),
		word("DJG191", "flag-meh", "MEH", rules.PythonFile, rules.Low),
		word("DJG390", "flag-tpl", "TPL", rules.TemplateFile, rules.Medium),
		&rules.Rule{Code: "DJG199", Name: "crashes", Title: "crashes", Severity: rules.Low, Confidence: rules.LowConfidence,
			OWASP: "A05", Doc: doc, Run: func(p *rules.Pass) error { panic("boom") }},
	)...)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func write(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func codesAt(fs []rules.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.RuleID+"@"+f.Path+":"+strconv.Itoa(f.Line))
	}
	return out
}

func TestSuppressions(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{
		"app/views.py": `x = "BAD"  # djangoguard: ignore[DJG190]
# djangoguard: ignore[DJG190, DJG191]
y = "BAD MEH"
z = "BAD"  # djangoguard: ignore[DJG191]
w = "BAD"  # djangoguard: ignore
`,
		"app/templates/a.html": "{# djangoguard: ignore[DJG390] #}\n<p>TPL</p>\n<p>TPL</p> {# djangoguard: ignore[DJG390] #}\n<p>TPL</p>\n",
	})
	res, err := Run(context.Background(), root, Options{Registry: testRegistry(t)})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(codesAt(res.Findings), " ")
	var lines []string
	for _, f := range res.Findings {
		lines = append(lines, f.RuleID+" "+f.Path+" "+strings.TrimSpace(f.Source))
	}
	gotLines := strings.Join(lines, "\n")
	wantLines := strings.Join([]string{
		`DJG390 app/templates/a.html <p>TPL</p>`,
		`DJG190 app/views.py z = "BAD"  # djangoguard: ignore[DJG191]`,
		`DJG001 app/views.py w = "BAD"  # djangoguard: ignore`,
	}, "\n")
	if gotLines != wantLines {
		t.Errorf("visible findings:\n%s\nwant:\n%s\n(%s)", gotLines, wantLines, got)
	}
	// Lines 1 and 3 (two rules) of views.py, the bare comment's line 5, and
	// template lines 2 and 3.
	if len(res.Suppressed) != 6 {
		t.Errorf("suppressed %d findings, want 6: %v", len(res.Suppressed), codesAt(res.Suppressed))
	}
	if len(res.Errors) != 1 || res.Errors[0].RuleID != "DJG199" || !strings.Contains(res.Errors[0].Message, "boom") {
		t.Errorf("errors %v", res.Errors)
	}
}

func TestConfigSelectIgnoreSeverity(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{"a.py": "BAD MEH\n", "skip/b.py": "BAD\n"})
	cfg := config.Default()
	cfg.Ignore = []string{"DJG191", "DJG199"}
	cfg.Exclude = []string{"skip"}
	cfg.Severity["DJG190"] = rules.Info
	res, err := Run(context.Background(), root, Options{Registry: testRegistry(t), Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].RuleID != "DJG190" || res.Findings[0].Severity != rules.Info {
		t.Fatalf("findings %+v", res.Findings)
	}
	if len(res.Errors) != 0 {
		t.Fatalf("an ignored rule ran: %v", res.Errors)
	}
	cfg = config.Default()
	cfg.Select = []string{"DJG19"}
	cfg.Ignore = []string{"DJG199"}
	res, _ = Run(context.Background(), root, Options{Registry: testRegistry(t), Config: cfg})
	if len(res.Findings) != 3 {
		t.Fatalf("select DJG19: %v", codesAt(res.Findings))
	}
}

// TestBaselineSurvivesMovedCode records a baseline, inserts lines above the
// findings, adds one new problem, and expects only the new one reported.
func TestBaselineSurvivesMovedCode(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{"app/views.py": "a = 'BAD'\nb = 'BAD'\nc = 'BAD'\n"})
	reg := testRegistry(t)
	cfg := config.Default()
	cfg.Ignore = []string{"DJG199"}
	first, err := Run(context.Background(), root, Options{Registry: reg, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Findings) != 3 {
		t.Fatalf("first run: %v", codesAt(first.Findings))
	}
	var buf bytes.Buffer
	if err := NewBaseline(first.Findings).Write(&buf); err != nil {
		t.Fatal(err)
	}
	bpath := filepath.Join(t.TempDir(), "baseline.json")
	os.WriteFile(bpath, buf.Bytes(), 0o644)
	base, err := LoadBaseline(bpath)
	if err != nil {
		t.Fatal(err)
	}

	write(t, root, map[string]string{"app/views.py": "import os\n\n\n# moved down\na = 'BAD'\nb = 'BAD'\nnew = 'BAD'\nc = 'BAD'\n"})
	second, err := Run(context.Background(), root, Options{Registry: reg, Config: cfg, Baseline: base})
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Findings) != 1 || second.Findings[0].Line != 7 {
		t.Fatalf("after moving code, new findings: %+v", second.Findings)
	}
	if len(second.Suppressed) != 3 {
		t.Fatalf("baseline hid %d findings, want 3", len(second.Suppressed))
	}
	for _, f := range second.Suppressed {
		if f.SuppressedBy != "baseline" {
			t.Errorf("suppressed by %q", f.SuppressedBy)
		}
	}
}

func TestBadBaseline(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"notjson.json": "{",
		"version.json": `{"schema_version": 9, "findings": []}`,
		"nofp.json":    `{"schema_version": 1, "findings": [{"rule_id": "DJG101"}]}`,
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		if _, err := LoadBaseline(p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestDiagnosticsBecomeFindings(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{"bad.py": "x = '\xff'\n", "ok.py": "BAD\n"})
	cfg := config.Default()
	cfg.Ignore = []string{"DJG199"}
	res, err := Run(context.Background(), root, Options{Registry: testRegistry(t), Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	got := codesAt(res.Findings)
	if len(got) != 2 || res.Findings[0].RuleID != "DJG000" || res.Findings[0].Severity != rules.Info {
		t.Fatalf("findings %v", got)
	}
}

// TestInputReportedBeforeRules: the Input hook (which sizes the collector's
// memory limit in the binary) sees every file read, before any rule runs.
func TestInputReportedBeforeRules(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{"a.py": "BAD\n", "pkg/b.py": "x = 1\n" + strings.Repeat("#\n", 100), "templates/t.html": "TPL\n"})
	var files int
	var size int64
	calls := 0
	reg := testRegistry(t)
	cfg := config.Default()
	cfg.Ignore = []string{"DJG199"}
	res, err := Run(context.Background(), root, Options{Registry: reg, Config: cfg, Input: func(n int, b int64) {
		calls++
		files, size = n, b
	}})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || files != res.Files || files != 3 {
		t.Fatalf("Input called %d times with %d files; the scan read %d", calls, files, res.Files)
	}
	if want := int64(len("BAD\n") + len("x = 1\n") + 200 + len("TPL\n")); size != want {
		t.Fatalf("Input got %d bytes, want %d", size, want)
	}
}
