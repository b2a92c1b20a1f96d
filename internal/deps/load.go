package deps

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Opener reads a file of the project by its path relative to the project
// root (forward slashes). It returns an error wrapping fs.ErrNotExist when
// there is no such file.
type Opener func(rel string) ([]byte, error)

// Project is every dependency file of a project, parsed once, with the
// requirements files they include.
type Project struct {
	Files    []*File
	byPath   map[string]*File
	Problems []FileProblem
	// includedBy maps a file to the files including it with -r.
	includedBy map[string][]string
	// constraints maps a requirements file to the constraint files that
	// apply to it (-c, directly or through -r).
	constraints map[string][]string
	open        Opener
}

// FileProblem is a problem found reading a file.
type FileProblem struct {
	Path string
	Problem
}

func (p FileProblem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.Path, p.Message)
}

// maxIncludeDepth bounds chains of -r and -c includes.
const maxIncludeDepth = 16

// maxFiles bounds the number of files one project may pull in.
const maxFiles = 2000

// Load parses the given dependency files (paths relative to the root) and
// follows the includes of requirements files, resolved relative to the
// including file. A file that cannot be read or parsed is reported in
// Problems and the others are still used.
func Load(ctx context.Context, paths []string, open Opener) *Project {
	pr := &Project{byPath: map[string]*File{}, includedBy: map[string][]string{}, constraints: map[string][]string{}, open: open}
	for _, p := range paths {
		if ctx.Err() != nil {
			break
		}
		if _, err := pr.load(ctx, p, DetectFormat(p), nil); err != nil {
			pr.problem(p, 0, "%v", err)
		}
	}
	return pr
}

// File returns the parsed file with path p, or nil.
func (pr *Project) File(p string) *File { return pr.byPath[p] }

// IncludedBy returns the files that include p with -r.
func (pr *Project) IncludedBy(p string) []string { return pr.includedBy[p] }

func (pr *Project) problem(p string, line int, format string, args ...any) {
	if len(pr.Problems) < 1000 {
		pr.Problems = append(pr.Problems, FileProblem{Path: p, Problem: Problem{Line: line, Message: fmt.Sprintf(format, args...)}})
	}
}

// load parses file p once. The error says why it could not be read; it is
// reported by the caller, on the include line for an included file.
func (pr *Project) load(ctx context.Context, p string, format Format, stack []string) (*File, error) {
	if f, ok := pr.byPath[p]; ok {
		if f == nil {
			return nil, errAlreadyFailed
		}
		return f, nil
	}
	if len(pr.byPath) >= maxFiles {
		return nil, fmt.Errorf("not read: over %d dependency files", maxFiles)
	}
	if format == "" {
		format = Requirements // an included file is a requirements file whatever its name
	}
	pr.byPath[p] = nil
	content, err := pr.read(p)
	if err != nil {
		return nil, err
	}
	f, err := Parse(p, format, content)
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), p+": "))
	}
	pr.byPath[p] = f
	pr.Files = append(pr.Files, f)
	for _, prob := range f.Problems {
		pr.Problems = append(pr.Problems, FileProblem{Path: p, Problem: prob})
	}
	stack = append(stack, p)
	for _, inc := range f.Includes {
		if ctx.Err() != nil {
			return f, nil
		}
		target, err := resolveInclude(p, inc.Target)
		if err != nil {
			pr.problem(p, inc.Line, "%v", err)
			continue
		}
		if i := indexOf(stack, target); i >= 0 {
			pr.problem(p, inc.Line, "include cycle: %s -> %s", strings.Join(stack[i:], " -> "), target)
			continue
		}
		if len(stack) >= maxIncludeDepth {
			pr.problem(p, inc.Line, "includes nested deeper than %d files", maxIncludeDepth)
			continue
		}
		_, err = pr.load(ctx, target, DetectFormat(target), stack)
		if err != nil {
			if err != errAlreadyFailed {
				pr.problem(p, inc.Line, "cannot read included file %s: %v", target, err)
			}
			continue
		}
		if inc.Constraint {
			pr.constraints[p] = appendUniq(pr.constraints[p], target)
		} else {
			pr.includedBy[target] = appendUniq(pr.includedBy[target], p)
		}
	}
	return f, nil
}

var errAlreadyFailed = errors.New("already reported")

var errNoOpener = errors.New("no opener")

func (pr *Project) read(p string) ([]byte, error) {
	if pr.open == nil {
		return nil, errNoOpener
	}
	b, err := pr.open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errors.New("file not found")
		}
		return nil, err
	}
	if len(b) > maxFile {
		return nil, fmt.Errorf("%d bytes is over the %d byte limit", len(b), maxFile)
	}
	return b, nil
}

// resolveInclude resolves an include target relative to the including
// file. Targets outside the project root, absolute paths and URLs are
// refused: a scan reads only the project.
func resolveInclude(from, target string) (string, error) {
	t := strings.TrimSpace(target)
	if strings.Contains(t, "://") {
		return "", fmt.Errorf("include %s: remote requirement files are not fetched", clip(t))
	}
	t = strings.ReplaceAll(t, "\\", "/")
	if strings.HasPrefix(t, "/") || (len(t) > 1 && t[1] == ':') {
		return "", fmt.Errorf("include %s: absolute paths are not followed", clip(t))
	}
	joined := path.Clean(path.Join(path.Dir(from), t))
	if joined == ".." || strings.HasPrefix(joined, "../") {
		return "", fmt.Errorf("include %s: outside the project", clip(t))
	}
	return joined, nil
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return -1
}

func appendUniq(ss []string, s string) []string {
	if indexOf(ss, s) >= 0 {
		return ss
	}
	return append(ss, s)
}

// Constraints returns every constraint file applying to requirements file
// p: its own -c files and those of the files including it.
func (pr *Project) Constraints(p string) []*File {
	seen := map[string]bool{}
	var out []*File
	var walk func(string, int)
	walk = func(q string, depth int) {
		if seen[q] || depth > maxIncludeDepth {
			return
		}
		seen[q] = true
		for _, c := range pr.constraints[q] {
			if f := pr.byPath[c]; f != nil {
				out = append(out, f)
				walk(c, depth+1)
			}
		}
		for _, parent := range pr.includedBy[q] {
			walk(parent, depth+1)
		}
	}
	walk(p, 0)
	return out
}

// IsConstraint reports whether p is used as a constraints file (-c) by
// another file: it limits versions, it does not install anything.
func (pr *Project) IsConstraint(p string) bool {
	for _, cs := range pr.constraints {
		if indexOf(cs, p) >= 0 {
			return true
		}
	}
	return false
}
