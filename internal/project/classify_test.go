package project

import (
	"path"
	"strings"
)

// isDependencyName and isConfigName are used only by tests that build targets
// in memory; the scan classifies files with internal/discover.
func isDependencyName(p string) bool {
	b := path.Base(p)
	return strings.HasPrefix(b, "requirements") && strings.HasSuffix(b, ".txt") ||
		b == "Pipfile" || b == "Pipfile.lock" || b == "poetry.lock" || b == "pyproject.toml" || b == "setup.cfg" || b == "uv.lock"
}

func isConfigName(p string) bool {
	b := path.Base(p)
	return strings.HasPrefix(b, ".env") || strings.HasSuffix(b, ".ini") || strings.HasSuffix(b, ".cfg") || strings.HasSuffix(b, ".toml")
}
