package vulndb

import (
	"fmt"
	"sort"
	"strings"

	"github.com/djangoguard/djangoguard/internal/deps/pep440"
)

// OSV is the subset of the OSV schema read from the PyPA advisory database
// (YAML) and from OSV's PyPI export (JSON). Field names match both.
type OSV struct {
	ID        string   `json:"id" yaml:"id"`
	Modified  string   `json:"modified" yaml:"modified"`
	Published string   `json:"published" yaml:"published"`
	Withdrawn string   `json:"withdrawn" yaml:"withdrawn"`
	Aliases   []string `json:"aliases" yaml:"aliases"`
	Summary   string   `json:"summary" yaml:"summary"`
	Details   string   `json:"details" yaml:"details"`
	Severity  []struct {
		Type  string `json:"type" yaml:"type"`
		Score string `json:"score" yaml:"score"`
	} `json:"severity" yaml:"severity"`
	Affected []struct {
		Package struct {
			Ecosystem string `json:"ecosystem" yaml:"ecosystem"`
			Name      string `json:"name" yaml:"name"`
		} `json:"package" yaml:"package"`
		Ranges []struct {
			Type   string              `json:"type" yaml:"type"`
			Events []map[string]string `json:"events" yaml:"events"`
		} `json:"ranges" yaml:"ranges"`
		Versions []string `json:"versions" yaml:"versions"`
	} `json:"affected" yaml:"affected"`
	References []struct {
		Type string `json:"type" yaml:"type"`
		URL  string `json:"url" yaml:"url"`
	} `json:"references" yaml:"references"`
	DatabaseSpecific map[string]any `json:"database_specific" yaml:"database_specific"`
}

// maxRecordField bounds the strings kept from a record.
const maxSummary = 300

// Convert reduces an OSV record to a Record. It returns nil (and no error)
// for a withdrawn record or one with no PyPI package.
func Convert(o *OSV, source string) (*Record, error) {
	if o.ID == "" {
		return nil, fmt.Errorf("record without an id")
	}
	if len(o.ID) > 100 {
		return nil, fmt.Errorf("record id %.40q... is too long", o.ID)
	}
	if o.Withdrawn != "" {
		return nil, nil
	}
	r := &Record{
		ID:        o.ID,
		Published: day(o.Published),
		Modified:  day(o.Modified),
		Sources:   []string{source},
		URL:       "https://osv.dev/vulnerability/" + o.ID,
	}
	for _, a := range o.Aliases {
		if a != "" && a != o.ID && len(a) <= 100 {
			r.Aliases = append(r.Aliases, a)
		}
	}
	r.Summary = summarize(o.Summary)
	if r.Summary == "" {
		r.Summary = summarize(firstSentence(o.Details))
	}
	if s, ok := o.DatabaseSpecific["severity"].(string); ok {
		r.Severity = normSeverity(s)
	}
	for _, s := range o.Severity {
		if strings.HasPrefix(s.Type, "CVSS_V3") {
			if score, ok := cvss3Score(s.Score); ok {
				r.Severity = maxSeverity(r.Severity, severityOfScore(score))
			}
		}
	}
	for _, a := range o.Affected {
		if !strings.EqualFold(a.Package.Ecosystem, "PyPI") || a.Package.Name == "" {
			continue
		}
		aff := Affected{Package: pep440.Normalize(a.Package.Name)}
		for _, rg := range a.Ranges {
			if rg.Type != "ECOSYSTEM" {
				continue
			}
			var out Range
			for _, ev := range rg.Events {
				keys := make([]string, 0, len(ev))
				for k := range ev {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					v := strings.TrimSpace(ev[k])
					if v == "" || len(v) > 100 {
						continue
					}
					switch k {
					case "introduced":
						out.Events = append(out.Events, Event{Introduced: v})
					case "fixed":
						out.Events = append(out.Events, Event{Fixed: v})
					case "last_affected":
						out.Events = append(out.Events, Event{LastAffected: v})
					case "limit":
						out.Events = append(out.Events, Event{Limit: v})
					}
				}
			}
			if len(out.Events) > 0 {
				aff.Ranges = append(aff.Ranges, out)
			}
		}
		// Keep only the listed versions the ranges do not already cover:
		// the lists are long and mostly redundant.
		for _, v := range a.Versions {
			pv, err := pep440.Parse(v)
			if err != nil {
				continue
			}
			covered := false
			for _, rg := range aff.Ranges {
				if rg.affects(pv) {
					covered = true
					break
				}
			}
			if !covered {
				aff.Versions = append(aff.Versions, v)
			}
		}
		if len(aff.Ranges) == 0 && len(aff.Versions) == 0 {
			continue
		}
		r.Affected = append(r.Affected, aff)
	}
	if len(r.Affected) == 0 {
		return nil, nil
	}
	return r, nil
}

func day(ts string) string {
	if len(ts) >= 10 {
		return ts[:10]
	}
	return ts
}

// firstSentence returns the opening of an advisory's details: its first
// sentence, or the first two when the first is short ("An issue was
// discovered in Pillow before 10.0.0." says nothing of the issue).
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	sentences := 0
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '.' && s[i+1] == ' ' && i > 20 && !strings.HasSuffix(s[:i], " e.g") && !strings.HasSuffix(s[:i], " i.e") {
			sentences++
			if i >= 90 || sentences == 2 {
				return s[:i+1]
			}
		}
	}
	return s
}

func summarize(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxSummary {
		cut := maxSummary
		for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// idRank orders the IDs a merged record may be shown under.
func idRank(id string) int {
	switch {
	case strings.HasPrefix(id, "PYSEC-"):
		return 0
	case strings.HasPrefix(id, "GHSA-"):
		return 1
	case strings.HasPrefix(id, "CVE-"):
		return 3
	case strings.HasPrefix(id, "DJANGO-"):
		return 4
	}
	return 2
}

// Merge joins records that share an ID or alias (CVE, GHSA, PYSEC...) into
// one: the union of IDs, affected ranges, sources; the highest severity;
// the earliest publication. Ranges from the Django security archive are
// dropped for a package another source already gives ranges for, since
// the OSV ranges are finer (pre-releases, exact first versions).
func Merge(records []*Record) []*Record {
	parent := make([]int, len(records))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i, r := range records {
		for _, id := range r.IDs() {
			if j, ok := owner[id]; ok {
				a, b := find(i), find(j)
				if a != b {
					parent[a] = b
				}
			} else {
				owner[id] = i
			}
		}
	}
	groups := map[int][]*Record{}
	var roots []int
	for i, r := range records {
		root := find(i)
		if _, ok := groups[root]; !ok {
			roots = append(roots, root)
		}
		groups[root] = append(groups[root], r)
	}
	out := make([]*Record, 0, len(roots))
	for _, root := range roots {
		g := groups[root]
		if len(g) == 1 {
			out = append(out, g[0])
			continue
		}
		out = append(out, mergeGroup(g))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

const archiveSource = "django-security-archive"

func mergeGroup(g []*Record) *Record {
	sort.SliceStable(g, func(i, j int) bool {
		ri, rj := idRank(g[i].ID), idRank(g[j].ID)
		if ri != rj {
			return ri < rj
		}
		return g[i].ID < g[j].ID
	})
	m := &Record{ID: g[0].ID, URL: g[0].URL}
	ids := map[string]bool{}
	srcs := map[string]bool{}
	osvRanges := map[string]bool{} // packages with ranges from a non-archive source
	for _, r := range g {
		if !isArchive(r) {
			for _, a := range r.Affected {
				if len(a.Ranges) > 0 {
					osvRanges[a.Package] = true
				}
			}
		}
	}
	byPkg := map[string]*Affected{}
	var pkgOrder []string
	for _, r := range g {
		for _, id := range r.IDs() {
			ids[id] = true
		}
		for _, s := range r.Sources {
			srcs[s] = true
		}
		if isArchive(r) && r.Summary != "" {
			m.Summary = r.Summary // Django's own wording is the clearest
		} else if m.Summary == "" {
			m.Summary = r.Summary
		}
		if isArchive(r) && r.URL != "" && !strings.Contains(m.URL, "djangoproject.com") {
			m.URL = r.URL
		}
		m.Severity = maxSeverity(m.Severity, r.Severity)
		if r.Published != "" && (m.Published == "" || r.Published < m.Published) {
			m.Published = r.Published
		}
		if r.Modified > m.Modified {
			m.Modified = r.Modified
		}
		for _, a := range r.Affected {
			t, ok := byPkg[a.Package]
			if !ok {
				t = &Affected{Package: a.Package}
				byPkg[a.Package] = t
				pkgOrder = append(pkgOrder, a.Package)
			}
			if !(isArchive(r) && osvRanges[a.Package]) {
				t.Ranges = append(t.Ranges, a.Ranges...)
			}
			t.Versions = appendUnique(t.Versions, a.Versions...)
			t.Series = appendUnique(t.Series, a.Series...)
		}
	}
	delete(ids, m.ID)
	for id := range ids {
		m.Aliases = append(m.Aliases, id)
	}
	sort.Strings(m.Aliases)
	for s := range srcs {
		m.Sources = append(m.Sources, s)
	}
	sort.Strings(m.Sources)
	for _, p := range pkgOrder {
		m.Affected = append(m.Affected, *byPkg[p])
	}
	return m
}

func isArchive(r *Record) bool {
	return len(r.Sources) == 1 && r.Sources[0] == archiveSource
}

func appendUnique(dst []string, src ...string) []string {
	for _, s := range src {
		found := false
		for _, d := range dst {
			if d == s {
				found = true
				break
			}
		}
		if !found {
			dst = append(dst, s)
		}
	}
	return dst
}
