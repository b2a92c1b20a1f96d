package discover

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// tree writes files (path -> content) under a new temporary root.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func paths(res *Result) []string {
	var out []string
	for _, f := range res.Files {
		out = append(out, f.Path)
	}
	return out
}

func diagFor(res *Result, path string) string {
	for _, d := range res.Diagnostics {
		if d.Path == path {
			return d.Message
		}
	}
	return ""
}

func TestWalkSkipsWhatIsNotSource(t *testing.T) {
	root := tree(t, map[string]string{
		"manage.py":                           "import os\n",
		"mysite/settings.py":                  "DEBUG = False\n",
		"mysite/templates/base.html":          "<html></html>",
		"requirements.txt":                    "django==4.2\n",
		"requirements/prod.txt":               "gunicorn\n",
		"static/logo.png":                     "\x89PNG",
		".git/config":                         "[core]",
		"node_modules/x/index.py":             "x = 1\n",
		"app/__pycache__/views.cpython.py":    "x",
		"env/pyvenv.cfg":                      "home = /usr/bin",
		"env/lib/site.py":                     "x = 1\n",
		"custom-venv/pyvenv.cfg":              "home = /usr/bin",
		"custom-venv/lib/thing.py":            "x = 1\n",
		"build/lib/mysite/settings.py":        "DEBUG = True\n",
		"pkg.egg-info/top.py":                 "x",
		".gitignore":                          "ignored_dir/\n*.generated.py\n!keep.generated.py\n/rooted.py\n",
		"ignored_dir/a.py":                    "x = 1\n",
		"app/models.generated.py":             "x = 1\n",
		"app/keep.generated.py":               "x = 1\n",
		"rooted.py":                           "x = 1\n",
		"app/rooted.py":                       "x = 1\n",
		"app/sub/.gitignore":                  "local.py\n",
		"app/sub/local.py":                    "x = 1\n",
		"app/local.py":                        "x = 1\n",
		"docs/notes.md":                       "# notes",
		"config/.env":                         "SECRET_KEY=x\n",
		"migrations_excluded/0001_initial.py": "x = 1\n",
	})
	res, err := Walk(context.Background(), root, Options{Exclude: []string{"migrations_excluded"}})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(paths(res), "\n")
	want := strings.Join([]string{
		"app/keep.generated.py",
		"app/local.py",
		"app/rooted.py",
		"config/.env",
		"manage.py",
		"mysite/settings.py",
		"mysite/templates/base.html",
		"requirements.txt",
		"requirements/prod.txt",
	}, "\n")
	if got != want {
		t.Errorf("files:\n%s\nwant:\n%s", got, want)
	}
	kinds := map[string]rules.FileKind{}
	for _, f := range res.Files {
		kinds[f.Path] = f.Kind
	}
	for p, k := range map[string]rules.FileKind{
		"manage.py": rules.PythonFile, "mysite/templates/base.html": rules.TemplateFile,
		"requirements.txt": rules.DependencyFile, "requirements/prod.txt": rules.DependencyFile,
		"config/.env": rules.ConfigFile,
	} {
		if kinds[p] != k {
			t.Errorf("%s: kind %s, want %s", p, kinds[p], k)
		}
	}
	if len(res.Diagnostics) != 0 {
		t.Errorf("unexpected diagnostics: %v", res.Diagnostics)
	}
}

func TestHostileTree(t *testing.T) {
	root := tree(t, map[string]string{
		"ok.py":        "x = 1\n",
		"binary.py":    "x = 1\x00\x01\x02",
		"latin1.py":    "# comment \xe9\xe8\n",
		"declared.py":  "# -*- coding: latin-1 -*-\ns = '\xe9'\n",
		"bad.html":     "<p>\xff\xfe</p>",
		"loop/keep.py": "x = 1\n",
	})
	// A 50 MiB file, sparse so the test stays cheap on disk.
	big, err := os.Create(filepath.Join(root, "huge.py"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(50 << 20); err != nil {
		t.Fatal(err)
	}
	big.Close()
	// Symlink loops: a directory link to its parent, and two file links
	// pointing at each other.
	if err := os.Symlink("..", filepath.Join(root, "loop", "up")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("b.py", filepath.Join(root, "a.py")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.py", filepath.Join(root, "b.py")); err != nil {
		t.Fatal(err)
	}
	// A file link to a real file is followed.
	if err := os.Symlink("ok.py", filepath.Join(root, "alias.py")); err != nil {
		t.Fatal(err)
	}
	// An unreadable file (root ignores permissions, so only check the
	// diagnostic when the test runs as another user).
	if err := os.WriteFile(filepath.Join(root, "secret.py"), []byte("x = 1\n"), 0o000); err != nil {
		t.Fatal(err)
	}
	res, err := Walk(context.Background(), root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(paths(res), ",")
	want := "alias.py,declared.py,loop/keep.py,ok.py"
	if os.Geteuid() == 0 {
		want = "alias.py,declared.py,loop/keep.py,ok.py,secret.py"
	} else if !strings.Contains(diagFor(res, "secret.py"), "permission denied") {
		t.Errorf("secret.py: diagnostic %q", diagFor(res, "secret.py"))
	}
	if got != want {
		t.Errorf("files %s, want %s", got, want)
	}
	for path, msg := range map[string]string{
		"huge.py":   "50.0 MiB, over the 5.0 MiB size cap",
		"binary.py": "binary content",
		"latin1.py": "not valid UTF-8 (first bad byte on line 1)",
		"bad.html":  "not valid UTF-8",
		"a.py":      "too many levels of symbolic links",
		"b.py":      "too many levels of symbolic links",
	} {
		if d := diagFor(res, path); !strings.Contains(d, msg) {
			t.Errorf("%s: diagnostic %q, want it to contain %q", path, d, msg)
		}
	}
}

func TestSizeCapIsConfigurable(t *testing.T) {
	root := tree(t, map[string]string{"a.py": strings.Repeat("x = 1\n", 100)})
	res, err := Walk(context.Background(), root, Options{MaxFileSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 0 || !strings.Contains(diagFor(res, "a.py"), "over the 100 bytes size cap") {
		t.Fatalf("files %v diagnostics %v", paths(res), res.Diagnostics)
	}
}

func TestSingleFile(t *testing.T) {
	root := tree(t, map[string]string{"mysite/settings.py": "DEBUG = True\n"})
	res, err := Walk(context.Background(), filepath.Join(root, "mysite", "settings.py"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(paths(res), ","); got != "settings.py" {
		t.Fatalf("files %s", got)
	}
}

func TestMissingRoot(t *testing.T) {
	if _, err := Walk(context.Background(), filepath.Join(t.TempDir(), "nope"), Options{}); err == nil {
		t.Fatal("no error for a missing root")
	}
}

func TestCancel(t *testing.T) {
	root := tree(t, map[string]string{"a/b/c.py": "x\n"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Walk(ctx, root, Options{}); err == nil {
		t.Fatal("a cancelled walk reported success")
	}
}

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		pat, name string
		want      bool
	}{
		{"**/migrations/**", "app/migrations/0001.py", true},
		{"**/migrations/**", "migrations/0001.py", true},
		{"app/*.py", "app/views.py", true},
		{"app/*.py", "app/sub/views.py", false},
		{"app/**/*.py", "app/views.py", true},
		{"app/**/*.py", "app/a/b/views.py", true},
		{"*.min.js", "x.min.js", true},
		{"tests", "tests", true},
		{"tests", "app/tests", false},
	} {
		if got := matchGlob(c.pat, c.name); got != c.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", c.pat, c.name, got, c.want)
		}
	}
}

func BenchmarkWalk10k(b *testing.B) {
	root := b.TempDir()
	// 10,000 files: 100 apps of 100 files each, a realistic mix of kinds.
	for app := 0; app < 100; app++ {
		dir := filepath.Join(root, "apps", "app"+strconv.Itoa(app))
		for _, sub := range []string{"", "templates/app", "migrations"} {
			if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
				b.Fatal(err)
			}
		}
		for i := 0; i < 100; i++ {
			var p string
			switch {
			case i < 60:
				p = filepath.Join(dir, "mod"+strconv.Itoa(i)+".py")
			case i < 90:
				p = filepath.Join(dir, "templates/app", "t"+strconv.Itoa(i)+".html")
			default:
				p = filepath.Join(dir, "migrations", "m"+strconv.Itoa(i)+".py")
			}
			content := strings.Repeat("from django.db import models\nclass M(models.Model):\n    name = models.CharField(max_length=10)\n", 20)
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Walk(context.Background(), root, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Files) != 10000 {
			b.Fatalf("%d files", len(res.Files))
		}
	}
	b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds(), "files/s")
}

// TestGlobIsNotExponential: a hostile .gitignore full of "**" against a
// deep path must still be matched in polynomial time (this test would not
// finish with a backtracking matcher).
func TestGlobIsNotExponential(t *testing.T) {
	pattern := strings.Repeat("**/", 60) + "nomatch"
	name := strings.Repeat("d/", 120) + "file.py"
	if matchGlob(pattern, name) {
		t.Fatal("matched")
	}
	if !matchGlob(strings.Repeat("**/", 60)+"file.py", name) {
		t.Fatal("did not match")
	}
}
