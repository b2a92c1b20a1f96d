package vulndb

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/djangoguard/djangoguard/internal/deps/pep440"
)

// ArchiveEntry is one issue of Django's security archive
// (docs/releases/security.txt in Django's repository).
type ArchiveEntry struct {
	Line     int       // line of the heading
	Date     time.Time // disclosure date
	CVEs     []string  // "CVE-2026-25673"; empty for "No CVE" entries
	NoCVE    string    // "", or the heading's label ("No CVE", "No CVE 2")
	Summary  string    // the description, RST markup removed
	URL      string    // the "Full description" link
	Series   []string  // affected series named by a bullet ("5.2")
	Releases []string  // releases named by a bullet ("5.2.3")
}

var (
	archiveHeadingRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([A-Z][a-z]+ [0-9]{1,2}, [0-9]{4}) - (.+)$`) })
	archiveCVERE     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(":cve:`([0-9]{4}-[0-9]{4,})`") })
	archiveNoCVERE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^No CVE( [0-9]+)?$`) })
	archiveBulletRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\* Django ([0-9]+\.[0-9]+(?:\.[0-9]+)?):?(?:\s|$)`) })
	archiveLinkRE    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("`Full\\s+description\\s*<([^>]+)>`_+") })
	rstLiteralRE     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("``([^`]+)``") })
	rstRoleRE        = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(":[a-z]+:`([^`<]*?)\\s*(?:<[^>]*>)?`") })
)

// maxArchive bounds the archive file read by the generator.
const maxArchive = 8 << 20

// ParseArchive reads Django's security archive. Entries are sections whose
// title is "<Month> <day>, <year> - :cve:`YYYY-NNNN`" (or "- No CVE"),
// underlined with dashes; the first paragraph is the summary with its
// "Full description" link, and the bullets "* Django X.Y ..." name the
// affected series (or, "* Django X.Y.Z", a release).
func ParseArchive(src []byte) ([]ArchiveEntry, error) {
	if len(src) > maxArchive {
		return nil, fmt.Errorf("security archive: %d bytes is over the %d byte limit", len(src), maxArchive)
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), " \t\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("security archive: %w", err)
	}
	var out []ArchiveEntry
	var cur *ArchiveEntry
	var para []string
	inPara := false
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
		}
		cur = nil
	}
	for i := 0; i < len(lines); i++ {
		ln := lines[i]
		// A section title: text over an underline of "-" at least as long.
		if i+1 < len(lines) && isUnderline(lines[i+1], '-') && len(lines[i+1]) >= len(ln) && ln != "" {
			flush()
			m := archiveHeadingRE().FindStringSubmatch(ln)
			if m == nil {
				i++
				continue // a section that is not an issue
			}
			d, err := time.Parse("January 2, 2006", m[1])
			if err != nil {
				return nil, fmt.Errorf("security archive line %d: bad date %q: %w", i+1, m[1], err)
			}
			cur = &ArchiveEntry{Line: i + 1, Date: d}
			rest := strings.TrimSpace(m[2])
			for _, c := range archiveCVERE().FindAllStringSubmatch(rest, -1) {
				cur.CVEs = append(cur.CVEs, "CVE-"+c[1])
			}
			if len(cur.CVEs) == 0 {
				if !archiveNoCVERE().MatchString(rest) {
					return nil, fmt.Errorf("security archive line %d: cannot read the identifier in %q", i+1, ln)
				}
				cur.NoCVE = rest
			}
			para, inPara = nil, true
			i++
			continue
		}
		if isUnderline(ln, '=') && i > 0 {
			flush() // a top-level section ends the previous issue
			continue
		}
		if cur == nil {
			continue
		}
		if inPara {
			if ln == "" && len(para) > 0 {
				inPara = false
				cur.Summary, cur.URL = archiveSummary(strings.Join(para, " "))
			} else if ln != "" {
				para = append(para, strings.TrimSpace(ln))
			}
			continue
		}
		if m := archiveBulletRE().FindStringSubmatch(ln); m != nil {
			v := m[1]
			if strings.Count(v, ".") == 2 {
				cur.Releases = appendUnique(cur.Releases, v)
			} else {
				cur.Series = appendUnique(cur.Series, v)
			}
		}
	}
	if inPara && cur != nil && len(para) > 0 {
		cur.Summary, cur.URL = archiveSummary(strings.Join(para, " "))
	}
	flush()
	if len(out) == 0 {
		return nil, fmt.Errorf("security archive: no issues found")
	}
	return out, nil
}

func isUnderline(s string, c byte) bool {
	if len(s) < 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != c {
			return false
		}
	}
	return true
}

func archiveSummary(p string) (summary, url string) {
	if m := archiveLinkRE().FindStringSubmatch(p); m != nil {
		url = strings.TrimSpace(m[1])
		p = strings.Replace(p, m[0], "", 1)
	}
	p = rstLiteralRE().ReplaceAllString(p, "$1")
	p = rstRoleRE().ReplaceAllString(p, "$1")
	return summarize(strings.TrimSpace(p)), url
}

// ReleaseTable maps a disclosure date to the releases that fixed it, one
// per series: the Django security archive names the affected series and
// the patch commits, not the releases.
type ReleaseTable map[string][]string // "2025-12-02" -> ["6.0", "5.2.9", ...]

// ParseReleaseTable reads lines "YYYY-MM-DD 5.2.9 5.1.15 4.2.27"; "#"
// starts a comment. "0.91=none" records that a series got a patch but
// never a release.
func ParseReleaseTable(src []byte) (ReleaseTable, error) {
	t := ReleaseTable{}
	for i, ln := range strings.Split(string(src), "\n") {
		if j := strings.IndexByte(ln, '#'); j >= 0 {
			ln = ln[:j]
		}
		fs := strings.Fields(ln)
		if len(fs) == 0 {
			continue
		}
		if _, err := time.Parse("2006-01-02", fs[0]); err != nil || len(fs) < 2 {
			return nil, fmt.Errorf("release table line %d: want a date and releases", i+1)
		}
		for _, v := range fs[1:] {
			if _, err := pep440.Parse(strings.TrimSuffix(v, "=none")); err != nil {
				return nil, fmt.Errorf("release table line %d: %w", i+1, err)
			}
		}
		t[fs[0]] = append(t[fs[0]], fs[1:]...)
	}
	return t, nil
}

// fixedIn returns the release of series s in the table row, or "".
func (t ReleaseTable) fixedIn(date, s string) string {
	for _, v := range t[date] {
		if strings.TrimSuffix(v, "=none") == s && strings.HasSuffix(v, "=none") {
			return "none"
		}
		if pv, err := pep440.Parse(v); err == nil && pv.Series() == s {
			return v
		}
	}
	return ""
}

// ArchiveRecords turns archive entries into records for package django.
// known holds the IDs already covered by other sources: an entry whose CVE
// is known keeps only its summary, date and link (the other source's
// ranges are finer); an unknown one needs its fixed releases, from a
// bullet naming a release of the series or from the release table. With
// strict set (the generator), an unknown entry naming a series without a
// fixed release is an error, so that a new archive cannot silently yield
// a record that matches nothing; otherwise the series is only noted.
func ArchiveRecords(entries []ArchiveEntry, table ReleaseTable, known map[string]bool, strict bool) ([]*Record, error) {
	var out []*Record
	var missing []string
	for _, e := range entries {
		date := e.Date.Format("2006-01-02")
		r := &Record{Published: date, Modified: date, Summary: e.Summary, URL: e.URL, Sources: []string{archiveSource}}
		if len(e.CVEs) > 0 {
			r.ID = e.CVEs[0]
			r.Aliases = e.CVEs[1:]
		} else {
			n := strings.TrimSpace(strings.TrimPrefix(e.NoCVE, "No CVE"))
			if n == "" {
				n = "1"
			}
			r.ID = "DJANGO-" + date + "-" + n
		}
		isKnown := false
		for _, id := range r.IDs() {
			if known[id] {
				isKnown = true
			}
		}
		aff := Affected{Package: "django", Series: append([]string(nil), e.Series...)}
		if !isKnown {
			series := append([]string(nil), e.Series...)
			for _, rel := range e.Releases {
				series = appendUnique(series, pep440.MustParse(rel).Series())
			}
			for _, s := range series {
				fixed := table.fixedIn(date, s)
				if fixed == "" {
					for _, rel := range e.Releases {
						if pep440.MustParse(rel).Series() == s {
							fixed = rel
						}
					}
				}
				if fixed == "" && !strict {
					continue
				}
				if fixed == "" {
					missing = append(missing, fmt.Sprintf("%s (line %d, %s): no fixed release for Django %s", r.ID, e.Line, date, s))
					continue
				}
				if fixed == "none" {
					continue // no release was ever made for this series
				}
				aff.Ranges = append(aff.Ranges, Range{Events: []Event{{Introduced: s + ".dev0"}, {Fixed: fixed}}})
			}
		}
		r.Affected = []Affected{aff}
		out = append(out, r)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("security archive entries need a row in the release table:\n  %s", strings.Join(missing, "\n  "))
	}
	return out, nil
}
