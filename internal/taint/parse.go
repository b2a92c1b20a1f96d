package taint

import (
	"github.com/djangoguard/djangoguard/internal/python"
	"github.com/djangoguard/djangoguard/internal/rules"
)

type parseKey struct{ path string }

// parseFile parses a Python file once per target.
func parseFile(t *rules.Target, f *rules.File) *python.Module {
	v, _ := t.Memo(parseKey{f.Path}, func() (any, error) {
		m, _ := python.Parse(f.Path, f.Content)
		if m == nil {
			m = &python.Module{}
		}
		return m, nil
	})
	return v.(*python.Module)
}
