package deps

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// formatRoots are the files a scan of testdata/formats would discover.
var formatRoots = []string{
	"app/requirements.txt",
	"app/requirements/dev.txt",
	"pdm/pdm.lock",
	"pep621/pyproject.toml",
	"pipenv/Pipfile",
	"pipenv/Pipfile.lock",
	"poetry/poetry.lock",
	"poetry/pyproject.toml",
	"pylock/pylock.toml",
	"setuptools/setup.cfg",
	"uv/uv.lock",
}

func dumpProject(pr *Project) string {
	var b strings.Builder
	for _, f := range pr.Files {
		fmt.Fprintf(&b, "== %s (%s)\n", f.Path, f.Format)
		for _, inc := range f.Includes {
			kind := "-r"
			if inc.Constraint {
				kind = "-c"
			}
			fmt.Fprintf(&b, "  include %s %s (line %d)\n", kind, inc.Target, inc.Line)
		}
		for _, d := range f.Deps {
			fmt.Fprintf(&b, "  %d:%d %s key=%s", d.Line, d.Column, d.Name, d.Key)
			if d.Version != "" {
				fmt.Fprintf(&b, " version=%s", d.Version)
			}
			if d.Specifier != "" && !d.Locked {
				fmt.Fprintf(&b, " spec=%q", d.Specifier)
			}
			if len(d.Extras) > 0 {
				fmt.Fprintf(&b, " extras=%s", strings.Join(d.Extras, ","))
			}
			if d.Marker != "" {
				fmt.Fprintf(&b, " marker=%q", d.Marker)
			}
			if d.URL != "" {
				fmt.Fprintf(&b, " url=%s", d.URL)
			}
			if d.Editable {
				b.WriteString(" editable")
			}
			if d.Hashes > 0 {
				fmt.Fprintf(&b, " hashes=%d", d.Hashes)
			}
			if d.Group != "" {
				fmt.Fprintf(&b, " group=%s", d.Group)
			}
			if d.Locked {
				b.WriteString(" locked")
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("== problems\n")
	for _, p := range pr.Problems {
		fmt.Fprintf(&b, "  %s\n", p)
	}
	return b.String()
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update after checking):\n--- got\n%s", path, got)
	}
}

// TestParseFormats parses every fixture format, following includes, and
// compares names, versions, positions, extras, markers, hashes and
// problems with a golden file.
func TestParseFormats(t *testing.T) {
	pr := Load(context.Background(), formatRoots, DiskOpener("testdata/formats"))
	golden(t, "testdata/formats.golden", []byte(dumpProject(pr)))
}

func TestRequirementsAwkward(t *testing.T) {
	src := "" +
		"Django_REST-framework [ markdown , filter ] (>=3.14, <4) ; python_version > \"3.8\" and sys_platform != 'win32'\n" + // 1
		"foo==1.0 \\\n" + // 2
		"   --hash=sha256:aa \\\n" + // 3
		"   --hash sha256:bb\n" + // 4
		"  # comment \\\n" + // 5: a comment line does not continue
		"bar>=2\n" + // 6
		"baz==1.0#not-a-comment\n" + // 7
		"qux == 2.0  # trailing comment\n" + // 8
		"-rother.txt\n" + // 9
		"--requirement=more.txt\n" + // 10
		"--constraint c.txt\n" + // 11
		"-e ./local/pkg\n" + // 12
		"https://example.com/pkgs/Some_Pkg-1.0-py3-none-any.whl\n" + // 13
		"git+ssh://git@github.com/org/repo.git@v1#egg=repo-name-1.0\n" + // 14
		"bad name==1\n" + // 15
		"ok==not.a.version!\n" + // 16
		"--frobnicate\n" + // 17
		"\tzope.interface>=5\r\n" // 18
	f := ParseRequirements("r.txt", []byte(src))
	got := map[int]Dependency{}
	for _, d := range f.Deps {
		got[d.Line] = d
	}
	d := got[1]
	if d.Key != "django-rest-framework" || d.Specifier != ">=3.14, <4" || strings.Join(d.Extras, ",") != "markdown,filter" ||
		d.Marker != `python_version > "3.8" and sys_platform != 'win32'` || d.Version != "" {
		t.Errorf("line 1 = %+v", d)
	}
	if d := got[2]; d.Version != "1.0" || d.Hashes != 2 {
		t.Errorf("line 2 = %+v", d)
	}
	if _, ok := got[5]; ok {
		t.Error("comment line continued")
	}
	if d := got[6]; d.Key != "bar" {
		t.Errorf("line 6 = %+v", d)
	}
	if d := got[7]; d.Version != "1.0#not-a-comment" && d.SpecErr == "" {
		t.Errorf("line 7 should keep #... glued to the version (pip does): %+v", d)
	}
	if d := got[8]; d.Version != "2.0" {
		t.Errorf("line 8 = %+v", d)
	}
	if len(f.Includes) != 3 || f.Includes[0].Target != "other.txt" || f.Includes[1].Target != "more.txt" || !f.Includes[2].Constraint {
		t.Errorf("includes = %+v", f.Includes)
	}
	if d := got[12]; !d.Editable || d.URL != "./local/pkg" || d.Key != "" {
		// A local editable path without a name is the project itself.
		if d.Key != "" {
			t.Errorf("line 12 = %+v", d)
		}
	}
	if d := got[13]; d.Key != "some-pkg" {
		t.Errorf("line 13 = %+v", d)
	}
	if d := got[14]; d.Key != "repo-name" || !strings.HasPrefix(d.URL, "git+ssh://") {
		t.Errorf("line 14 = %+v", d)
	}
	if d := got[18]; d.Key != "zope-interface" || d.Column != 2 {
		t.Errorf("line 18 = %+v", d)
	}
	lines := map[int]bool{}
	for _, p := range f.Problems {
		lines[p.Line] = true
	}
	for _, l := range []int{15, 16, 17} {
		if !lines[l] {
			t.Errorf("no problem reported on line %d: %v", l, f.Problems)
		}
	}
}

func TestIncludes(t *testing.T) {
	files := map[string]string{
		"a.txt":         "-r sub/b.txt\nx==1\n",
		"sub/b.txt":     "-r ../a.txt\n-r ../../outside.txt\n-r /etc/passwd\n-r https://example.com/r.txt\n-c c.txt\n-r missing.txt\ny\n",
		"sub/c.txt":     "y==2\n",
		"deep/0.txt":    "-r 1.txt\n",
		"notes.txt":     "",
		"sub/weird.pip": "z==1\n",
	}
	for i := 1; i < 30; i++ {
		files[fmt.Sprintf("deep/%d.txt", i)] = fmt.Sprintf("-r %d.txt\n", i+1)
	}
	open := func(rel string) ([]byte, error) {
		if s, ok := files[rel]; ok {
			return []byte(s), nil
		}
		return nil, fmt.Errorf("%s: %w", rel, os.ErrNotExist)
	}
	pr := Load(context.Background(), []string{"a.txt", "deep/0.txt"}, open)
	var probs []string
	for _, p := range pr.Problems {
		probs = append(probs, p.String())
	}
	all := strings.Join(probs, "\n")
	for _, want := range []string{
		"sub/b.txt:1: include cycle: a.txt -> sub/b.txt -> a.txt",
		"sub/b.txt:2: include ../../outside.txt: outside the project",
		"sub/b.txt:3: include /etc/passwd: absolute paths are not followed",
		"sub/b.txt:4: include https://example.com/r.txt: remote requirement files are not fetched",
		"sub/b.txt:6: cannot read included file sub/missing.txt: file not found",
		"includes nested deeper than 16 files",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing problem %q in:\n%s", want, all)
		}
	}
	if pr.File("sub/c.txt") == nil || len(pr.Constraints("sub/b.txt")) != 1 || len(pr.Constraints("a.txt")) != 0 {
		t.Errorf("constraints not resolved")
	}
	if got := pr.IncludedBy("sub/b.txt"); len(got) != 1 || got[0] != "a.txt" {
		t.Errorf("IncludedBy = %v", got)
	}
}

func TestDetectFormat(t *testing.T) {
	cases := map[string]Format{
		"requirements.txt": Requirements, "requirements/prod.txt": Requirements, "requirements-dev.in": Requirements,
		"Pipfile": Pipfile, "sub/Pipfile.lock": PipfileLock, "poetry.lock": PoetryLock, "pdm.lock": PDMLock,
		"uv.lock": UVLock, "pylock.toml": PyLock, "pylock.dev.toml": PyLock, "pyproject.toml": PyProject,
		"setup.cfg": SetupCfg, "setup.py": "", "README.md": "",
	}
	for p, want := range cases {
		if got := DetectFormat(p); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		format Format
		src    string
	}{
		{"poetry.lock", PoetryLock, "[[package]\nname = "},
		{"Pipfile.lock", PipfileLock, "{\"default\": ["},
		{"Pipfile", Pipfile, "[packages\n"},
		{"pyproject.toml", PyProject, "[project]\ndependencies = \"x\"\n"},
		{"pylock.toml", PyLock, "[[packages]]\nname = 1\n"},
	} {
		if _, err := Parse(c.name, c.format, []byte(c.src)); err == nil {
			t.Errorf("%s: no error", c.name)
		} else if !strings.HasPrefix(err.Error(), c.name+":") {
			t.Errorf("%s: error does not name the file: %v", c.name, err)
		}
	}
	if _, err := Parse("big.txt", Requirements, make([]byte, maxFile+1)); err == nil {
		t.Error("oversized file accepted")
	}
}

func fuzzSeeds(f *testing.F, glob string) {
	paths, _ := filepath.Glob(glob)
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

func FuzzRequirements(f *testing.F) {
	fuzzSeeds(f, "testdata/formats/app/*.txt")
	fuzzSeeds(f, "testdata/formats/app/requirements/*.txt")
	f.Add([]byte("a[b]==1 ; c\\\n--hash=x\n-e .\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		f := ParseRequirements("r.txt", b)
		for _, d := range f.Deps {
			if d.Line < 1 || d.Column < 1 {
				t.Fatalf("bad position %+v", d)
			}
		}
	})
}

func fuzzFormat(f *testing.F, format Format, glob string) {
	fuzzSeeds(f, glob)
	f.Fuzz(func(t *testing.T, b []byte) {
		Parse("fuzz", format, b)
	})
}

func FuzzPoetryLock(f *testing.F) { fuzzFormat(f, PoetryLock, "testdata/formats/poetry/poetry.lock") }
func FuzzPDMLock(f *testing.F)    { fuzzFormat(f, PDMLock, "testdata/formats/pdm/pdm.lock") }
func FuzzUVLock(f *testing.F)     { fuzzFormat(f, UVLock, "testdata/formats/uv/uv.lock") }
func FuzzPyLock(f *testing.F)     { fuzzFormat(f, PyLock, "testdata/formats/pylock/pylock.toml") }
func FuzzPipfile(f *testing.F)    { fuzzFormat(f, Pipfile, "testdata/formats/pipenv/Pipfile") }
func FuzzPipfileLock(f *testing.F) {
	fuzzFormat(f, PipfileLock, "testdata/formats/pipenv/Pipfile.lock")
}
func FuzzPyProject(f *testing.F) { fuzzFormat(f, PyProject, "testdata/formats/*/pyproject.toml") }
func FuzzSetupCfg(f *testing.F)  { fuzzFormat(f, SetupCfg, "testdata/formats/setuptools/setup.cfg") }

// TestHostileSizes checks that large files with many entries are read in
// linear time (a quadratic search would not finish).
func TestHostileSizes(t *testing.T) {
	var pip, lock, req strings.Builder
	pip.WriteString("[packages]\n")
	lock.WriteString(`{"default": {` + "\n")
	for i := 0; i < 50000; i++ {
		fmt.Fprintf(&pip, "\"pkg-%d\" = \"==1.%d\"\n", i, i)
		if i > 0 {
			lock.WriteString(",\n")
		}
		fmt.Fprintf(&lock, "\"p%d\": {\"version\": \"==1.0\"}", i)
		fmt.Fprintf(&req, "-r r%d.txt\n", i)
	}
	lock.WriteString("}}\n")
	for name, c := range map[string]struct {
		format Format
		src    string
	}{"Pipfile": {Pipfile, pip.String()}, "Pipfile.lock": {PipfileLock, lock.String()}} {
		f, err := Parse(name, c.format, []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Deps) != 50000 {
			t.Errorf("%s: %d deps", name, len(f.Deps))
		}
	}
	// 50,000 includes stop at the file limit.
	pr := Load(context.Background(), []string{"requirements.txt"}, func(rel string) ([]byte, error) {
		if rel == "requirements.txt" {
			return []byte(req.String()), nil
		}
		return []byte("x==1\n"), nil
	})
	if len(pr.Files) != maxFiles {
		t.Errorf("%d files loaded, want the %d limit", len(pr.Files), maxFiles)
	}
}
