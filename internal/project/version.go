package project

import (
	"strings"

	"github.com/djangoguard/djangoguard/internal/deps"
	"github.com/djangoguard/djangoguard/internal/deps/pep440"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// djangoVersion reads the Django version from the dependency files of a
// project (under its root, or at the scan root): a locked or pinned
// version first, then the lowest version a specifier admits (==, ~=, >=).
// It returns "" when no file says.
func djangoVersion(t *rules.Target, root string) (version, from string) {
	type cand struct {
		v, from string
		rank    int
	}
	var best *cand
	for _, f := range t.FilesOf(rules.DependencyFile) {
		dir := dirOf(f.Path)
		own := dir == root || dir == joinRel(root, "requirements")
		if !own && !(dir == "" || dir == "requirements") {
			continue
		}
		format := deps.DetectFormat(f.Path)
		if format == "" {
			continue
		}
		df, err := deps.Parse(f.Path, format, f.Content)
		if err != nil || df == nil {
			continue
		}
		for _, d := range df.Deps {
			if d.Key != "django" {
				continue
			}
			c := &cand{from: f.Path}
			if own {
				c.rank += 10 // the project's own files beat the scan root's
			}
			switch {
			case d.Version != "" && d.Locked:
				c.v, c.rank = d.Version, c.rank+3
			case d.Version != "":
				c.v, c.rank = d.Version, c.rank+2
			default:
				for _, cl := range d.Spec.Clauses {
					if cl.Op == "==" || cl.Op == "~=" || cl.Op == ">=" || cl.Op == "===" {
						c.v, c.rank = cl.Version, c.rank+1
						break
					}
				}
			}
			if c.v == "" {
				continue
			}
			// Files nearer the project root win at equal rank.
			if best == nil || c.rank > best.rank || c.rank == best.rank && strings.Count(c.from, "/") < strings.Count(best.from, "/") {
				best = c
			}
		}
	}
	if best == nil {
		return "", ""
	}
	return best.v, best.from
}

// Series returns "major.minor" of a version ("3.2.25" -> "3.2"), or "".
func Series(v string) string {
	pv, err := pep440.Parse(v)
	if err != nil {
		return ""
	}
	r := pv.Release()
	if len(r) == 0 {
		return ""
	}
	if len(r) == 1 {
		r = append(r, 0)
	}
	return itoa(r[0]) + "." + itoa(r[1])
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	neg := i < 0
	if neg {
		i = -i
	}
	var b []byte
	for i > 0 {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
	}
	if neg {
		return "-" + string(b)
	}
	return string(b)
}
