package taint

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// loadDir builds a target from the Python and template files under dir.
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
