package pep440

import (
	"fmt"
	"strconv"
	"strings"
)

// Clause is one comparison of a specifier set: ">=", "3.2".
type Clause struct {
	Op       string // ~= == != <= >= < > ===
	Version  string // as written, without a trailing ".*"
	Wildcard bool   // "==3.2.*" or "!=3.2.*"
}

func (c Clause) String() string {
	if c.Wildcard {
		return c.Op + c.Version + ".*"
	}
	return c.Op + c.Version
}

// Specifier is a PEP 440 version specifier set (clauses joined by commas).
// The empty Specifier admits every version.
type Specifier struct {
	Clauses []Clause
}

func (s Specifier) String() string {
	parts := make([]string, len(s.Clauses))
	for i, c := range s.Clauses {
		parts[i] = c.String()
	}
	return strings.Join(parts, ",")
}

var ops = []string{"===", "~=", "==", "!=", "<=", ">=", "<", ">"}

// ParseSpecifier reads "~=3.2, !=3.2.1,<4" (spaces allowed, empty means any).
// Poetry's caret and tilde forms ("^3.2", "~3.2") and a bare version ("3.2",
// meaning ==3.2) are accepted too, since poetry and Pipfile use them.
func ParseSpecifier(s string) (Specifier, error) {
	s = strings.TrimSpace(s)
	var out Specifier
	if s == "" || s == "*" {
		return out, nil
	}
	if len(s) > 1024 {
		return out, fmt.Errorf("specifier too long (%d bytes)", len(s))
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		cs, err := parseClause(part)
		if err != nil {
			return Specifier{}, err
		}
		out.Clauses = append(out.Clauses, cs...)
	}
	return out, nil
}

func parseClause(part string) ([]Clause, error) {
	// Poetry: "^1.2.3", "~1.2", ">=1.2 <2" (space-separated).
	if fs := strings.Fields(part); len(fs) > 1 {
		// ">= 1.2" is one clause with a space; ">=1.2 <2" are two.
		joined := ""
		var out []Clause
		for _, f := range fs {
			joined += f
			if isOpOnly(joined) {
				continue
			}
			cs, err := parseClause(joined)
			if err != nil {
				return nil, err
			}
			out = append(out, cs...)
			joined = ""
		}
		if joined != "" {
			return nil, fmt.Errorf("invalid specifier %q: operator without a version", part)
		}
		return out, nil
	}
	switch {
	case strings.HasPrefix(part, "^"):
		return caret(part[1:])
	case strings.HasPrefix(part, "~") && !strings.HasPrefix(part, "~="):
		return tilde(part[1:])
	}
	op := ""
	for _, o := range ops {
		if strings.HasPrefix(part, o) {
			op = o
			break
		}
	}
	ver := strings.TrimSpace(part[len(op):])
	if op == "" {
		op = "=="
	}
	if op == "===" {
		if ver == "" {
			return nil, fmt.Errorf("invalid specifier %q", part)
		}
		return []Clause{{Op: op, Version: ver}}, nil
	}
	c := Clause{Op: op, Version: ver}
	if strings.HasSuffix(ver, ".*") {
		if op != "==" && op != "!=" {
			return nil, fmt.Errorf("invalid specifier %q: a wildcard only goes with == or !=", part)
		}
		c.Version = strings.TrimSuffix(ver, ".*")
		c.Wildcard = true
	}
	if ver == "*" && op == "==" {
		return nil, nil
	}
	if _, err := Parse(c.Version); err != nil {
		return nil, fmt.Errorf("invalid specifier %q: %w", part, err)
	}
	if op == "~=" && len(MustParse(c.Version).Release()) < 2 {
		return nil, fmt.Errorf("invalid specifier %q: ~= needs at least two release components", part)
	}
	return []Clause{c}, nil
}

func isOpOnly(s string) bool {
	for _, o := range ops {
		if s == o {
			return true
		}
	}
	return s == "^" || s == "~"
}

// caret turns poetry's ^1.2.3 into >=1.2.3,<2.0.0 (the leftmost non-zero
// component may not change).
func caret(ver string) ([]Clause, error) {
	v, err := Parse(ver)
	if err != nil {
		return nil, fmt.Errorf("invalid specifier %q: %w", "^"+ver, err)
	}
	r := v.Release()
	i := 0
	for i < len(r)-1 && r[i] == 0 {
		i++
	}
	return []Clause{{Op: ">=", Version: ver}, {Op: "<", Version: bump(r, i)}}, nil
}

// tilde turns poetry's ~1.2.3 into >=1.2.3,<1.3.0 and ~1 into >=1,<2.
func tilde(ver string) ([]Clause, error) {
	v, err := Parse(ver)
	if err != nil {
		return nil, fmt.Errorf("invalid specifier %q: %w", "~"+ver, err)
	}
	r := v.Release()
	i := 1
	if len(r) == 1 {
		i = 0
	}
	return []Clause{{Op: ">=", Version: ver}, {Op: "<", Version: bump(r, i)}}, nil
}

// bump increments component i and drops the rest: bump([1 2 3], 1) = "1.3".
func bump(r []int, i int) string {
	parts := make([]string, i+1)
	for j := 0; j <= i; j++ {
		n := 0
		if j < len(r) {
			n = r[j]
		}
		if j == i {
			n++
		}
		parts[j] = strconv.Itoa(n)
	}
	return strings.Join(parts, ".")
}

// Pinned returns the exact version a specifier pins ("==3.2.25" or
// "===3.2.25"), or "" when it admits more than one version.
func (s Specifier) Pinned() string {
	var pin string
	for _, c := range s.Clauses {
		if (c.Op == "==" || c.Op == "===") && !c.Wildcard {
			if pin != "" && pin != c.Version {
				return ""
			}
			pin = c.Version
		}
	}
	return pin
}

// Bound is one end of an Interval; a nil Version means unbounded.
type Bound struct {
	V    *Version
	Incl bool
}

// Interval is a contiguous set of versions.
type Interval struct {
	Lo, Hi Bound
}

// Empty reports whether no version lies in the interval.
func (iv Interval) Empty() bool {
	if iv.Lo.V == nil || iv.Hi.V == nil {
		return false
	}
	c := iv.Lo.V.Compare(*iv.Hi.V)
	return c > 0 || (c == 0 && !(iv.Lo.Incl && iv.Hi.Incl))
}

// Contains reports whether v lies in the interval.
func (iv Interval) Contains(v Version) bool {
	if iv.Lo.V != nil {
		c := v.Compare(*iv.Lo.V)
		if c < 0 || (c == 0 && !iv.Lo.Incl) {
			return false
		}
	}
	if iv.Hi.V != nil {
		c := v.Compare(*iv.Hi.V)
		if c > 0 || (c == 0 && !iv.Hi.Incl) {
			return false
		}
	}
	return true
}

// Intersect returns the intersection of two intervals (maybe Empty).
func (iv Interval) Intersect(o Interval) Interval {
	out := iv
	if o.Lo.V != nil {
		if out.Lo.V == nil {
			out.Lo = o.Lo
		} else if c := o.Lo.V.Compare(*out.Lo.V); c > 0 || (c == 0 && !o.Lo.Incl) {
			out.Lo = o.Lo
		}
	}
	if o.Hi.V != nil {
		if out.Hi.V == nil {
			out.Hi = o.Hi
		} else if c := o.Hi.V.Compare(*out.Hi.V); c < 0 || (c == 0 && !o.Hi.Incl) {
			out.Hi = o.Hi
		}
	}
	return out
}

// Interval returns the smallest interval holding every version the
// specifier admits ("!=" clauses only remove points and are ignored unless
// they remove the single version an "==" admits). ok is false when the
// specifier admits nothing or holds an arbitrary-equality clause that is
// not a version.
func (s Specifier) Interval() (iv Interval, ok bool) {
	for _, c := range s.Clauses {
		ci, err := clauseInterval(c)
		if err != nil {
			return Interval{}, false
		}
		iv = iv.Intersect(ci)
	}
	if iv.Empty() {
		return iv, false
	}
	// "!=" removes the versions an "==" of the same version admits; when
	// they cover the whole interval nothing is left.
	for _, c := range s.Clauses {
		if c.Op != "!=" {
			continue
		}
		ci, err := clauseInterval(Clause{Op: "==", Version: c.Version, Wildcard: c.Wildcard})
		if err == nil && sameInterval(iv.Intersect(ci), iv) {
			return iv, false
		}
	}
	return iv, true
}

// Admits reports whether version v satisfies every clause. Pre-releases are
// treated like any other version.
func (s Specifier) Admits(v Version) bool {
	for _, c := range s.Clauses {
		if c.Op == "!=" {
			ci, err := clauseInterval(Clause{Op: "==", Version: c.Version, Wildcard: c.Wildcard})
			if err != nil || ci.Contains(v) {
				return false
			}
			continue
		}
		if c.Op == "===" {
			if !strings.EqualFold(strings.TrimSpace(c.Version), v.String()) {
				return false
			}
			continue
		}
		ci, err := clauseInterval(c)
		if err != nil || !ci.Contains(v) {
			return false
		}
	}
	return true
}

func clauseInterval(c Clause) (Interval, error) {
	v, err := Parse(c.Version)
	if err != nil {
		return Interval{}, err
	}
	switch c.Op {
	case "!=":
		return Interval{}, nil
	case "===":
		return Interval{Lo: Bound{&v, true}, Hi: Bound{&v, true}}, nil
	case "==":
		if !c.Wildcard {
			// "==1.0" also admits local versions such as "1.0+ubuntu1",
			// which sort between 1.0 and 1.0.post0.dev0.
			if !strings.Contains(c.Version, "+") && !v.IsPostRelease() && !strings.Contains(strings.ToLower(c.Version), "dev") {
				if hi, err := Parse(c.Version + ".post0.dev0"); err == nil {
					return Interval{Lo: Bound{&v, true}, Hi: Bound{&hi, false}}, nil
				}
			}
			return Interval{Lo: Bound{&v, true}, Hi: Bound{&v, true}}, nil
		}
		r := v.Release()
		lo, err1 := Parse(epochPrefix(c.Version) + joinInts(r) + ".dev0")
		hi, err2 := Parse(epochPrefix(c.Version) + bump(r, len(r)-1) + ".dev0")
		if err1 != nil || err2 != nil {
			return Interval{}, fmt.Errorf("invalid wildcard %q", c.String())
		}
		return Interval{Lo: Bound{&lo, true}, Hi: Bound{&hi, false}}, nil
	case "~=":
		r := v.Release()
		hi, err := Parse(epochPrefix(c.Version) + bump(r, len(r)-2) + ".dev0")
		if err != nil {
			return Interval{}, err
		}
		return Interval{Lo: Bound{&v, true}, Hi: Bound{&hi, false}}, nil
	case ">=":
		return Interval{Lo: Bound{&v, true}}, nil
	case ">":
		return Interval{Lo: Bound{&v, false}}, nil
	case "<=":
		return Interval{Hi: Bound{&v, true}}, nil
	case "<":
		// "<5.2" excludes the pre-releases of 5.2 (PEP 440).
		if !v.IsPreRelease() {
			if d, err := Parse(epochPrefix(c.Version) + joinInts(v.Release()) + ".dev0"); err == nil {
				return Interval{Hi: Bound{&d, false}}, nil
			}
		}
		return Interval{Hi: Bound{&v, false}}, nil
	}
	return Interval{}, fmt.Errorf("unknown operator %q", c.Op)
}

func epochPrefix(s string) string {
	if i := strings.IndexByte(s, '!'); i >= 0 {
		return strings.TrimSpace(s[:i+1])
	}
	return ""
}

func joinInts(r []int) string {
	parts := make([]string, len(r))
	for i, n := range r {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ".")
}

func sameBound(a, b Bound) bool {
	if a.V == nil || b.V == nil {
		return a.V == nil && b.V == nil
	}
	return a.Incl == b.Incl && a.V.Compare(*b.V) == 0
}

func sameInterval(a, b Interval) bool { return sameBound(a.Lo, b.Lo) && sameBound(a.Hi, b.Hi) }
