// Package discover finds the files of a Django project tree that djangoguard
// analyses. It walks with bounded concurrency, never follows directory
// symlinks (so it cannot loop), skips version-control and build folders,
// virtualenvs, .gitignore'd paths and configured excludes, and turns every
// file it cannot use (too large, binary, not UTF-8, unreadable, nested too
// deep) into a diagnostic instead of an error.
package discover

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// DefaultMaxFileSize is the default cap on the size of a file that is read.
const DefaultMaxFileSize = 5 << 20

// DefaultMaxDepth is the default cap on directory nesting below the root.
const DefaultMaxDepth = 128

// Options control a walk. The zero value uses the defaults.
type Options struct {
	MaxFileSize int64    // bytes; 0 means DefaultMaxFileSize
	MaxDepth    int      // directory levels below root; 0 means DefaultMaxDepth
	Exclude     []string // globs on root-relative slash paths ("**" spans folders)
	Workers     int      // concurrent directory readers; 0 means 2*GOMAXPROCS
	// NoGitignore turns off .gitignore handling.
	NoGitignore bool
	// Progress, when set, is called with the count of files read so far.
	Progress func(files int)
}

// Diagnostic is a path that could not be used, and why.
type Diagnostic struct {
	Path    string // root-relative, forward slashes ("." for the root)
	Message string
}

// Result is the outcome of a walk.
type Result struct {
	Root        string // absolute
	Files       []*rules.File
	Diagnostics []Diagnostic
	// Skipped counts files not read because their kind is not analysed.
	Skipped int
}

// skipDirs are folder names that never hold project source.
var skipDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true, ".bzr": true,
	"node_modules": true, "__pycache__": true, "bower_components": true,
	".tox": true, ".nox": true, ".mypy_cache": true, ".pytest_cache": true,
	".ruff_cache": true, ".hypothesis": true, "htmlcov": true, ".eggs": true,
	"site-packages": true, "dist-packages": true,
	"build": true, "dist": true, ".idea": true, ".vscode": true,
}

// Walk discovers the analysable files below root.
func Walk(ctx context.Context, root string, opt Options) (*Result, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", root, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("scan root: %w", err)
	}
	if opt.MaxFileSize <= 0 {
		opt.MaxFileSize = DefaultMaxFileSize
	}
	if opt.MaxDepth <= 0 {
		opt.MaxDepth = DefaultMaxDepth
	}
	if opt.Workers <= 0 {
		opt.Workers = 2 * runtime.GOMAXPROCS(0)
	}
	for _, g := range opt.Exclude {
		if err := ValidGlob(g); err != nil {
			return nil, fmt.Errorf("exclude pattern %q: %w", g, err)
		}
	}
	w := &walker{ctx: ctx, root: abs, opt: opt, res: &Result{Root: abs}}
	if !st.IsDir() {
		// A single file: its root is its folder.
		w.root = filepath.Dir(abs)
		w.res.Root = w.root
		w.visitFile(filepath.Base(abs), nil)
		return w.finish()
	}
	w.run()
	return w.finish()
}

type walker struct {
	ctx  context.Context
	root string
	opt  Options
	mu   sync.Mutex
	res  *Result
}

type dirTask struct {
	rel    string // "" for root
	depth  int
	ignore []ignoreRule // gitignore rules in force
}

func (w *walker) diag(rel, format string, args ...any) {
	if rel == "" {
		rel = "."
	}
	w.mu.Lock()
	w.res.Diagnostics = append(w.res.Diagnostics, Diagnostic{Path: rel, Message: fmt.Sprintf(format, args...)})
	w.mu.Unlock()
}

func (w *walker) run() {
	// A queue of directories served by a fixed pool of workers. Pending
	// counts directories queued or in progress; the walk ends at zero.
	var (
		mu      sync.Mutex
		cond    = sync.NewCond(&mu)
		queue   []dirTask
		pending int
	)
	push := func(t dirTask) {
		mu.Lock()
		queue = append(queue, t)
		pending++
		mu.Unlock()
		cond.Signal()
	}
	push(dirTask{})
	var wg sync.WaitGroup
	for i := 0; i < w.opt.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				for len(queue) == 0 && pending > 0 {
					cond.Wait()
				}
				if pending == 0 {
					mu.Unlock()
					cond.Broadcast()
					return
				}
				t := queue[len(queue)-1]
				queue = queue[:len(queue)-1]
				mu.Unlock()

				if w.ctx.Err() == nil {
					w.visitDir(t, push)
				}

				mu.Lock()
				pending--
				done := pending == 0
				mu.Unlock()
				if done {
					cond.Broadcast()
				}
			}
		}()
	}
	wg.Wait()
}

func (w *walker) abs(rel string) string {
	if rel == "" {
		return w.root
	}
	return filepath.Join(w.root, filepath.FromSlash(rel))
}

func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

func (w *walker) excluded(rel string, isDir bool) bool {
	for _, g := range w.opt.Exclude {
		if matchGlob(g, rel) || matchGlob(strings.TrimSuffix(g, "/"), rel) {
			return true
		}
		// A bare name pattern ("migrations", "*.min.js") matches at any depth.
		if !strings.Contains(strings.TrimSuffix(g, "/"), "/") && matchGlob(strings.TrimSuffix(g, "/"), path.Base(rel)) {
			return true
		}
	}
	return false
}

func (w *walker) visitDir(t dirTask, push func(dirTask)) {
	dir := w.abs(t.rel)
	entries, err := os.ReadDir(dir)
	if err != nil {
		w.diag(t.rel, "cannot read folder: %v", unwrapPathError(err))
		return
	}
	ign := t.ignore
	if !w.opt.NoGitignore {
		for _, e := range entries {
			if e.Name() == ".gitignore" && e.Type().IsRegular() {
				if b, err := readCapped(filepath.Join(dir, ".gitignore"), 1<<20); err == nil {
					ign = append(append([]ignoreRule(nil), ign...), parseGitignore(t.rel, b)...)
				}
				break
			}
		}
	}
	// A virtualenv is any folder holding pyvenv.cfg.
	if t.rel != "" {
		for _, e := range entries {
			if e.Name() == "pyvenv.cfg" {
				return
			}
		}
	}
	for _, e := range entries {
		name := e.Name()
		rel := join(t.rel, name)
		typ := e.Type()
		isDir := typ.IsDir()
		if typ&fs.ModeSymlink != 0 {
			// Follow file symlinks; never directory symlinks, which is what
			// makes loops impossible.
			st, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				if kindOf(rel) != rules.OtherFile {
					w.diag(rel, "broken or looping symlink: %v", unwrapPathError(err))
				}
				continue
			}
			if st.IsDir() {
				continue
			}
			if !st.Mode().IsRegular() {
				continue
			}
			isDir = false
		} else if !isDir && !typ.IsRegular() {
			continue // sockets, devices, pipes
		}
		if isDir {
			if skipDirs[name] || strings.HasSuffix(name, ".egg-info") {
				continue
			}
			if w.excluded(rel, true) || (len(ign) > 0 && ignored(ign, rel, true)) {
				continue
			}
			if t.depth+1 > w.opt.MaxDepth {
				w.diag(rel, "folder nested more than %d levels below the root: not scanned", w.opt.MaxDepth)
				continue
			}
			push(dirTask{rel: rel, depth: t.depth + 1, ignore: ign})
			continue
		}
		if w.excluded(rel, false) || (len(ign) > 0 && ignored(ign, rel, false)) {
			continue
		}
		w.visitFile(rel, e)
	}
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readFile opens p once, checks its size with fstat, and reads at most
// limit+1 bytes (a file that grows while being read is caught by the
// caller). It returns the size fstat saw; content is nil when the size is
// over the limit.
func readFile(p string, limit int64) ([]byte, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if !st.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("not a regular file")
	}
	if st.Size() > limit {
		return nil, st.Size(), nil
	}
	buf := make([]byte, st.Size()+1)
	n, err := io.ReadFull(f, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	if err != nil {
		return nil, st.Size(), err
	}
	b := buf[:n]
	if int64(n) == st.Size()+1 && int64(n) <= limit {
		// The file grew after fstat: read on, up to the limit.
		rest, err := io.ReadAll(io.LimitReader(f, limit+1-int64(n)))
		if err != nil {
			return nil, st.Size(), err
		}
		b = append(b, rest...)
	}
	return b, st.Size(), nil
}

func readCapped(p string, limit int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

var codingRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`) })

// pythonCoding returns the PEP 263 encoding declared in the first two lines.
func pythonCoding(b []byte) string {
	for i := 0; i < 2 && len(b) > 0; i++ {
		line := b
		if j := bytes.IndexByte(b, '\n'); j >= 0 {
			line, b = b[:j], b[j+1:]
		} else {
			b = nil
		}
		if m := codingRE().FindSubmatch(line); m != nil {
			return strings.ToLower(string(m[1]))
		}
		if len(bytes.TrimSpace(line)) > 0 && !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			break
		}
	}
	return ""
}

func (w *walker) visitFile(rel string, e fs.DirEntry) {
	kind := kindOf(rel)
	if kind == rules.OtherFile {
		w.mu.Lock()
		w.res.Skipped++
		w.mu.Unlock()
		return
	}
	p := w.abs(rel)
	b, size, err := readFile(p, w.opt.MaxFileSize)
	if err != nil {
		w.diag(rel, "cannot read file: %v", unwrapPathError(err))
		return
	}
	if size > w.opt.MaxFileSize || int64(len(b)) > w.opt.MaxFileSize {
		w.diag(rel, "file is %s, over the %s size cap: not scanned (raise max-file-size to include it)",
			humanSize(max(size, int64(len(b)))), humanSize(w.opt.MaxFileSize))
		return
	}
	head := b
	if len(head) > 8000 {
		head = head[:8000]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		w.diag(rel, "binary content (NUL byte) in a %s file: not scanned", kind)
		return
	}
	if !utf8.Valid(b) {
		coding := ""
		if kind == rules.PythonFile {
			coding = pythonCoding(b)
		}
		if coding == "" || coding == "utf-8" || coding == "utf8" {
			line := 1 + bytes.Count(b[:invalidUTF8Offset(b)], []byte("\n"))
			w.diag(rel, "not valid UTF-8 (first bad byte on line %d): not scanned", line)
			return
		}
		// A declared non-UTF-8 encoding: the Python reader decodes it.
	}
	f := &rules.File{Path: rel, Abs: p, Kind: kind, Content: b}
	w.mu.Lock()
	w.res.Files = append(w.res.Files, f)
	n := len(w.res.Files)
	w.mu.Unlock()
	if w.opt.Progress != nil {
		w.opt.Progress(n)
	}
}

func invalidUTF8Offset(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func (w *walker) finish() (*Result, error) {
	sort.Slice(w.res.Files, func(i, j int) bool { return w.res.Files[i].Path < w.res.Files[j].Path })
	sort.Slice(w.res.Diagnostics, func(i, j int) bool { return w.res.Diagnostics[i].Path < w.res.Diagnostics[j].Path })
	if err := w.ctx.Err(); err != nil {
		return w.res, fmt.Errorf("walk of %s interrupted: %w", w.root, err)
	}
	return w.res, nil
}
