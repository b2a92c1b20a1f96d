package taint

import (
	"github.com/djangoguard/djangoguard/internal/project"
	"github.com/djangoguard/djangoguard/internal/python"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// parseFile returns the AST of a Python file from the scan's shared parse
// cache, so that each file is parsed once per scan whoever asks.
func parseFile(t *rules.Target, f *rules.File) *python.Module {
	m := project.Parse(t, f)
	if m == nil || m.AST == nil {
		return &python.Module{}
	}
	return m.AST
}
