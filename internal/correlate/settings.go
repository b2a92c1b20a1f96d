package correlate

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Assignment is one top-level `NAME = value` in a settings file.
type Assignment struct {
	Name  string
	Raw   string // the value's source text, whitespace-collapsed
	Path  string // relative to the project root, forward slashes
	Line  int
	Bool  *bool  // set when the value is True or False
	Int   *int64 // set when the value is an integer literal (1_000 allowed) or a product of them
	Items []string
}

// SettingsFile is one settings module's simple assignments.
type SettingsFile struct {
	Path string
	// Production says the module looks like the one deployed: its name
	// mentions prod, production, live or deploy, or it is the only one.
	Production bool
	Values     map[string]*Assignment
}

// Settings are the settings modules found in a project.
type Settings struct {
	Files []*SettingsFile
}

// Limits of the settings reader.
const (
	maxSettingsFiles = 64
	maxSettingsSize  = 1 << 20
	maxWalkEntries   = 200000
)

var skipDirs = map[string]bool{".git": true, "node_modules": true, "venv": true, ".venv": true, "env": true,
	"__pycache__": true, "site-packages": true, ".tox": true, "static": true, "media": true}

// LoadSettings finds settings modules under root (settings.py, a settings/
// package, or *settings*.py) and reads their simple top-level assignments.
// It reads at most 64 files of at most 1 MiB each.
func LoadSettings(ctx context.Context, root string) (*Settings, error) {
	var paths []string
	entries := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			return nil
		}
		entries++
		if entries > maxWalkEntries {
			return fs.SkipAll
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() {
			if p != root && skipDirs[d.Name()] {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(d.Name(), ".py") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if isSettingsPath(rel) && len(paths) < maxSettingsFiles {
			paths = append(paths, rel)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("finding settings under %s: %w", root, err)
	}
	sort.Strings(paths)
	s := &Settings{}
	for _, rel := range paths {
		f, err := os.Open(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			continue
		}
		data, err := readCapped(f, maxSettingsSize)
		f.Close()
		if err != nil {
			continue
		}
		sf := ParseSettings(rel, data)
		s.Files = append(s.Files, sf)
	}
	if len(s.Files) == 1 {
		s.Files[0].Production = true
	}
	return s, nil
}

func readCapped(f *os.File, max int64) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(&limited{f: f, n: max})
	return buf.Bytes(), err
}

type limited struct {
	f *os.File
	n int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, fmt.Errorf("file larger than %d bytes", maxSettingsSize)
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.f.Read(p)
	l.n -= int64(n)
	return n, err
}

func isSettingsPath(rel string) bool {
	base := strings.ToLower(rel[strings.LastIndex(rel, "/")+1:])
	if strings.Contains(base, "settings") && !strings.HasPrefix(base, "test") {
		return true
	}
	return strings.Contains(strings.ToLower(rel), "/settings/") && base != "__init__.py" || strings.HasSuffix(rel, "settings/__init__.py")
}

func isProductionPath(rel string) bool {
	l := strings.ToLower(rel)
	for _, w := range []string{"prod", "live", "deploy"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// ParseSettings reads the top-level `NAME = value` assignments of a Python
// settings file: literals (True, False, integers and their products,
// strings) and lists or tuples of strings, possibly spread over lines.
// Anything else is kept as its raw text. It never fails: what it cannot
// read it skips.
func ParseSettings(path string, src []byte) *SettingsFile {
	sf := &SettingsFile{Path: path, Production: isProductionPath(path), Values: map[string]*Assignment{}}
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 64<<10), maxSettingsSize)
	var cur *Assignment
	var buf strings.Builder
	depth := 0
	line := 0
	finish := func() {
		if cur != nil {
			cur.Raw = strings.Join(strings.Fields(buf.String()), " ")
			interpret(cur)
			sf.Values[cur.Name] = cur
		}
		cur, depth = nil, 0
		buf.Reset()
	}
	for sc.Scan() {
		line++
		text := stripComment(sc.Text())
		if cur != nil {
			buf.WriteString(" " + text)
			depth += bracketDelta(text)
			if depth <= 0 || buf.Len() > 64<<10 {
				finish()
			}
			continue
		}
		if text == "" || text[0] == ' ' || text[0] == '\t' {
			continue
		}
		name, value, ok := strings.Cut(text, "=")
		name = strings.TrimSpace(name)
		if !ok || !isIdent(name) || strings.HasPrefix(value, "=") {
			continue
		}
		cur = &Assignment{Name: name, Path: path, Line: line}
		buf.WriteString(value)
		depth = bracketDelta(value)
		if depth <= 0 {
			finish()
		}
	}
	finish()
	return sf
}

// stripComment drops a # comment that is not inside a string.
func stripComment(s string) string {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '#':
			return strings.TrimRight(s[:i], " \t")
		}
	}
	return strings.TrimRight(s, " \t")
}

func bracketDelta(s string) int {
	d := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(' || c == '[' || c == '{':
			d++
		case c == ')' || c == ']' || c == '}':
			d--
		}
	}
	return d
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func interpret(a *Assignment) {
	raw := a.Raw
	switch raw {
	case "True", "False":
		b := raw == "True"
		a.Bool = &b
		return
	}
	if n, ok := product(raw); ok {
		a.Int = &n
		return
	}
	if len(raw) >= 2 && (raw[0] == '[' || raw[0] == '(') {
		inner := raw[1 : len(raw)-1]
		for _, part := range strings.Split(inner, ",") {
			part = strings.TrimSpace(part)
			if s, err := strconv.Unquote(part); err == nil {
				a.Items = append(a.Items, s)
			} else if len(part) >= 2 && part[0] == '\'' && part[len(part)-1] == '\'' {
				a.Items = append(a.Items, part[1:len(part)-1])
			}
		}
	}
}

// product reads an integer literal or a product of them (60 * 60 * 24).
func product(raw string) (int64, bool) {
	parts := strings.Split(raw, "*")
	if len(parts) > 8 {
		return 0, false
	}
	n := int64(1)
	for _, p := range parts {
		v, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(p), "_", ""), 10, 64)
		if err != nil || v < 0 || v > 1<<40 {
			return 0, false
		}
		n *= v
		if n > 1<<50 {
			return 0, false
		}
	}
	return n, true
}

// Find returns the assignments of name, production modules first.
func (s *Settings) Find(name string) []*Assignment {
	if s == nil {
		return nil
	}
	var prod, other []*Assignment
	for _, f := range s.Files {
		if a, ok := f.Values[name]; ok {
			if f.Production {
				prod = append(prod, a)
			} else {
				other = append(other, a)
			}
		}
	}
	return append(prod, other...)
}
