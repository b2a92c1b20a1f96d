package rules

import (
	"bytes"
	"sync"
)

// FileKind classifies a discovered file.
type FileKind int

const (
	OtherFile FileKind = iota
	PythonFile
	TemplateFile   // Django/Jinja templates: .html, .htm, .txt under templates/, .djhtml, .jinja...
	DependencyFile // requirements*.txt, Pipfile, *.lock, pyproject.toml, setup.cfg, pylock.toml
	ConfigFile     // .env, *.ini, *.cfg, *.toml that are not dependency files
)

func (k FileKind) String() string {
	switch k {
	case PythonFile:
		return "python"
	case TemplateFile:
		return "template"
	case DependencyFile:
		return "dependency"
	case ConfigFile:
		return "config"
	}
	return "other"
}

// File is one file of the scanned tree, read once.
type File struct {
	Path    string // relative to the root, forward slashes
	Abs     string // absolute path on disk
	Kind    FileKind
	Content []byte

	linesOnce sync.Once
	lineStart []int // byte offset of the start of each line (0-based index)
}

func (f *File) index() {
	f.linesOnce.Do(func() {
		f.lineStart = append(f.lineStart, 0)
		for i, b := range f.Content {
			if b == '\n' {
				f.lineStart = append(f.lineStart, i+1)
			}
		}
	})
}

// LineCount returns the number of lines (a final line without newline counts).
func (f *File) LineCount() int {
	f.index()
	n := len(f.lineStart)
	if n > 0 && f.lineStart[n-1] == len(f.Content) {
		n--
	}
	return n
}

// LineText returns line n (1-based) without its line ending, or "".
func (f *File) LineText(n int) string {
	f.index()
	if n < 1 || n > len(f.lineStart) {
		return ""
	}
	start := f.lineStart[n-1]
	end := len(f.Content)
	if n < len(f.lineStart) {
		end = f.lineStart[n] - 1
	}
	if start > end {
		return ""
	}
	line := f.Content[start:end]
	line = bytes.TrimSuffix(line, []byte("\r"))
	return string(line)
}

// Target is the tree a static scan looks at. It is built once and then only
// read; Memo gives rules and analyses a shared, concurrency-safe cache for
// derived data (parsed modules, the project model, evaluated settings).
type Target struct {
	Root  string  // absolute root of the scan
	Files []*File // ordered by Path
	// SettingsModule, when set, names the settings module to judge as
	// production (from --settings-module or the configuration).
	SettingsModule string

	byPath map[string]*File
	memo   sync.Map // key -> *memoEntry
}

type memoEntry struct {
	once sync.Once
	val  any
	err  error
}

// NewTarget builds a target from files already ordered by path.
func NewTarget(root string, files []*File) *Target {
	t := &Target{Root: root, Files: files, byPath: make(map[string]*File, len(files))}
	for _, f := range files {
		t.byPath[f.Path] = f
	}
	return t
}

// File returns the file with the given relative path, or nil.
func (t *Target) File(path string) *File { return t.byPath[path] }

// FilesOf returns the files of one kind, in path order.
func (t *Target) FilesOf(k FileKind) []*File {
	var out []*File
	for _, f := range t.Files {
		if f.Kind == k {
			out = append(out, f)
		}
	}
	return out
}

// Memo computes a value once per target and key, however many goroutines ask.
// Keys should be values of an unexported type of the calling package, as with
// context keys, so packages cannot collide.
func (t *Target) Memo(key any, compute func() (any, error)) (any, error) {
	e, _ := t.memo.LoadOrStore(key, &memoEntry{})
	ent := e.(*memoEntry)
	ent.once.Do(func() { ent.val, ent.err = compute() })
	return ent.val, ent.err
}
