package discover

import (
	"path"
	"strings"

	"github.com/djangoguard/djangoguard/internal/rules"
)

var templateExts = map[string]bool{
	".html": true, ".htm": true, ".txt": true, ".xml": true, ".djhtml": true,
	".jinja": true, ".jinja2": true, ".j2": true, ".svg": true,
}

var lockFiles = map[string]bool{
	"Pipfile": true, "Pipfile.lock": true, "poetry.lock": true, "pdm.lock": true,
	"uv.lock": true, "pylock.toml": true, "pyproject.toml": true, "setup.cfg": true,
}

// Kind classifies a root-relative slash path.
func Kind(rel string) rules.FileKind { return kindOf(rel) }

func kindOf(rel string) rules.FileKind {
	base := path.Base(rel)
	ext := strings.ToLower(path.Ext(base))
	lower := strings.ToLower(base)
	switch {
	case ext == ".py" || ext == ".pyi":
		return rules.PythonFile
	case lockFiles[base] || (strings.HasPrefix(base, "pylock.") && ext == ".toml"):
		return rules.DependencyFile
	case strings.HasPrefix(lower, "requirements") && (ext == ".txt" || ext == ".in" || ext == ".pip"):
		return rules.DependencyFile
	case (ext == ".txt" || ext == ".in") && inFolder(rel, "requirements", "reqs"):
		return rules.DependencyFile
	case templateExts[ext] && inFolder(rel, "templates", "jinja2"):
		return rules.TemplateFile
	case ext == ".html" || ext == ".djhtml" || ext == ".jinja" || ext == ".jinja2":
		return rules.TemplateFile
	case lower == ".env" || strings.HasPrefix(lower, ".env.") || ext == ".env" ||
		ext == ".ini" || ext == ".cfg" || ext == ".toml" || lower == ".flaskenv":
		return rules.ConfigFile
	}
	return rules.OtherFile
}

// inFolder reports whether any folder of rel is named one of names.
func inFolder(rel string, names ...string) bool {
	dir := path.Dir(rel)
	for dir != "." && dir != "/" && dir != "" {
		b := path.Base(dir)
		for _, n := range names {
			if b == n {
				return true
			}
		}
		dir = path.Dir(dir)
	}
	return false
}
