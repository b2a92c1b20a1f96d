package discover

import "testing"

// FuzzGitignore: any .gitignore content and path must parse and match
// without panicking, and a negated pattern never ignores what it names.
func FuzzGitignore(f *testing.F) {
	for _, seed := range []struct{ rules, path string }{
		{"*.pyc\n/build/\n!keep.pyc\n", "app/x.pyc"},
		{"**/migrations/**\n", "a/migrations/0001.py"},
		{"\\#notcomment\n\\!bang\n  trailing  \\ \n", "#notcomment"},
		{"[a-\n***\n/\n!\n", "a"},
	} {
		f.Add(seed.rules, seed.path)
	}
	f.Fuzz(func(t *testing.T, content, path string) {
		rs := parseGitignore("", []byte(content))
		_ = ignored(rs, path, false)
		_ = ignored(rs, path, true)
		for _, r := range rs {
			if r.pattern == "" {
				t.Fatalf("empty pattern from %q", content)
			}
		}
	})
}

func FuzzGlob(f *testing.F) {
	f.Add("**/a/**/b*", "x/a/y/bc")
	f.Add("a/*.py", "a/b.py")
	f.Fuzz(func(t *testing.T, pattern, name string) {
		if len(pattern) > 200 || len(name) > 200 {
			return
		}
		_ = matchGlob(pattern, name)
	})
}
