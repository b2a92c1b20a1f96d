// Package examples holds the example Django projects and the test that
// scans them: every `expect:` marker in examples/insecure-project must be
// matched by a finding, every finding at medium or above must be marked,
// and examples/hardened-project must have no finding at medium or above.
package examples

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/catalog"
	"github.com/djangoguard/djangoguard/internal/config"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/scan"
)

// A marker names the codes expected on its own line:
//
//	DEBUG = True  # expect: DJG101
//	{{ x|safe }}  {# expect: DJG301 #}
//	# expect-file: DJG110      (anywhere in a file: a finding on that file with no line)
var markerRE = regexp.MustCompile(`expect(-file)?:\s*(DJG[0-9]{3}(?:\s*,\s*DJG[0-9]{3})*)`)

type key struct {
	path string
	line int // 0 for expect-file
	code string
}

func markers(t *testing.T, root string, files []*rules.File) map[key]bool {
	t.Helper()
	out := map[key]bool{}
	for _, f := range files {
		for n := 1; n <= f.LineCount(); n++ {
			for _, m := range markerRE.FindAllStringSubmatch(f.LineText(n), -1) {
				line := n
				if m[1] != "" {
					line = 0
				}
				for _, c := range strings.Split(m[2], ",") {
					out[key{f.Path, line, strings.TrimSpace(c)}] = true
				}
			}
		}
	}
	return out
}

func scanProject(t *testing.T, dir string) (*scan.Result, []*rules.File) {
	t.Helper()
	cfg := config.Default()
	res, err := scan.Run(context.Background(), dir, scan.Options{Config: cfg, Registry: catalog.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors {
		t.Errorf("rule error: %s %s", e.RuleID, e.Message)
	}
	// Re-read the files for their markers (the scan does not keep them).
	var files []*rules.File
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files = append(files, &rules.File{Path: filepath.ToSlash(rel), Content: b})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return res, files
}

func TestInsecureProjectMarkers(t *testing.T) {
	res, files := scanProject(t, "insecure-project")
	want := markers(t, "insecure-project", files)
	got := map[key]bool{}
	for _, f := range res.Findings {
		got[key{f.Path, f.Line, f.RuleID}] = true
	}
	var missing, unmarked []string
	for k := range want {
		if !got[k] {
			missing = append(missing, fmt.Sprintf("%s:%d: %s expected, not reported", k.path, k.line, k.code))
		}
	}
	for _, f := range res.Findings {
		if f.Severity < rules.Medium {
			continue
		}
		if !want[key{f.Path, f.Line, f.RuleID}] {
			unmarked = append(unmarked, fmt.Sprintf("%s:%d: %s [%s] reported without a marker: %s", f.Path, f.Line, f.RuleID, f.Severity, f.Message))
		}
	}
	sort.Strings(missing)
	sort.Strings(unmarked)
	for _, m := range missing {
		t.Error(m)
	}
	for _, u := range unmarked {
		t.Error(u)
	}
	codes := map[string]bool{}
	for k := range want {
		codes[k.code] = true
	}
	t.Logf("%d markers over %d rules, %d findings", len(want), len(codes), len(res.Findings))
}

// TestEveryStaticRuleHasAnExample: every static rule that can be shown in
// source appears at least once in the insecure project.
func TestEveryStaticRuleHasAnExample(t *testing.T) {
	_, files := scanProject(t, "insecure-project")
	have := map[string]bool{}
	for k := range markers(t, "insecure-project", files) {
		have[k.code] = true
	}
	for _, r := range catalog.Registry().OfKind(rules.Static) {
		if r.Code == "DJG000" || r.Code == "DJG001" {
			continue // engine diagnostics, tested in internal/scan
		}
		if !have[r.Code] {
			t.Errorf("%s (%s) has no `expect: %s` marker in examples/insecure-project", r.Code, r.Title, r.Code)
		}
	}
}

func TestHardenedProjectIsClean(t *testing.T) {
	res, _ := scanProject(t, "hardened-project")
	for _, f := range res.Findings {
		if f.Severity >= rules.Medium {
			t.Errorf("%s:%d: %s [%s] %s", f.Path, f.Line, f.RuleID, f.Severity, f.Message)
		}
	}
}
