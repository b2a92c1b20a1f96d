package deps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/djangoguard/djangoguard/internal/deps/pep440"
)

// lineIndex finds where things are written in a file, since the TOML and
// JSON decoders do not report positions.
type lineIndex struct {
	lines []string
}

func newLineIndex(content []byte) *lineIndex {
	return &lineIndex{lines: strings.Split(strings.ReplaceAll(string(content), "\r\n", "\n"), "\n")}
}

// searchWindow bounds how far find and findKey look past their starting
// line, so that a hostile file with many entries that cannot be located
// costs linear, not quadratic, time. Generated files keep what is looked
// for within a few lines of the starting point.
const searchWindow = 2000

// find returns the 1-based line and column of the first occurrence of
// needle at or after line from (1-based), or (from, 1) when absent.
func (li *lineIndex) find(from int, needle string) (int, int) {
	if from < 1 {
		from = 1
	}
	for i := from - 1; i < len(li.lines) && i < from-1+searchWindow; i++ {
		if j := strings.Index(li.lines[i], needle); j >= 0 {
			return i + 1, j + 1
		}
	}
	return from, 1
}

// tables returns the 1-based lines of every "[[name]]" header.
func (li *lineIndex) tables(name string) []int {
	var out []int
	h := "[[" + name + "]]"
	for i, l := range li.lines {
		if strings.TrimSpace(l) == h {
			out = append(out, i+1)
		}
	}
	return out
}

// header returns the line of "[name]" (1-based), or 0.
func (li *lineIndex) header(name string) int {
	h := "[" + name + "]"
	for i, l := range li.lines {
		if strings.TrimSpace(l) == h {
			return i + 1
		}
	}
	return 0
}

func decodeTOML(p string, content []byte, v any) error {
	if _, err := toml.NewDecoder(bytes.NewReader(content)).Decode(v); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

// parsePackageLock reads poetry.lock, pdm.lock and uv.lock: arrays of
// [[package]] tables with name and version.
func parsePackageLock(p string, format Format, content []byte) (*File, error) {
	pkgs, err := scanPackageLock(content)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	f := &File{Path: p, Format: format}
	var li *lineIndex // only for names not found on their key's line
	for _, pkg := range pkgs {
		if pkg.nameErr != nil {
			f.problem(pkg.line, "[[package]] name: %v", pkg.nameErr)
			continue
		}
		if pkg.name == "" {
			f.problem(pkg.line, "[[package]] without a name")
			continue
		}
		if format == UVLock && (contains(pkg.source, "editable") || contains(pkg.source, "virtual")) {
			continue // the project itself, not a package from an index
		}
		d := newDep(pkg.name)
		d.Locked = true
		d.Version = pkg.version
		d.Specifier = "==" + pkg.version
		d.Path = p
		if pkg.nameLine > 0 {
			d.Line, d.Column = pkg.nameLine, pkg.nameCol
		} else {
			if li == nil {
				li = newLineIndex(content)
			}
			d.Line, d.Column = li.find(pkg.line, `"`+pkg.name+`"`)
		}
		d.Column++
		if pkg.category == "dev" || (len(pkg.groups) > 0 && !contains(pkg.groups, "default")) {
			d.Group = "dev"
		}
		d.Hashes = pkg.hashes
		if pkg.version == "" {
			f.problem(d.Line, "package %s has no version", pkg.name)
			continue
		}
		if _, err := pep440.Parse(pkg.version); err != nil {
			f.problem(d.Line, "package %s: %v", pkg.name, err)
			continue
		}
		f.Deps = append(f.Deps, d)
	}
	return f, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// parsePyLock reads a PEP 751 lock file: [[packages]] with name and an
// optional version (a package from a VCS or directory may have none).
func parsePyLock(p string, content []byte) (*File, error) {
	var doc struct {
		LockVersion string `toml:"lock-version"`
		Packages    []struct {
			Name    string           `toml:"name"`
			Version string           `toml:"version"`
			Marker  string           `toml:"marker"`
			VCS     map[string]any   `toml:"vcs"`
			Dir     map[string]any   `toml:"directory"`
			Archive map[string]any   `toml:"archive"`
			Sdist   map[string]any   `toml:"sdist"`
			Wheels  []map[string]any `toml:"wheels"`
		} `toml:"packages"`
	}
	if err := decodeTOML(p, content, &doc); err != nil {
		return nil, err
	}
	f := &File{Path: p, Format: PyLock}
	li := newLineIndex(content)
	heads := li.tables("packages")
	for i, pkg := range doc.Packages {
		line := 0
		if i < len(heads) {
			line = heads[i]
		}
		if pkg.Name == "" {
			f.problem(line, "[[packages]] without a name")
			continue
		}
		d := newDep(pkg.Name)
		d.Locked = true
		d.Marker = pkg.Marker
		d.Path = p
		d.Line, d.Column = li.find(line, `"`+pkg.Name+`"`)
		d.Column++
		if url, ok := pkg.VCS["url"].(string); ok {
			d.URL = url
		}
		d.Hashes = len(pkg.Wheels)
		if pkg.Sdist != nil {
			d.Hashes++
		}
		if pkg.Version != "" {
			d.Version = pkg.Version
			d.Specifier = "==" + pkg.Version
		} else if d.URL == "" && pkg.Dir == nil && pkg.Archive == nil {
			f.problem(d.Line, "package %s has no version", pkg.Name)
		}
		f.Deps = append(f.Deps, d)
	}
	return f, nil
}

// parsePipfile reads [packages] and [dev-packages]: name = "spec" or
// name = {version = "spec", extras = [...], git = "...", markers = "..."}.
func parsePipfile(p string, content []byte) (*File, error) {
	var doc map[string]any
	if err := decodeTOML(p, content, &doc); err != nil {
		return nil, err
	}
	f := &File{Path: p, Format: Pipfile}
	li := newLineIndex(content)
	for _, sec := range []string{"packages", "dev-packages"} {
		tbl, _ := doc[sec].(map[string]any)
		start := li.header(sec)
		keys := li.keysIn(start)
		for _, name := range sortedKeys(tbl) {
			d := newDep(name)
			d.Path = p
			d.Line, d.Column = at(keys, name, start)
			if sec == "dev-packages" {
				d.Group = "dev"
			}
			switch v := tbl[name].(type) {
			case string:
				d.setSpec(v)
			case map[string]any:
				if s, ok := v["version"].(string); ok {
					d.setSpec(s)
				}
				for _, k := range []string{"git", "hg", "svn", "bzr", "path", "file"} {
					if s, ok := v[k].(string); ok {
						d.URL = s
					}
				}
				if e, ok := v["editable"].(bool); ok {
					d.Editable = e
				}
				if s, ok := v["markers"].(string); ok {
					d.Marker = s
				}
				if xs, ok := v["extras"].([]any); ok {
					for _, x := range xs {
						if s, ok := x.(string); ok {
							d.Extras = append(d.Extras, s)
						}
					}
				}
			default:
				f.problem(d.Line, "cannot read the requirement of %s", name)
				continue
			}
			if d.SpecErr != "" {
				f.problem(d.Line, "%s: %s", name, d.SpecErr)
			}
			f.Deps = append(f.Deps, d)
		}
	}
	return f, nil
}

// keysIn indexes the "key = ..." lines of the table that starts at line
// from (1-based header line), up to the next table header: key -> line,
// column. Used to place table entries in one pass.
func (li *lineIndex) keysIn(from int) map[string][2]int {
	out := map[string][2]int{}
	if from < 1 {
		return out
	}
	for i := from; i < len(li.lines); i++ {
		l := li.lines[i]
		t := strings.TrimLeft(l, " \t")
		if strings.HasPrefix(t, "[") {
			break
		}
		col := len(l) - len(t) + 1
		key := ""
		switch {
		case strings.HasPrefix(t, `"`) || strings.HasPrefix(t, "'"):
			end := strings.IndexByte(t[1:], t[0])
			if end < 0 {
				continue
			}
			key = t[1 : 1+end]
			col++
		default:
			end := strings.IndexAny(t, " \t=")
			if end <= 0 {
				continue
			}
			key = t[:end]
		}
		if _, seen := out[key]; !seen {
			out[key] = [2]int{i + 1, col}
		}
	}
	return out
}

// at returns the position of key in an index made by keysIn, or the
// table's header line.
func at(keys map[string][2]int, key string, header int) (int, int) {
	if p, ok := keys[key]; ok {
		return p[0], p[1]
	}
	if header < 1 {
		header = 1
	}
	return header, 1
}

// findKey finds a TOML key "name =" (bare or quoted) from line from and
// returns the position of the key's first character.
func (li *lineIndex) findKey(from int, key string) (int, int) {
	if from < 1 {
		from = 1
	}
	for i := from - 1; i < len(li.lines) && i < from-1+searchWindow; i++ {
		l := li.lines[i]
		t := strings.TrimLeft(l, " \t")
		col := len(l) - len(t) + 1
		rest := ""
		switch {
		case strings.HasPrefix(t, `"`+key+`"`), strings.HasPrefix(t, "'"+key+"'"):
			rest = t[len(key)+2:]
			col++
		case strings.HasPrefix(t, key):
			rest = t[len(key):]
		default:
			continue
		}
		if strings.HasPrefix(strings.TrimLeft(rest, " \t"), "=") {
			return i + 1, col
		}
	}
	return li.find(from, key)
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// parsePipfileLock reads Pipfile.lock (JSON): "default" and "develop" map
// names to {"version": "==x", "hashes": [...], "markers": "..."}.
func parsePipfileLock(p string, content []byte) (*File, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(content, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	f := &File{Path: p, Format: PipfileLock}
	li := newLineIndex(content)
	objKeys := li.objectKeys()
	for _, sec := range []string{"default", "develop"} {
		raw, ok := doc[sec]
		if !ok {
			continue
		}
		var pkgs map[string]struct {
			Version string   `json:"version"`
			Hashes  []string `json:"hashes"`
			Markers string   `json:"markers"`
			Git     string   `json:"git"`
			Ref     string   `json:"ref"`
			Path    string   `json:"path"`
			Extras  []string `json:"extras"`
		}
		if err := json.Unmarshal(raw, &pkgs); err != nil {
			return nil, fmt.Errorf("%s: section %q: %w", p, sec, err)
		}
		start, _ := li.find(1, `"`+sec+`"`)
		names := make([]string, 0, len(pkgs))
		for n := range pkgs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			pk := pkgs[name]
			d := newDep(name)
			d.Locked = true
			d.Path = p
			d.Line, d.Column = objectKeyAt(objKeys, name, start)
			d.Hashes = len(pk.Hashes)
			d.Marker = pk.Markers
			d.Extras = pk.Extras
			if sec == "develop" {
				d.Group = "dev"
			}
			switch {
			case pk.Git != "":
				d.URL = pk.Git
			case pk.Path != "":
				d.URL = pk.Path
			}
			if pk.Version != "" {
				d.setSpec(pk.Version)
				if d.Version == "" {
					f.problem(d.Line, "%s: version %q is not an exact pin", name, pk.Version)
				}
			}
			f.Deps = append(f.Deps, d)
		}
	}
	return f, nil
}

// objectKeys indexes the lines of a JSON file that open an object under a
// key ("name": {): key -> the positions of its name (1-based line and
// column inside the quotes), in file order.
func (li *lineIndex) objectKeys() map[string][][2]int {
	out := map[string][][2]int{}
	for i, l := range li.lines {
		t := strings.TrimLeft(l, " \t")
		if !strings.HasPrefix(t, `"`) {
			continue
		}
		end := strings.IndexByte(t[1:], '"')
		if end < 0 {
			continue
		}
		rest := strings.TrimLeft(t[2+end:], " \t")
		if !strings.HasPrefix(rest, ":") || !strings.HasPrefix(strings.TrimLeft(rest[1:], " \t"), "{") {
			continue
		}
		key := t[1 : 1+end]
		out[key] = append(out[key], [2]int{i + 1, len(l) - len(t) + 2})
	}
	return out
}

// objectKeyAt returns the first position of key at or after line from.
func objectKeyAt(keys map[string][][2]int, key string, from int) (int, int) {
	for _, p := range keys[key] {
		if p[0] >= from {
			return p[0], p[1]
		}
	}
	return from, 1
}
