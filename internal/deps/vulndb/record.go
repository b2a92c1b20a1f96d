// Package vulndb is djangoguard's offline database of known
// vulnerabilities in PyPI packages. Records follow the OSV schema
// (https://ossf.github.io/osv-schema/), reduced to what matching and
// reporting need. A compressed copy is embedded in the binary (generated
// from the PyPA advisory database and Django's security archive, see
// gen.go); `djangoguard db update` replaces it with OSV's PyPI export in
// the user's cache directory.
package vulndb

import (
	"slices"
	"strings"

	"github.com/djangoguard/djangoguard/internal/deps/pep440"
)

// Record is one advisory, possibly merged from several sources that share
// an alias.
type Record struct {
	ID        string     `json:"id"`
	Aliases   []string   `json:"aliases,omitempty"`
	Summary   string     `json:"summary,omitempty"`
	Published string     `json:"published,omitempty"` // YYYY-MM-DD
	Modified  string     `json:"modified,omitempty"`  // YYYY-MM-DD
	Severity  string     `json:"severity,omitempty"`  // low, medium, high, critical; "" when unknown
	URL       string     `json:"url,omitempty"`
	Sources   []string   `json:"sources,omitempty"`
	Affected  []Affected `json:"affected"`
}

// Affected says which versions of one package a record covers. A version
// is affected when it is listed in Versions or lies in one of the Ranges.
type Affected struct {
	Package  string   `json:"package"` // PEP 503 normalised
	Ranges   []Range  `json:"ranges,omitempty"`
	Versions []string `json:"versions,omitempty"`
	// Series lists the "major.minor" series a source named as affected
	// without saying which release fixed them (informational).
	Series []string `json:"series,omitempty"`

	// pre holds the parsed versions once prepare has run.
	pre *prepared
}

type prepared struct {
	versions []pep440.Version
	ranges   [][]parsedEvent
}

// prepare parses every version of the record once, so that matching does
// not parse them again for each query. It must run before the record is
// shared between goroutines.
// versionCache parses each distinct version string once.
type versionCache map[string]pep440.Version

func (c versionCache) parse(s string) (pep440.Version, error) {
	if c != nil {
		if v, ok := c[s]; ok {
			return v, nil
		}
	}
	v, err := pep440.Parse(s)
	if err == nil && c != nil {
		c[s] = v
	}
	return v, err
}

func (r *Record) prepare(cache versionCache) {
	for i := range r.Affected {
		a := &r.Affected[i]
		p := &prepared{}
		for _, s := range a.Versions {
			if v, err := cache.parse(s); err == nil {
				p.versions = append(p.versions, v)
			}
		}
		for _, rg := range a.Ranges {
			p.ranges = append(p.ranges, rg.parsedWith(cache))
		}
		a.pre = p
	}
}

// Range is an OSV ECOSYSTEM range: a list of events over PEP 440 versions.
type Range struct {
	Events []Event `json:"events"`
}

// Event is one OSV range event; exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

func (e Event) version() string {
	switch {
	case e.Introduced != "":
		return e.Introduced
	case e.Fixed != "":
		return e.Fixed
	case e.LastAffected != "":
		return e.LastAffected
	}
	return e.Limit
}

// IDs returns the record's ID followed by its aliases.
func (r *Record) IDs() []string {
	return append([]string{r.ID}, r.Aliases...)
}

// CVE returns the first CVE identifier among the record's IDs, or "".
func (r *Record) CVE() string {
	for _, id := range r.IDs() {
		if strings.HasPrefix(id, "CVE-") {
			return id
		}
	}
	return ""
}

// Affects reports whether version v of package pkg (normalised) is
// affected, following the OSV evaluation rules: events are sorted by
// version; a version is affected when the last event at or below it is an
// introduction (or it is at or below a last_affected event that follows an
// introduction).
func (r *Record) Affects(pkg string, v pep440.Version) bool {
	for i := range r.Affected {
		a := &r.Affected[i]
		if a.Package != pkg {
			continue
		}
		if a.affects(v) {
			return true
		}
	}
	return false
}

func (a *Affected) affects(v pep440.Version) bool {
	if a.pre != nil {
		for _, pv := range a.pre.versions {
			if pv.Compare(v) == 0 {
				return true
			}
		}
		for _, evs := range a.pre.ranges {
			if eventsAffect(evs, v) {
				return true
			}
		}
		return false
	}
	for _, s := range a.Versions {
		if pv, err := pep440.Parse(s); err == nil && pv.Compare(v) == 0 {
			return true
		}
	}
	for _, rg := range a.Ranges {
		if rg.affects(v) {
			return true
		}
	}
	return false
}

type parsedEvent struct {
	kind byte // 'i', 'f', 'l', 'x'(limit)
	zero bool // introduced "0"
	v    pep440.Version
}

func (rg Range) parsed() []parsedEvent { return rg.parsedWith(nil) }

func (rg Range) parsedWith(cache versionCache) []parsedEvent {
	evs := make([]parsedEvent, 0, len(rg.Events))
	for _, e := range rg.Events {
		pe := parsedEvent{}
		switch {
		case e.Introduced != "":
			pe.kind = 'i'
		case e.Fixed != "":
			pe.kind = 'f'
		case e.LastAffected != "":
			pe.kind = 'l'
		case e.Limit != "":
			pe.kind = 'x'
		default:
			continue
		}
		if pe.kind == 'i' && e.Introduced == "0" {
			pe.zero = true
		} else {
			pv, err := cache.parse(e.version())
			if err != nil {
				continue // an unparsable bound is ignored, as OSV tools do
			}
			pe.v = pv
		}
		evs = append(evs, pe)
	}
	slices.SortStableFunc(evs, func(a, b parsedEvent) int {
		switch {
		case a.zero && b.zero:
			return 0
		case a.zero:
			return -1
		case b.zero:
			return 1
		}
		return a.v.Compare(b.v)
	})
	return evs
}

func (rg Range) affects(v pep440.Version) bool { return eventsAffect(rg.parsed(), v) }

func eventsAffect(evs []parsedEvent, v pep440.Version) bool {
	affected := false
	var limit *pep440.Version
	for _, e := range evs {
		if e.kind == 'x' {
			lv := e.v
			limit = &lv
		}
	}
	if limit != nil && v.Compare(*limit) >= 0 {
		return false
	}
	for _, e := range evs {
		switch e.kind {
		case 'i':
			if e.zero || v.Compare(e.v) >= 0 {
				affected = true
			}
		case 'f':
			if v.Compare(e.v) >= 0 {
				affected = false
			}
		case 'l':
			if v.Compare(e.v) > 0 {
				affected = false
			}
		}
	}
	return affected
}

// Intervals returns the affected intervals of package pkg: each range as
// [introduced, fixed) or [introduced, last_affected], and each listed
// version as a point.
func (r *Record) Intervals(pkg string) []pep440.Interval {
	var out []pep440.Interval
	for i := range r.Affected {
		a := &r.Affected[i]
		if a.Package != pkg {
			continue
		}
		for _, s := range a.Versions {
			if pv, err := pep440.Parse(s); err == nil {
				v := pv
				out = append(out, pep440.Interval{Lo: pep440.Bound{V: &v, Incl: true}, Hi: pep440.Bound{V: &v, Incl: true}})
			}
		}
		for _, rg := range a.Ranges {
			var open *pep440.Interval
			for _, e := range rg.parsed() {
				switch e.kind {
				case 'i':
					if open == nil {
						iv := pep440.Interval{}
						if !e.zero {
							v := e.v
							iv.Lo = pep440.Bound{V: &v, Incl: true}
						}
						open = &iv
					}
				case 'f', 'l', 'x':
					if open != nil {
						v := e.v
						open.Hi = pep440.Bound{V: &v, Incl: e.kind == 'l'}
						out = append(out, *open)
						open = nil
					}
				}
			}
			if open != nil {
				out = append(out, *open)
			}
		}
	}
	return out
}

// FixedVersions returns the versions of pkg named as fixing the record.
func (r *Record) FixedVersions(pkg string) []pep440.Version {
	var out []pep440.Version
	for i := range r.Affected {
		a := &r.Affected[i]
		if a.Package != pkg {
			continue
		}
		for _, rg := range a.Ranges {
			for _, e := range rg.Events {
				if e.Fixed != "" {
					if v, err := pep440.Parse(e.Fixed); err == nil {
						out = append(out, v)
					}
				}
			}
		}
	}
	return out
}
