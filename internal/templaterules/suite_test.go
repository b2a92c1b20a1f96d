package templaterules

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/discover"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// Marker convention for test templates (docs/templates.md): a Django
// comment at the END of the line the finding is reported on,
//
//	<p>{{ bio|safe }}</p> {# expect: DJG301 #}
//	<p>{{ bio }}</p> {# safe: DJG301 #}
//
// "expect" lists codes that must be reported on that line; "safe" lists
// codes that must not be (every unexpected finding is a false positive
// anyway; "safe" marks the negative cases the suite was written for).
// Several codes are separated by commas; a line may carry both markers.
var markerRE = regexp.MustCompile(`\{#\s*(expect|safe):\s*([A-Z0-9, ]+?)\s*#\}`)

type lineKey struct {
	path string
	line int
	code string
}

// loadTarget reads a directory into a Target, classifying files as the
// scanner does.
func loadTarget(t testing.TB, root string) *rules.Target {
	t.Helper()
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	var files []*rules.File
	err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(abs, p)
		rel = filepath.ToSlash(rel)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, &rules.File{Path: rel, Abs: p, Kind: discover.Kind(rel), Content: b})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return rules.NewTarget(abs, files)
}

// runAll runs every 3xx rule over the target.
func runAll(t testing.TB, target *rules.Target) []rules.Finding {
	t.Helper()
	var out []rules.Finding
	for _, r := range Rules() {
		pass := rules.NewPass(context.Background(), r, target, nil, func(f rules.Finding) { out = append(out, f) })
		if err := r.Run(pass); err != nil {
			t.Fatalf("%s: %v", r.Code, err)
		}
	}
	rules.Sort(out)
	return out
}

func markers(target *rules.Target) (expect, safe map[lineKey]bool) {
	expect, safe = map[lineKey]bool{}, map[lineKey]bool{}
	for _, f := range target.FilesOf(rules.TemplateFile) {
		for i, line := range strings.Split(string(f.Content), "\n") {
			for _, m := range markerRE.FindAllStringSubmatch(line, -1) {
				for _, code := range strings.Split(m[2], ",") {
					k := lineKey{f.Path, i + 1, strings.TrimSpace(code)}
					if m[1] == "expect" {
						expect[k] = true
					} else {
						safe[k] = true
					}
				}
			}
		}
	}
	return expect, safe
}

// TestSuite runs the rules over testdata/suite and scores them against
// the markers: recall over "expect" markers, and false positives over
// every finding not announced by one. Both must be perfect.
func TestSuite(t *testing.T) {
	target := loadTarget(t, "testdata/suite")
	findings := runAll(t, target)
	expect, safe := markers(target)

	found := map[lineKey]bool{}
	for _, f := range findings {
		found[lineKey{f.Path, f.Line, f.RuleID}] = true
	}
	type score struct{ tp, fn, fp, neg int }
	per := map[string]*score{}
	get := func(code string) *score {
		if per[code] == nil {
			per[code] = &score{}
		}
		return per[code]
	}
	for k := range expect {
		if safe[k] {
			t.Errorf("%s:%d: %s is both expected and safe", k.path, k.line, k.code)
		}
		if found[k] {
			get(k.code).tp++
		} else {
			get(k.code).fn++
			t.Errorf("missed: %s:%d: expected %s", k.path, k.line, k.code)
		}
	}
	for k := range safe {
		get(k.code).neg++
	}
	for _, f := range findings {
		k := lineKey{f.Path, f.Line, f.RuleID}
		if !expect[k] {
			get(f.RuleID).fp++
			t.Errorf("false positive: %s:%d:%d: %s %s", f.Path, f.Line, f.Column, f.RuleID, f.Message)
		}
	}
	var tp, fn, fp int
	codes := make([]string, 0, len(per))
	for c := range per {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		s := per[c]
		tp, fn, fp = tp+s.tp, fn+s.fn, fp+s.fp
		t.Logf("%s: %d/%d expected found, %d false positives, %d negative cases", c, s.tp, s.tp+s.fn, s.fp, s.neg)
	}
	t.Logf("suite: recall %d/%d, false positives %d", tp, tp+fn, fp)
	// Every rule has positive and negative cases.
	for _, r := range Rules() {
		s := per[r.Code]
		if s == nil || s.tp+s.fn == 0 || s.neg == 0 {
			t.Errorf("%s: the suite needs both expect and safe markers for it", r.Code)
		}
	}
}

// TestSuiteGolden pins the exact findings (position and message) of the
// suite. Update with: go test ./internal/templaterules -run Golden -update
func TestSuiteGolden(t *testing.T) {
	target := loadTarget(t, "testdata/suite")
	var b strings.Builder
	for _, f := range runAll(t, target) {
		fmt.Fprintf(&b, "%s:%d:%d-%d:%d %s %s/%s %s\n", f.Path, f.Line, f.Column, f.EndLine, f.EndColumn,
			f.RuleID, f.Severity, f.Confidence, f.Message)
	}
	checkGolden(t, "testdata/suite.golden", b.String())
}

// TestRulesConcurrently runs the rules in parallel on one target, as the
// scanner does, so that `go test -race` checks the shared parses.
func TestRulesConcurrently(t *testing.T) {
	target := loadTarget(t, "testdata/suite")
	want := len(runAll(t, loadTarget(t, "testdata/suite")))
	counts := make(chan int, len(Rules()))
	for _, r := range Rules() {
		go func(r *rules.Rule) {
			n := 0
			err := r.Run(rules.NewPass(context.Background(), r, target, nil, func(rules.Finding) { n++ }))
			if err != nil {
				n = -1 << 20
			}
			counts <- n
		}(r)
	}
	total := 0
	for range Rules() {
		total += <-counts
	}
	if total != want {
		t.Errorf("concurrent run found %d findings, sequential %d", total, want)
	}
}
