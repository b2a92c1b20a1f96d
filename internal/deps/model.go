// Package deps audits a Django project's Python dependencies offline: it
// reads every dependency file format in use (requirements files with their
// includes, Pipfile and Pipfile.lock, poetry.lock, pdm.lock, uv.lock,
// pylock.toml, pyproject.toml, setup.cfg), matches pinned and locked
// versions against the vulnerability database of package vulndb, knows
// Django's support calendar, and reports the DJG4xx findings.
package deps

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/djangoguard/djangoguard/internal/deps/pep440"
)

// Format names a dependency file format.
type Format string

// The formats read.
const (
	Requirements Format = "requirements"
	Pipfile      Format = "Pipfile"
	PipfileLock  Format = "Pipfile.lock"
	PoetryLock   Format = "poetry.lock"
	PDMLock      Format = "pdm.lock"
	UVLock       Format = "uv.lock"
	PyLock       Format = "pylock.toml"
	PyProject    Format = "pyproject.toml"
	SetupCfg     Format = "setup.cfg"
)

// Lock reports whether a format pins every dependency it lists.
func (f Format) Lock() bool {
	switch f {
	case PipfileLock, PoetryLock, PDMLock, UVLock, PyLock:
		return true
	}
	return false
}

// DetectFormat tells a dependency file's format from its name, or "".
func DetectFormat(p string) Format {
	base := path.Base(strings.ReplaceAll(p, "\\", "/"))
	lower := strings.ToLower(base)
	switch {
	case base == "Pipfile":
		return Pipfile
	case base == "Pipfile.lock":
		return PipfileLock
	case lower == "poetry.lock":
		return PoetryLock
	case lower == "pdm.lock":
		return PDMLock
	case lower == "uv.lock":
		return UVLock
	case lower == "pylock.toml" || (strings.HasPrefix(lower, "pylock.") && strings.HasSuffix(lower, ".toml")):
		return PyLock
	case lower == "pyproject.toml":
		return PyProject
	case lower == "setup.cfg":
		return SetupCfg
	case strings.HasSuffix(lower, ".txt") || strings.HasSuffix(lower, ".in"):
		return Requirements
	}
	return ""
}

// Dependency is one requirement or locked package, where it was written.
type Dependency struct {
	Name      string           // as written
	Key       string           // PEP 503 normalised name
	Specifier string           // version specifier as written ("" for none)
	Spec      pep440.Specifier // parsed Specifier (empty when it did not parse)
	SpecErr   string           // why the specifier did not parse
	Version   string           // exact version: locked, or pinned with == / ===
	Extras    []string
	Marker    string // environment marker, without the ";"
	URL       string // direct reference or VCS URL
	Editable  bool
	Hashes    int    // number of --hash options / lock hashes
	Group     string // "", "dev", or an optional-dependency group
	Locked    bool   // from a lock file
	Path      string // file, relative with forward slashes
	Line      int
	Column    int
}

// Pinned reports whether the dependency names one exact version.
func (d *Dependency) Pinned() bool { return d.Version != "" }

func (d *Dependency) String() string {
	s := d.Name
	if len(d.Extras) > 0 {
		s += "[" + strings.Join(d.Extras, ",") + "]"
	}
	switch {
	case d.URL != "":
		s += " @ " + d.URL
	case d.Locked && d.Version != "":
		s += " " + d.Version
	default:
		s += d.Specifier
	}
	return s
}

// Include is a "-r" or "-c" line of a requirements file.
type Include struct {
	Target     string // as written
	Constraint bool   // -c
	Line       int
}

// Problem is something in a file that could not be read; the rest of the
// file is still used.
type Problem struct {
	Line    int
	Message string
}

func (p Problem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Message) }

// File is a parsed dependency file.
type File struct {
	Path     string
	Format   Format
	Deps     []Dependency
	Includes []Include
	Problems []Problem
	// RequireHashes is set by a "--require-hashes" option.
	RequireHashes bool
}

func (f *File) problem(line int, format string, args ...any) {
	if len(f.Problems) < 100 {
		f.Problems = append(f.Problems, Problem{Line: line, Message: fmt.Sprintf(format, args...)})
	}
}

// maxFile bounds the size of one dependency file.
const maxFile = 16 << 20

// Parse reads a dependency file of the given format.
func Parse(p string, format Format, content []byte) (*File, error) {
	if len(content) > maxFile {
		return nil, fmt.Errorf("%s: %d bytes is over the %d byte limit", p, len(content), maxFile)
	}
	var f *File
	var err error
	switch format {
	case Requirements:
		f = ParseRequirements(p, content)
	case Pipfile:
		f, err = parsePipfile(p, content)
	case PipfileLock:
		f, err = parsePipfileLock(p, content)
	case PoetryLock, PDMLock, UVLock:
		f, err = parsePackageLock(p, format, content)
	case PyLock:
		f, err = parsePyLock(p, content)
	case PyProject:
		f, err = parsePyProject(p, content)
	case SetupCfg:
		f = parseSetupCfg(p, content)
	default:
		return nil, fmt.Errorf("%s: not a dependency file format djangoguard reads", p)
	}
	if err != nil {
		return nil, err
	}
	// Tables come out of the decoders in key order: report in file order.
	sort.SliceStable(f.Deps, func(i, j int) bool {
		a, b := &f.Deps[i], &f.Deps[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return f, nil
}

func newDep(name string) Dependency {
	return Dependency{Name: name, Key: pep440.Normalize(name)}
}

// setSpec parses a specifier into d and fills Version when it pins.
func (d *Dependency) setSpec(spec string) {
	d.Specifier = strings.TrimSpace(spec)
	s, err := pep440.ParseSpecifier(d.Specifier)
	if err != nil {
		d.SpecErr = err.Error()
		return
	}
	d.Spec = s
	if pin := s.Pinned(); pin != "" {
		if _, err := pep440.Parse(pin); err == nil {
			d.Version = pin
		}
	}
}
