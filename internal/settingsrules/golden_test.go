package settingsrules

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/discover"
	"github.com/djangoguard/djangoguard/internal/project"
	"github.com/djangoguard/djangoguard/internal/rules"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGoldenFindings runs every 1xx rule (and DJG002) on whole projects and
// compares the findings (place, setting, value, environment variable, Django
// check, settings module, message) with golden files: a cookiecutter-django
// style project (split settings, django-environ, DRF, allauth).
func TestGoldenFindings(t *testing.T) {
	// The example projects are covered by go test ./examples (their files
	// are shared with other rule sets, so their findings are not pinned here).
	cases := map[string]string{
		"cookiecutter": "testdata/cookiecutter",
	}
	for name, dir := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := discover.Walk(context.Background(), dir, discover.Options{})
			if err != nil {
				t.Fatal(err)
			}
			tg := rules.NewTarget(res.Root, res.Files)
			var lines []string
			all := append(Rules(), project.Rules()...)
			for _, r := range all {
				for _, f := range runRule(t, r, tg) {
					line := fmt.Sprintf("%s %s:%d", f.RuleID, f.Path, f.Line)
					if f.Setting != nil {
						line += fmt.Sprintf(" %s=%s", f.Setting.Name, f.Setting.Value)
						if f.Setting.Env != "" {
							line += " env=" + f.Setting.Env
						}
					}
					if f.DjangoCheck != "" {
						line += " [" + f.DjangoCheck + "]"
					}
					if f.SettingsModule != "" {
						line += " {" + f.SettingsModule + "}"
					}
					line += "\n    " + f.Message
					lines = append(lines, line)
				}
			}
			sort.Strings(lines)
			got := strings.Join(lines, "\n") + "\n"
			golden := filepath.Join("testdata", "golden", name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGoldenFindings -update)", err)
			}
			if got != string(want) {
				t.Errorf("findings differ from %s (go test -run TestGoldenFindings -update to accept):\n%s", golden, diffLines(string(want), got))
			}
		})
	}
}

func diffLines(want, got string) string {
	w := map[string]bool{}
	for _, l := range strings.Split(want, "\n") {
		w[l] = true
	}
	g := map[string]bool{}
	for _, l := range strings.Split(got, "\n") {
		g[l] = true
	}
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}
