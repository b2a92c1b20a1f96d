package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/jsonschema"
)

const insecure = "../../examples/insecure-project"

func djangoguard(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestScanInsecureExample(t *testing.T) {
	out, _, code := djangoguard(t, "scan", insecure)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, want := range []string{
		"mysite/settings/production.py:6:1: DJG101 [high] DEBUG is True in the production settings",
		"(settings: mysite.settings.production)",
		"= fix: Set DEBUG = False",
		`| DEBUG = os.environ.get("DJANGO_DEBUG", "True") == "True"`,
		"By OWASP Top 10 (2021) category:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour written to a non-terminal")
	}
}

func TestFailOn(t *testing.T) {
	if _, _, code := djangoguard(t, "scan", "--fail-on", "critical", "--select", "DJG1", insecure); code != 0 {
		t.Errorf("--fail-on critical: exit %d, want 0", code)
	}
	if _, stderr, code := djangoguard(t, "scan", "--fail-on", "severe", insecure); code != 2 || !strings.Contains(stderr, "severe") {
		t.Errorf("bad --fail-on: exit %d, stderr %q", code, stderr)
	}
}

func TestJSONAndSARIFOutputsValidate(t *testing.T) {
	for format, schemaPath := range map[string]string{
		"json":  "../../docs/json-report.schema.json",
		"sarif": "../../internal/report/testdata/sarif-2.1.0.schema.json",
	} {
		schema, err := os.ReadFile(schemaPath)
		if err != nil {
			t.Fatal(err)
		}
		s, err := jsonschema.Compile(schema)
		if err != nil {
			t.Fatal(err)
		}
		outFile := filepath.Join(t.TempDir(), "report."+format)
		_, stderr, code := djangoguard(t, "scan", "--format", format, "--output", outFile, insecure)
		if code != 1 {
			t.Fatalf("%s: exit %d (%s)", format, code, stderr)
		}
		b, err := os.ReadFile(outFile)
		if err != nil {
			t.Fatal(err)
		}
		// A report is an artifact others read (CI uploads, teammates):
		// readable by all, like a file the shell would create.
		if st, err := os.Stat(outFile); err != nil || st.Mode().Perm() != 0o644 {
			t.Errorf("%s report mode %v (%v), want -rw-r--r--", format, st.Mode().Perm(), err)
		}
		if err := s.Validate(b); err != nil {
			t.Errorf("%s output fails its schema: %v", format, err)
		}
	}
}

func TestUnknownFormatListsEveryFormat(t *testing.T) {
	_, stderr, code := djangoguard(t, "scan", "--format", "xml", "../../examples/hardened-project")
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	for _, f := range []string{"text", "json", "sarif", "markdown", "html"} {
		if !strings.Contains(stderr, f) {
			t.Errorf("the error does not name the format %q: %s", f, stderr)
		}
	}
}

func TestBadConfigurationIsAClearError(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, ".djangoguard.toml")
	os.WriteFile(cfg, []byte("fail-on = \"high\"\nselct = [\"DJG1\"]\n"), 0o644)
	_, stderr, code := djangoguard(t, "scan", dir)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(stderr, cfg+":2: key \"selct\": unknown key") {
		t.Errorf("stderr %q does not name the file, line and key", stderr)
	}
	_, stderr, code = djangoguard(t, "scan", "--config", filepath.Join(dir, "missing.toml"), dir)
	if code != 2 || !strings.Contains(stderr, "missing.toml") {
		t.Errorf("missing --config: exit %d, stderr %q", code, stderr)
	}
}

func TestBaselineFlow(t *testing.T) {
	base := filepath.Join(t.TempDir(), "baseline.json")
	if _, stderr, code := djangoguard(t, "scan", "--write-baseline", base, insecure); code != 1 {
		t.Fatalf("write-baseline: exit %d %s", code, stderr)
	}
	out, stderr, code := djangoguard(t, "scan", "--baseline", base, "--format", "json", insecure)
	if code != 0 {
		t.Fatalf("with baseline: exit %d %s", code, stderr)
	}
	var doc struct {
		Findings []json.RawMessage `json:"findings"`
		Summary  struct {
			Suppressed int `json:"suppressed"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 0 || doc.Summary.Suppressed == 0 {
		t.Errorf("with its own baseline: %d findings, %d suppressed", len(doc.Findings), doc.Summary.Suppressed)
	}
	out, _, _ = djangoguard(t, "scan", "--baseline", base, "--show-suppressed", insecure)
	if !strings.Contains(out, "suppressed by baseline") {
		t.Errorf("--show-suppressed does not list baseline findings:\n%s", out)
	}
}

func TestRulesAndExplain(t *testing.T) {
	out, _, code := djangoguard(t, "rules")
	if code != 0 || !strings.Contains(out, "DJG101") || !strings.Contains(out, "DJG102") {
		t.Fatalf("rules: exit %d\n%s", code, out)
	}
	out, _, code = djangoguard(t, "explain", "djg101")
	for _, want := range []string{"DJG101 debug-enabled", "Why it matters", "Bad", "Good", "Fix", "docs.djangoproject.com", "CWE-489"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("explain lacks %q (exit %d)", want, code)
		}
	}
	if _, stderr, code := djangoguard(t, "explain", "DJG999"); code != 2 || !strings.Contains(stderr, "DJG999") {
		t.Errorf("explain DJG999: exit %d %q", code, stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"scan", "/does/not/exist"},
		{"scan", "--format", "xml", insecure},
		{"scan", "a", "b"},
		{"nosuchcommand"},
		{"probe"},
	} {
		if _, _, code := djangoguard(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestCompletionAndVersion(t *testing.T) {
	out, _, code := djangoguard(t, "completion", "bash")
	if code != 0 || !strings.Contains(out, "djangoguard") {
		t.Errorf("completion bash: exit %d", code)
	}
	out, _, code = djangoguard(t, "version")
	if code != 0 || !strings.HasPrefix(out, "djangoguard ") {
		t.Errorf("version: exit %d %q", code, out)
	}
}

// TestScanSizesTheHeapOnlyInTheBinary: the collector budget follows the
// scan's input only when main set it up; commands run in a test process
// (and so the server's scans) leave the runtime alone.
func TestScanSizesTheHeapOnlyInTheBinary(t *testing.T) {
	if budgetForInput(context.Background()) != nil {
		t.Fatal("a plain context gets a heap budget hook")
	}
	if budgetForInput(context.WithValue(context.Background(), heapBudgetKey{}, true)) == nil {
		t.Fatal("main's context gets no heap budget hook")
	}
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{[]string{"scan", "."}, true}, {[]string{"deps", "x"}, true}, {[]string{"project"}, true},
		{[]string{"serve"}, false}, {[]string{"version"}, false}, {nil, false}, {[]string{"--help"}, false},
	} {
		if got := heapReserve(tt.args) > 0; got != tt.want {
			t.Errorf("heapReserve(%q) > 0 = %v, want %v", tt.args, got, tt.want)
		}
	}
}
