package scan

import (
	"testing"

	"github.com/djangoguard/djangoguard/internal/rules"
)

func FuzzSuppressions(f *testing.F) {
	f.Add("x = 1  # djangoguard: ignore[DJG101, djg205]\n# djangoguard: ignore\ny = 2\n")
	f.Add("{# djangoguard: ignore[DJG301] #}\n<p>{{ x|safe }}</p>")
	f.Add("# djangoguard: ignore[\n# djangoguard: ignore[]\n")
	f.Fuzz(func(t *testing.T, content string) {
		file := &rules.File{Path: "a.py", Content: []byte(content)}
		for line, ss := range suppressions(file) {
			if line < 1 || line > file.LineCount()+1 {
				t.Fatalf("suppression for line %d of a %d-line file", line, file.LineCount())
			}
			for _, s := range ss {
				for _, c := range s.codes {
					if c == "" {
						t.Fatal("empty code")
					}
				}
			}
		}
	})
}
