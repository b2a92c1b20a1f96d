package deps

import (
	"regexp"
	"strings"
	"sync"
)

// ParseRequirements reads a pip requirements file: comments, line
// continuations, options (-r, -c, -e, -i, --hash ... ), PEP 508
// requirements, URLs and VCS references. Includes are listed in
// File.Includes, not followed (see Resolver). Lines that cannot be read
// are recorded as Problems and skipped.
func ParseRequirements(p string, content []byte) *File {
	f := &File{Path: p, Format: Requirements}
	lines := strings.Split(strings.ReplaceAll(string(content), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		start := i + 1
		// As pip does: join continuation lines first (a comment line never
		// continues), then strip comments.
		logical := lines[i]
		for strings.HasSuffix(logical, "\\") && !isCommentLine(logical) && i+1 < len(lines) {
			i++
			logical = strings.TrimSuffix(logical, "\\") + " " + lines[i]
		}
		logical = strings.TrimSuffix(logical, "\\")
		logical = stripComment(logical)
		if strings.TrimSpace(logical) == "" {
			continue
		}
		parseRequirementLine(f, logical, start)
	}
	return f
}

func isCommentLine(s string) bool { return strings.HasPrefix(strings.TrimSpace(s), "#") }

var commentRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(^|\s+)#.*$`) })

func stripComment(s string) string {
	return strings.TrimRight(commentRE().ReplaceAllString(s, ""), " \t")
}

// options that take a value and apply to the whole file.
var fileOptions = map[string]bool{
	"-i": true, "--index-url": true, "--extra-index-url": true, "-f": true, "--find-links": true,
	"--no-binary": true, "--only-binary": true, "--trusted-host": true, "--use-feature": true,
	"--progress-bar": true,
}

// flags without a value.
var fileFlags = map[string]bool{
	"--no-index": true, "--pre": true, "--prefer-binary": true, "--require-hashes": true,
}

func parseRequirementLine(f *File, line string, ln int) {
	trimmed := strings.TrimSpace(line)
	lead := strings.Index(line, trimmed)
	if strings.HasPrefix(trimmed, "-") {
		opt, val := splitOption(trimmed)
		switch opt {
		case "-r", "--requirement", "-c", "--constraint":
			if val == "" {
				f.problem(ln, "%s needs a file name", opt)
				return
			}
			f.Includes = append(f.Includes, Include{Target: val, Constraint: opt == "-c" || opt == "--constraint", Line: ln})
			return
		case "-e", "--editable":
			if val == "" {
				f.problem(ln, "%s needs a path or URL", opt)
				return
			}
			d := urlRequirement(val)
			d.Editable = true
			d.Path, d.Line, d.Column = f.Path, ln, lead+1+strings.Index(trimmed, val)
			if d.Key != "" {
				f.Deps = append(f.Deps, d)
			}
			return
		case "--require-hashes":
			f.RequireHashes = true
			return
		}
		if fileOptions[opt] || fileFlags[opt] {
			return
		}
		f.problem(ln, "unknown option %s", opt)
		return
	}
	// Per-requirement options: everything from the first " --" on.
	req, opts := trimmed, ""
	if j := strings.Index(trimmed, " --"); j >= 0 {
		req, opts = strings.TrimSpace(trimmed[:j]), trimmed[j:]
	} else if j := strings.Index(trimmed, "\t--"); j >= 0 {
		req, opts = strings.TrimSpace(trimmed[:j]), trimmed[j:]
	}
	hashes := 0
	for _, o := range strings.Fields(opts) {
		if strings.HasPrefix(o, "--hash") {
			hashes++
		}
	}
	var d Dependency
	col := 0
	if looksLikeURL(req) {
		d = urlRequirement(req)
		if d.Key == "" {
			f.problem(ln, "cannot tell the package name of %s (add #egg=NAME or NAME @ URL)", clip(req))
			return
		}
	} else {
		var err error
		d, col, err = parsePEP508(req)
		if err != nil {
			f.problem(ln, "%v", err)
			if d.Key == "" {
				return
			}
		}
	}
	d.Hashes = hashes
	d.Path, d.Line, d.Column = f.Path, ln, lead+col+1
	f.Deps = append(f.Deps, d)
}

// splitOption splits "-r file", "-rfile", "--requirement=file".
func splitOption(s string) (opt, val string) {
	if strings.HasPrefix(s, "--") {
		if j := strings.IndexAny(s, "= \t"); j >= 0 {
			return s[:j], strings.TrimSpace(s[j+1:])
		}
		return s, ""
	}
	if len(s) > 2 {
		return s[:2], strings.TrimSpace(s[2:])
	}
	return s, ""
}

func looksLikeURL(s string) bool {
	if strings.Contains(s, "://") && !strings.Contains(strings.SplitN(s, "://", 2)[0], "@") {
		return true
	}
	return strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "file:")
}

var eggVersionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.+?)-[0-9][^-]*$`) })

var eggRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)`) })

// urlRequirement reads "-e git+https://...#egg=name", "./path", or a
// "name @ url" requirement.
func urlRequirement(s string) Dependency {
	if !looksLikeURL(s) {
		if d, _, err := parsePEP508(s); err == nil {
			return d
		}
	}
	url := s
	if j := strings.Index(s, " ;"); j >= 0 {
		url = strings.TrimSpace(s[:j])
	}
	name := ""
	if m := eggRE().FindStringSubmatch(url); m != nil {
		name = m[1]
		// "#egg=name-1.0" is an old form carrying the version.
		if v := eggVersionRE().FindStringSubmatch(name); v != nil {
			name = v[1]
		}
	} else if strings.HasSuffix(url, ".whl") {
		base := url[strings.LastIndex(url, "/")+1:]
		if k := strings.IndexByte(base, '-'); k > 0 {
			name = base[:k]
		}
	}
	d := Dependency{URL: url}
	if name != "" {
		d = newDep(name)
		d.URL = url
	}
	return d
}
