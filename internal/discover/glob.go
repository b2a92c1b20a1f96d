package discover

import (
	"path"
	"strings"
)

// matchGlob reports whether the slash-separated path name matches pattern,
// where pattern is a path.Match pattern in which a "**" element matches any
// number of path elements (including none).
func matchGlob(pattern, name string) bool {
	return matchParts(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchParts(pat, name []string) bool {
	// Dynamic programming over (pattern element, name element): at most
	// len(pat)*len(name) steps, whatever the number of "**" (a hostile
	// .gitignore cannot make matching exponential).
	// ok[j] says whether pat[i:] matches name[j:], computed from i = len(pat) down.
	ok := make([]bool, len(name)+1)
	ok[len(name)] = true
	for i := len(pat) - 1; i >= 0; i-- {
		next := make([]bool, len(name)+1)
		if pat[i] == "**" {
			// "**" matches name[j:k] for any k >= j.
			seen := false
			for j := len(name); j >= 0; j-- {
				seen = seen || ok[j]
				next[j] = seen
			}
		} else {
			for j := 0; j < len(name); j++ {
				if ok[j+1] {
					m, err := path.Match(pat[i], name[j])
					next[j] = err == nil && m
				}
			}
		}
		ok = next
	}
	return ok[0]
}

// ValidGlob reports whether pattern is a well-formed exclude glob.
func ValidGlob(pattern string) error {
	for _, p := range strings.Split(pattern, "/") {
		if p == "**" {
			continue
		}
		if _, err := path.Match(p, ""); err != nil {
			return err
		}
	}
	return nil
}

// ignoreRule is one line of a .gitignore file.
type ignoreRule struct {
	base    string // directory of the .gitignore, relative to root ("" for root)
	pattern string
	negate  bool
	dirOnly bool
	rooted  bool // pattern contains a slash (other than trailing): match from base
}

// parseGitignore reads the rules of one .gitignore located in dir base.
func parseGitignore(base string, content []byte) []ignoreRule {
	var out []ignoreRule
	for _, line := range strings.Split(string(content), "\n") {
		line = strings.TrimRight(line, "\r")
		// Trailing spaces are ignored unless escaped.
		for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, `\ `) {
			line = line[:len(line)-1]
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := ignoreRule{base: base}
		if strings.HasPrefix(line, "!") {
			r.negate = true
			line = line[1:]
		} else if strings.HasPrefix(line, `\!`) || strings.HasPrefix(line, `\#`) {
			line = line[1:]
		}
		if strings.HasSuffix(line, "/") {
			r.dirOnly = true
			line = strings.TrimRight(line, "/")
		}
		if line == "" {
			continue
		}
		if strings.Contains(line, "/") {
			r.rooted = true
			line = strings.TrimPrefix(line, "/")
		}
		if ValidGlob(line) != nil {
			continue
		}
		r.pattern = line
		out = append(out, r)
	}
	return out
}

// match reports whether rule r matches rel (relative to the scan root).
func (r *ignoreRule) match(rel string, isDir bool) bool {
	if r.dirOnly && !isDir {
		return false
	}
	sub := rel
	if r.base != "" {
		if !strings.HasPrefix(rel, r.base+"/") {
			return false
		}
		sub = rel[len(r.base)+1:]
	}
	if r.rooted {
		return matchGlob(r.pattern, sub)
	}
	return matchGlob(r.pattern, path.Base(sub))
}

// ignored applies gitignore rules in order; the last matching rule wins.
func ignored(rs []ignoreRule, rel string, isDir bool) bool {
	res := false
	for i := range rs {
		if rs[i].match(rel, isDir) {
			res = !rs[i].negate
		}
	}
	return res
}
