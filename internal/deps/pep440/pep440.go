// Package pep440 holds the Python packaging rules djangoguard needs to read
// dependency files: PEP 503 name normalisation, PEP 440 versions (through
// github.com/aquasecurity/go-pep440-version) and PEP 440 version specifiers
// reduced to intervals so that "does this range admit a vulnerable
// version" can be answered without enumerating releases.
package pep440

import (
	"fmt"
	"strings"
)

// Normalize returns the PEP 503 normalised form of a distribution name:
// lower case, with every run of "-", "_" and "." replaced by one "-".
// "Django_REST-framework" and "django.rest_framework" both become
// "django-rest-framework".
func Normalize(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '-' || c == '_' || c == '.':
			sep = true
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		b.WriteByte(c)
	}
	return b.String()
}

// ValidName reports whether s is a valid distribution name (PEP 508:
// letters, digits, "-", "_", "." starting and ending with a letter or digit).
func ValidName(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || i == len(s)-1 || (c != '-' && c != '_' && c != '.')) {
			return false
		}
	}
	return true
}

// Version is a parsed PEP 440 version.
//
// Parsing and comparison are done by this package's own scanner, which
// computes the sort key of pypa/packaging once per version: matching a
// lock file against the database compares versions hundreds of thousands
// of times, and github.com/aquasecurity/go-pep440-version (a regular
// expression per parse, string formatting per comparison) was too slow
// for that. The tests check this implementation against
// go-pep440-version on every version of the database and by fuzzing.
type Version struct {
	k   key
	raw string
}

// Parse reads a PEP 440 version ("1.0", "2!1.0rc1.post2.dev3+local.7").
func Parse(s string) (Version, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 128 {
		return Version{}, fmt.Errorf("invalid version %q", s)
	}
	k, ok := parseKey(s)
	if !ok {
		return Version{}, fmt.Errorf("invalid version %q", s)
	}
	return Version{k: k, raw: s}, nil
}

// MustParse is Parse for constants in tests and tables; it panics on error.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String returns the version as written.
func (v Version) String() string { return v.raw }

// Compare returns -1, 0 or 1 as v sorts before, equal to or after o under
// PEP 440 ordering (epochs, pre-, post- and dev-releases, local labels).
func (v Version) Compare(o Version) int { return v.k.compare(&o.k) }

// Less reports v < o.
func (v Version) Less(o Version) bool { return v.Compare(o) < 0 }

// IsPreRelease reports a pre-release or development release.
func (v Version) IsPreRelease() bool {
	return (v.k.preKind >= -2 && v.k.preKind <= 2) || v.k.dev != noDev
}

// IsPostRelease reports a post-release.
func (v Version) IsPostRelease() bool { return v.k.post >= 0 }

// Public returns the version without its local label.
func (v Version) Public() string {
	if i := strings.IndexByte(v.raw, '+'); i >= 0 {
		return v.raw[:i]
	}
	return v.raw
}

// Release returns the numeric release components ("3.2.25" -> [3 2 25]).
func (v Version) Release() []int {
	out := make([]int, len(v.k.release))
	for i, n := range v.k.release {
		out[i] = int(n)
	}
	return out
}

// Series returns "major.minor" ("3.2.25" -> "3.2", "5" -> "5.0").
func (v Version) Series() string {
	r := v.Release()
	for len(r) < 2 {
		r = append(r, 0)
	}
	return fmt.Sprintf("%d.%d", r[0], r[1])
}
