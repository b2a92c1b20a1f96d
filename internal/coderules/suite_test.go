package coderules

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// loadDir builds a target from the files under dir.
func loadDir(t testing.TB, dir string) *rules.Target {
	t.Helper()
	var files []*rules.File
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		kind := rules.OtherFile
		switch {
		case strings.HasSuffix(p, ".py"):
			kind = rules.PythonFile
		case strings.HasSuffix(p, ".html"):
			kind = rules.TemplateFile
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, &rules.File{Path: rel, Abs: p, Kind: kind, Content: b})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return rules.NewTarget(dir, files)
}

// scanAll runs every 2xx rule on a target and returns the findings.
func scanAll(t testing.TB, tg *rules.Target) []rules.Finding {
	t.Helper()
	var out []rules.Finding
	for _, r := range Rules() {
		p := rules.NewPass(context.Background(), r, tg, nil, func(f rules.Finding) { out = append(out, f) })
		if err := r.Run(p); err != nil {
			t.Fatalf("%s: %v", r.Code, err)
		}
	}
	rules.Sort(out)
	return out
}

var suiteMarker = regexp.MustCompile(`#\s*(expect|safe):\s*(DJG2[0-9]{2}(?:\s*,\s*DJG2[0-9]{2})*)`)

type mark struct {
	path string
	line int
	code string
}

// TestMarkerSuite scans testdata/suite as one project and scores every
// 2xx rule against the `# expect: DJG2xx` and `# safe: DJG2xx` markers:
// recall must be 100% and there must be no false positive (a finding on a
// line without an expect marker for its code, or on a safe line).
func TestMarkerSuite(t *testing.T) {
	tg := loadDir(t, filepath.Join("testdata", "suite"))
	expect := map[mark]bool{}
	safe := map[mark]bool{}
	for _, f := range tg.FilesOf(rules.PythonFile) {
		for n := 1; n <= f.LineCount(); n++ {
			for _, m := range suiteMarker.FindAllStringSubmatch(f.LineText(n), -1) {
				for _, c := range strings.Split(m[2], ",") {
					k := mark{f.Path, n, strings.TrimSpace(c)}
					if m[1] == "expect" {
						expect[k] = true
					} else {
						safe[k] = true
					}
				}
			}
		}
	}
	got := map[mark]rules.Finding{}
	for _, f := range scanAll(t, tg) {
		got[mark{f.Path, f.Line, f.RuleID}] = f
	}
	type score struct{ expect, found, safe, fp int }
	per := map[string]*score{}
	sc := func(code string) *score {
		if per[code] == nil {
			per[code] = &score{}
		}
		return per[code]
	}
	var problems []string
	for k := range expect {
		s := sc(k.code)
		s.expect++
		if _, ok := got[k]; ok {
			s.found++
		} else {
			problems = append(problems, fmt.Sprintf("%s:%d: %s expected, not reported", k.path, k.line, k.code))
		}
	}
	for k := range safe {
		sc(k.code).safe++
	}
	for k, f := range got {
		if expect[k] {
			continue
		}
		sc(k.code).fp++
		problems = append(problems, fmt.Sprintf("%s:%d: %s false positive: %s", k.path, k.line, k.code, f.Message))
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
	var codes []string
	for c := range per {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	totalE, totalF, totalS, totalFP := 0, 0, 0, 0
	for _, c := range codes {
		s := per[c]
		t.Logf("%s recall %d/%d, safe cases %d, false positives %d", c, s.found, s.expect, s.safe, s.fp)
		totalE += s.expect
		totalF += s.found
		totalS += s.safe
		totalFP += s.fp
	}
	t.Logf("TOTAL recall %d/%d, safe cases %d, false positives %d", totalF, totalE, totalS, totalFP)
	// Every rule must have positive and negative cases.
	for _, r := range Rules() {
		s := per[r.Code]
		if s == nil || s.expect == 0 || s.safe == 0 {
			t.Errorf("%s has no expect or no safe case in testdata/suite", r.Code)
		}
	}
}

func TestDebugScan(t *testing.T) {
	dir := os.Getenv("CODERULES_DIR")
	if dir == "" {
		t.Skip("set CODERULES_DIR")
	}
	for _, f := range scanAll(t, loadDir(t, dir)) {
		fmt.Printf("%s:%d:%d %s [%s/%s] %s\n", f.Path, f.Line, f.Column, f.RuleID, f.Severity, f.Confidence, f.Message)
	}
}
