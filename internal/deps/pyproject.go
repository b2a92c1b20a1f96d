package deps

import (
	"strconv"
	"strings"
)

// parsePyProject reads [project] dependencies and optional-dependencies
// (PEP 621), [dependency-groups] (PEP 735), and [tool.poetry]
// dependencies and groups.
func parsePyProject(p string, content []byte) (*File, error) {
	var doc struct {
		Project struct {
			Name         string              `toml:"name"`
			Dependencies []string            `toml:"dependencies"`
			Optional     map[string][]string `toml:"optional-dependencies"`
		} `toml:"project"`
		DependencyGroups map[string][]any `toml:"dependency-groups"`
		Tool             struct {
			Poetry struct {
				Dependencies    map[string]any `toml:"dependencies"`
				DevDependencies map[string]any `toml:"dev-dependencies"`
				Group           map[string]struct {
					Dependencies map[string]any `toml:"dependencies"`
				} `toml:"group"`
			} `toml:"poetry"`
		} `toml:"tool"`
	}
	if err := decodeTOML(p, content, &doc); err != nil {
		return nil, err
	}
	f := &File{Path: p, Format: PyProject}
	li := newLineIndex(content)
	pep508List := func(start int, group string, reqs []string) {
		cursor := start
		for _, r := range reqs {
			line, col := li.find(cursor, strconv.Quote(r)[1:len(strconv.Quote(r))-1])
			if line >= cursor {
				cursor = line
			}
			d, c0, err := parsePEP508(r)
			if err != nil {
				f.problem(line, "%v", err)
				if d.Key == "" {
					continue
				}
			}
			d.Path, d.Line, d.Column, d.Group = p, line, col+c0, group
			f.Deps = append(f.Deps, d)
		}
	}
	projStart := li.header("project")
	if len(doc.Project.Dependencies) > 0 {
		l, _ := li.find(projStart, "dependencies")
		pep508List(l, "", doc.Project.Dependencies)
	}
	optStart := li.header("project.optional-dependencies")
	for _, g := range sortedKeysS(doc.Project.Optional) {
		l, _ := li.findKey(optStart, g)
		pep508List(l, g, doc.Project.Optional[g])
	}
	dgStart := li.header("dependency-groups")
	for _, g := range sortedKeysA(doc.DependencyGroups) {
		l, _ := li.findKey(dgStart, g)
		var reqs []string
		for _, x := range doc.DependencyGroups[g] {
			if s, ok := x.(string); ok { // {include-group = "..."} tables are skipped
				reqs = append(reqs, s)
			}
		}
		pep508List(l, g, reqs)
	}
	poetry := func(header, group string, tbl map[string]any) {
		start := li.header(header)
		keys := li.keysIn(start)
		for _, name := range sortedKeys(tbl) {
			if strings.EqualFold(name, "python") {
				continue
			}
			d := newDep(name)
			d.Path, d.Group = p, group
			d.Line, d.Column = at(keys, name, start)
			switch v := tbl[name].(type) {
			case string:
				d.setSpec(v)
			case map[string]any:
				if s, ok := v["version"].(string); ok {
					d.setSpec(s)
				}
				for _, k := range []string{"git", "path", "url"} {
					if s, ok := v[k].(string); ok {
						d.URL = s
					}
				}
				if s, ok := v["markers"].(string); ok {
					d.Marker = s
				}
			case []any:
				// Multiple constraints by platform: keep the first version.
				for _, x := range v {
					if m, ok := x.(map[string]any); ok {
						if s, ok := m["version"].(string); ok {
							d.setSpec(s)
							break
						}
					}
				}
			}
			if d.SpecErr != "" {
				f.problem(d.Line, "%s: %s", name, d.SpecErr)
			}
			f.Deps = append(f.Deps, d)
		}
	}
	poetry("tool.poetry.dependencies", "", doc.Tool.Poetry.Dependencies)
	poetry("tool.poetry.dev-dependencies", "dev", doc.Tool.Poetry.DevDependencies)
	for _, g := range sortedGroupKeys(doc.Tool.Poetry.Group) {
		poetry("tool.poetry.group."+g+".dependencies", g, doc.Tool.Poetry.Group[g].Dependencies)
	}
	return f, nil
}

func sortedKeysS(m map[string][]string) []string {
	a := map[string]any{}
	for k := range m {
		a[k] = nil
	}
	return sortedKeys(a)
}

func sortedKeysA(m map[string][]any) []string {
	a := map[string]any{}
	for k := range m {
		a[k] = nil
	}
	return sortedKeys(a)
}

func sortedGroupKeys[T any](m map[string]T) []string {
	a := map[string]any{}
	for k := range m {
		a[k] = nil
	}
	return sortedKeys(a)
}

// parseSetupCfg reads install_requires in [options] and the groups of
// [options.extras_require]: one requirement per line (or ";"-free
// comma-separated on one line).
func parseSetupCfg(p string, content []byte) *File {
	f := &File{Path: p, Format: SetupCfg}
	lines := strings.Split(strings.ReplaceAll(string(content), "\r\n", "\n"), "\n")
	section := ""
	key := "" // the key whose value continues on indented lines
	group := ""
	add := func(val string, ln int, col int) {
		val = stripComment(val)
		t := strings.TrimSpace(val)
		if t == "" {
			return
		}
		d, c0, err := parsePEP508(t)
		if err != nil {
			f.problem(ln, "%v", err)
			if d.Key == "" {
				return
			}
		}
		d.Path, d.Line, d.Group = p, ln, group
		d.Column = col + strings.Index(val, t) + c0 + 1
		f.Deps = append(f.Deps, d)
	}
	for i, raw := range lines {
		ln := i + 1
		line := strings.TrimRight(raw, " \t")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";") {
			continue
		}
		if strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]") && line[0] == '[' {
			section = strings.TrimSpace(trimmed[1 : len(trimmed)-1])
			key = ""
			continue
		}
		indented := line[0] == ' ' || line[0] == '\t'
		if indented && key != "" {
			add(line, ln, 0)
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			k, v, ok = strings.Cut(line, ":")
		}
		if !ok {
			key = ""
			continue
		}
		k = strings.TrimSpace(k)
		key = ""
		switch {
		case section == "options" && (k == "install_requires" || k == "setup_requires"):
			key, group = k, ""
			if k == "setup_requires" {
				group = "setup"
			}
		case section == "options.extras_require":
			key, group = k, k
		default:
			continue
		}
		off := len(k) + 1
		if j := strings.Index(line, "="); j >= 0 {
			off = j + 1
		}
		if strings.TrimSpace(v) != "" {
			// A one-line value is a list separated by ";" (setuptools'
			// list-semi): "test = pytest>=8; pytest-django".
			for _, part := range strings.Split(v, ";") {
				add(part, ln, off)
				off += len(part) + 1
			}
		}
	}
	return f
}
