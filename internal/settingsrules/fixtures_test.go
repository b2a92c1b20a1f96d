package settingsrules

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/discover"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// Fixtures: testdata/fixtures/DJGnnn.txtar holds cases of rule DJGnnn, one
// directory each ("pos", "pos2", "neg"...), written as
//
//	-- pos/proj/settings.py --
//	ALLOWED_HOSTS = ["*"]  # expect: DJG124
//
// A case without manage.py gets one naming proj.settings. In a "pos" case
// every `expect:` marker of the rule must be matched by a finding of the rule
// on that line (`expect-file:` for line 0) and every finding of the rule must
// be marked; a "neg" case must have no finding of the rule.

type fixtureFile struct{ path, content string }

func parseTxtar(data string) (comment string, files []fixtureFile) {
	var cur *fixtureFile
	var b strings.Builder
	flush := func() {
		if cur != nil {
			cur.content = b.String()
			files = append(files, *cur)
		} else {
			comment = b.String()
		}
		b.Reset()
	}
	for _, line := range strings.SplitAfter(data, "\n") {
		trim := strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(trim, "-- ") && strings.HasSuffix(trim, " --") && len(trim) > 6 {
			flush()
			cur = &fixtureFile{path: strings.TrimSpace(trim[3 : len(trim)-3])}
			continue
		}
		b.WriteString(line)
	}
	flush()
	return comment, files
}

var fixtureMarkerRE = regexp.MustCompile(`expect(-file)?:\s*(DJG[0-9]{3}(?:\s*,\s*DJG[0-9]{3})*)`)

// fixtureTarget builds a target for one case, in memory.
func fixtureTarget(files map[string]string) *rules.Target {
	if _, ok := files["manage.py"]; !ok {
		module := "proj.settings"
		if _, ok := files["proj/settings.py"]; !ok {
			module = "proj.settings.production"
		}
		files["manage.py"] = fmt.Sprintf("import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", %q)\n", module)
	}
	if _, ok := files["proj/__init__.py"]; !ok {
		files["proj/__init__.py"] = ""
	}
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var fs []*rules.File
	for _, p := range paths {
		fs = append(fs, &rules.File{Path: p, Abs: "/fixture/" + p, Kind: discover.Kind(p), Content: []byte(files[p])})
	}
	return rules.NewTarget("/fixture", fs)
}

func runRule(t *testing.T, r *rules.Rule, tg *rules.Target) []rules.Finding {
	t.Helper()
	var got []rules.Finding
	pass := rules.NewPass(context.Background(), r, tg, nil, func(f rules.Finding) { got = append(got, f) })
	if err := r.Run(pass); err != nil {
		t.Fatalf("%s: %v", r.Code, err)
	}
	return got
}

func TestRuleFixtures(t *testing.T) {
	paths, err := filepath.Glob("testdata/fixtures/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	byCode := map[string]*rules.Rule{}
	for _, r := range Rules() {
		byCode[r.Code] = r
	}
	for _, p := range paths {
		code := strings.TrimSuffix(filepath.Base(p), ".txtar")
		r := byCode[code]
		if r == nil {
			t.Errorf("%s: no rule %s", p, code)
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		_, files := parseTxtar(string(data))
		cases := map[string]map[string]string{}
		for _, f := range files {
			c, rest, ok := strings.Cut(f.path, "/")
			if !ok {
				t.Fatalf("%s: file %q is not in a case directory", p, f.path)
			}
			if cases[c] == nil {
				cases[c] = map[string]string{}
			}
			cases[c][rest] = f.content
		}
		havePos, haveNeg := false, false
		for name, files := range cases {
			name, files := name, files
			t.Run(code+"/"+name, func(t *testing.T) {
				tg := fixtureTarget(files)
				got := runRule(t, r, tg)
				type key struct {
					path string
					line int
				}
				want := map[key]bool{}
				for _, f := range tg.Files {
					for n := 1; n <= f.LineCount(); n++ {
						for _, m := range fixtureMarkerRE.FindAllStringSubmatch(f.LineText(n), -1) {
							if !strings.Contains(m[2], code) {
								continue
							}
							line := n
							if m[1] != "" {
								line = 0
							}
							want[key{f.Path, line}] = true
						}
					}
				}
				gotKeys := map[key]bool{}
				for _, f := range got {
					gotKeys[key{f.Path, f.Line}] = true
					if f.RuleID != code || f.Message == "" {
						t.Errorf("bad finding %+v", f)
					}
				}
				if strings.HasPrefix(name, "neg") {
					for _, f := range got {
						t.Errorf("negative case reported %s:%d: %s", f.Path, f.Line, f.Message)
					}
					return
				}
				if len(want) == 0 {
					t.Fatalf("positive case without markers")
				}
				for k := range want {
					if !gotKeys[k] {
						t.Errorf("%s:%d: %s expected, not reported (got %v)", k.path, k.line, code, describe(got))
					}
				}
				for _, f := range got {
					if !want[key{f.Path, f.Line}] {
						t.Errorf("%s:%d: reported without a marker: %s", f.Path, f.Line, f.Message)
					}
				}
			})
			if strings.HasPrefix(name, "neg") {
				haveNeg = true
			} else {
				havePos = true
			}
		}
		if !havePos || !haveNeg {
			t.Errorf("%s needs a positive and a negative case", p)
		}
	}
	// Every rule beyond Django's own checks has a fixture.
	for _, r := range Rules() {
		if _, err := os.Stat(filepath.Join("testdata/fixtures", r.Code+".txtar")); err != nil && !isParity(r.Code) {
			t.Errorf("%s (%s) has no fixture", r.Code, r.Name)
		}
	}
}

// isParity says whether a rule only mirrors Django deploy checks (those are
// covered by the differential test).
func isParity(code string) bool {
	for _, c := range deployChecks {
		if c.rule == code && code != "DJG101" && code != "DJG122" {
			return true
		}
	}
	return false
}

func describe(fs []rules.Finding) string {
	var s []string
	for _, f := range fs {
		s = append(s, fmt.Sprintf("%s:%d", f.Path, f.Line))
	}
	return strings.Join(s, ", ")
}

func ruleByCode(code string) *rules.Rule {
	for _, r := range Rules() {
		if r.Code == code {
			return r
		}
	}
	panic("no rule " + code)
}
