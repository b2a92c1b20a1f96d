package deps

import (
	"fmt"
	"path"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/djangoguard/djangoguard/internal/deps/pep440"
	"github.com/djangoguard/djangoguard/internal/deps/vulndb"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// Config is what an Auditor needs besides the files.
type Config struct {
	// DB returns the vulnerability database; it is called once, when the
	// first pinned dependency is checked.
	DB func() (*vulndb.DB, error)
	// Now is the clock the support calendar is judged against.
	Now func() time.Time
	// Calendar is Django's support calendar.
	Calendar SupportCalendar
	// Warn is how long before the end of security support a Django series
	// is reported (90 days).
	Warn time.Duration
}

// Issue is one finding of the dependency audit, before it becomes a
// rules.Finding.
type Issue struct {
	Code     string // rule code
	Path     string
	Line     int
	Column   int
	Message  string
	Severity rules.Severity // 0: the rule's
	Dep      *Dependency
	Records  []*vulndb.Record
	Fixed    string
}

// Result is the audit of a project.
type Result struct {
	Project *Project
	Issues  []Issue
	// DBNote says which database was used (set when one was needed).
	DBNote string
	// DBErr is set when the vulnerability database could not be loaded:
	// DJG401 and DJG405 are then skipped, the other rules still run.
	DBErr error
}

// Audit checks every file of a project. It never fails because of one
// bad file; an error means a corrupt database record could not be read.
// A database that cannot be loaded at all is reported in Result.DBErr.
func Audit(pr *Project, cfg Config) (*Result, error) {
	res := &Result{Project: pr}
	var db *vulndb.DB
	var dbErr error
	dbLoaded := false
	getDB := func() (*vulndb.DB, error) {
		if !dbLoaded {
			dbLoaded = true
			if cfg.DB == nil {
				dbErr = vulndb.ErrNoDatabase
			} else {
				db, dbErr = cfg.DB()
			}
		}
		return db, dbErr
	}
	now := time.Now()
	if cfg.Now != nil {
		now = cfg.Now()
	}
	if cfg.Warn == 0 {
		cfg.Warn = 90 * 24 * time.Hour
	}
	// A large lock file touches hundreds of packages: decode their records
	// and match the pinned versions on all cores first.
	matched := matchAll(pr, getDB)
	for _, f := range pr.Files {
		appReqs := f.Format == Requirements && isApplicationRequirements(f.Path) && !pr.IsConstraint(f.Path)
		pinnedByConstraint := map[string]bool{}
		if appReqs {
			for _, c := range pr.Constraints(f.Path) {
				for _, d := range c.Deps {
					if d.Version != "" || pinnedURL(d.URL) {
						pinnedByConstraint[d.Key] = true
					}
				}
			}
		}
		hashed, reqs := 0, 0
		firstLine := 0
		for i := range f.Deps {
			d := &f.Deps[i]
			if d.Editable && d.Key == "" {
				continue
			}
			if f.Format == Requirements && !(d.Editable && isLocalPath(d.URL)) {
				reqs++
				if d.Hashes > 0 {
					hashed++
				}
				if firstLine == 0 {
					firstLine = d.Line
				}
			}
			version := pinnedVersion(d)
			switch {
			case version != "":
				v, err := pep440.Parse(version)
				if err != nil {
					continue
				}
				db, err := getDB()
				if err != nil {
					res.DBErr = err
				} else {
					m, ok := matched[d]
					if !ok {
						m.iss, m.err = vulnerable(db, d, v)
					}
					if m.err != nil {
						return nil, m.err
					} else if m.iss != nil {
						res.Issues = append(res.Issues, *m.iss)
					}
				}
				if d.Key == "django" {
					if iss := support(cfg.Calendar, now, cfg.Warn, d, v); iss != nil {
						res.Issues = append(res.Issues, *iss)
					}
				}
			case d.Version == "" && d.URL == "" && len(d.Spec.Clauses) > 0 && !f.Format.Lock():
				db, err := getDB()
				if err != nil {
					res.DBErr = err
				} else if iss, err := vulnerableRange(db, d); err != nil {
					return nil, err
				} else if iss != nil {
					res.Issues = append(res.Issues, *iss)
				}
				if d.Key == "django" {
					if iss := supportRange(cfg.Calendar, now, d); iss != nil {
						res.Issues = append(res.Issues, *iss)
					}
				}
			}
			if appReqs && !pinnedByConstraint[d.Key] && !(d.Editable && isLocalPath(d.URL)) {
				if d.Version == "" && !pinnedURL(d.URL) {
					res.Issues = append(res.Issues, unpinned(f, d))
				}
			}
		}
		if appReqs && isProduction(f.Path) && reqs > 0 && hashed == 0 && !f.RequireHashes {
			res.Issues = append(res.Issues, Issue{
				Code: CodeNoHashes, Path: f.Path, Line: firstLine, Column: 1,
				Message: fmt.Sprintf("%s lists %d %s without --hash: pip installs whatever file the index serves for those versions, so a replaced or tampered artifact goes unnoticed", f.Path, reqs, plural(reqs, "requirement", "requirements")),
			})
		}
	}
	if dbLoaded && db != nil {
		res.DBNote = DBLabel(db)
		for i := range res.Issues {
			if c := res.Issues[i].Code; c == CodeVulnerable || c == CodeRange {
				res.Issues[i].Message += " [" + res.DBNote + "]"
			}
		}
	}
	sort.SliceStable(res.Issues, func(i, j int) bool {
		a, b := res.Issues[i], res.Issues[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Code < b.Code
	})
	return res, nil
}

// DBLabel says which vulnerability database was used, for messages:
// "embedded vulnerability database as of 2026-03-03".
func DBLabel(db *vulndb.DB) string {
	which := "embedded"
	if db.Origin() != "embedded" {
		which = "updated"
	}
	return fmt.Sprintf("%s vulnerability database as of %s", which, db.Meta().AsOf)
}

// Rule codes.
const (
	CodeVulnerable  = "DJG401"
	CodeUnsupported = "DJG402"
	CodeUnpinned    = "DJG403"
	CodeNoHashes    = "DJG404"
	CodeRange       = "DJG405"
)

var devFileRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(^|[^a-z])(dev|devel|develop|development|test|tests|testing|lint|linting|docs?|ci|local|tox|typing|mypy|qa|style|format)([^a-z]|$)`)
})

// isApplicationRequirements reports a requirements file an application
// installs from: requirements*.txt and .txt files under a requirements
// folder; not pip-compile inputs (.in), whose loose ranges are their
// purpose.
func isApplicationRequirements(p string) bool {
	return strings.HasSuffix(strings.ToLower(p), ".txt")
}

// isProduction reports a requirements file meant for production: not a
// development, test, lint or docs file by its name or folder.
func isProduction(p string) bool {
	base := strings.TrimSuffix(path.Base(p), path.Ext(p))
	dir := path.Base(path.Dir(p))
	return !devFileRE().MatchString(base) && !devFileRE().MatchString(dir)
}

func isLocalPath(u string) bool {
	return u == "." || strings.HasPrefix(u, "./") || strings.HasPrefix(u, "../") || strings.HasPrefix(u, "/") || strings.HasPrefix(u, "file:")
}

// archiveVersion reads the version from the file name of a wheel or sdist
// URL of package key ("…/django_storages-1.14.2-py3-none-any.whl"), or "".
func archiveVersion(u, key string) string {
	base := u
	if i := strings.IndexAny(base, "#?"); i >= 0 {
		base = base[:i]
	}
	base = path.Base(base)
	var name, ver string
	switch {
	case strings.HasSuffix(base, ".whl"):
		parts := strings.Split(strings.TrimSuffix(base, ".whl"), "-")
		if len(parts) < 5 {
			return ""
		}
		name, ver = parts[0], parts[1]
	case strings.HasSuffix(base, ".tar.gz"), strings.HasSuffix(base, ".zip"):
		stem := strings.TrimSuffix(strings.TrimSuffix(base, ".tar.gz"), ".zip")
		i := strings.LastIndexByte(stem, '-')
		if i <= 0 {
			return ""
		}
		name, ver = stem[:i], stem[i+1:]
	default:
		return ""
	}
	if pep440.Normalize(name) != key {
		return ""
	}
	if _, err := pep440.Parse(ver); err != nil {
		return ""
	}
	return ver
}

var commitRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`@[0-9a-f]{40}([#&]|$)`) })

// pinnedURL reports a direct reference that names one artifact: a VCS URL
// at a full commit hash, or an archive/wheel URL (with a hash fragment or
// a versioned file name).
func pinnedURL(u string) bool {
	if u == "" {
		return false
	}
	if strings.Contains(u, "+") && strings.Contains(u, "://") && strings.HasPrefix(strings.SplitN(u, "://", 2)[0], "git") {
		return commitRE().MatchString(u)
	}
	l := strings.ToLower(strings.SplitN(u, "#", 2)[0])
	return strings.HasSuffix(l, ".whl") || strings.HasSuffix(l, ".tar.gz") || strings.HasSuffix(l, ".zip") || strings.Contains(u, "#sha256=")
}

func unpinned(f *File, d *Dependency) Issue {
	what := "no version"
	if d.Specifier != "" {
		what = "the range " + d.Specifier
	}
	if d.URL != "" {
		what = "a VCS reference without a commit hash"
	}
	sev := rules.Severity(0)
	if !isProduction(f.Path) {
		sev = rules.Low
	}
	return Issue{
		Code: CodeUnpinned, Path: d.Path, Line: d.Line, Column: d.Column, Dep: d, Severity: sev,
		Message: fmt.Sprintf("%s is not pinned (%s): each install may get a different release, and a compromised or broken release is installed silently", d.Name, what),
	}
}

// vulnerable checks one pinned dependency and returns one issue listing
// every advisory that affects it.
// pinnedVersion is the one version a dependency installs: its == pin, or
// the version in the file name of an archive URL; "" when there is none.
func pinnedVersion(d *Dependency) string {
	if d.URL != "" {
		return archiveVersion(d.URL, d.Key)
	}
	return d.Version
}

// match is the result of vulnerable for one dependency.
type match struct {
	iss *Issue
	err error
}

// matchAll runs vulnerable for every dependency with a pinned version on
// all cores, when there are enough of them to pay for it (64 or more);
// Audit computes the others itself. Records are decoded on first lookup
// (vulndb.DB is safe for concurrent use) and vulnerable only reads.
func matchAll(pr *Project, getDB func() (*vulndb.DB, error)) map[*Dependency]match {
	type job struct {
		d *Dependency
		v pep440.Version
	}
	var jobs []job
	for _, f := range pr.Files {
		for i := range f.Deps {
			d := &f.Deps[i]
			if d.Editable && d.Key == "" {
				continue
			}
			if v, err := pep440.Parse(pinnedVersion(d)); err == nil {
				jobs = append(jobs, job{d, v})
			}
		}
	}
	workers := runtime.GOMAXPROCS(0)
	if len(jobs) < 64 || workers < 2 {
		return nil
	}
	db, err := getDB()
	if err != nil {
		return nil
	}
	out := make([]match, len(jobs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j := int(next.Add(1)) - 1
				if j >= len(jobs) {
					return
				}
				out[j].iss, out[j].err = vulnerable(db, jobs[j].d, jobs[j].v)
			}
		}()
	}
	wg.Wait()
	m := make(map[*Dependency]match, len(jobs))
	for j, jb := range jobs {
		m[jb.d] = out[j]
	}
	return m
}

func vulnerable(db *vulndb.DB, d *Dependency, v pep440.Version) (*Issue, error) {
	recs, err := db.Query(d.Key, v)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, nil
	}
	// Oldest first, as the advisories were published.
	recs = append([]*vulndb.Record(nil), recs...)
	sort.SliceStable(recs, func(i, j int) bool {
		if recs[i].Published != recs[j].Published {
			return recs[i].Published < recs[j].Published
		}
		return recs[i].ID < recs[j].ID
	})
	// Each advisory counts with its own severity, or the default when it
	// has none (high for Django itself, medium otherwise); the finding
	// takes the highest.
	def := rules.Medium
	if d.Key == "django" {
		def = rules.High
	}
	var severity rules.Severity
	for _, r := range recs {
		s := toSeverity(r.Severity)
		if s == 0 {
			s = def
		}
		if s > severity {
			severity = s
		}
	}
	fixed := lowestFix(d.Key, v, recs)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s is affected by %d known %s: ", d.Name, v.String(), len(recs), plural(len(recs), "vulnerability", "vulnerabilities"))
	for i, r := range recs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(r.ID)
		if len(r.Aliases) > 0 {
			b.WriteString(" (" + strings.Join(r.Aliases, ", ") + ")")
		}
		if r.Summary != "" {
			b.WriteString(": " + strings.TrimSuffix(r.Summary, "."))
		}
	}
	b.WriteString(". ")
	if fixed != "" {
		fmt.Fprintf(&b, "Upgrade to %s or later, the lowest release that fixes all of them.", fixed)
	} else {
		b.WriteString("No release fixing all of them is known: replace the package or mitigate.")
	}
	return &Issue{Code: CodeVulnerable, Path: d.Path, Line: d.Line, Column: d.Column, Message: b.String(), Severity: severity, Dep: d, Records: recs, Fixed: fixed}, nil
}

// lowestFix returns the lowest version above v, among the fixed versions
// the records name, that none of the records affects.
func lowestFix(pkg string, v pep440.Version, recs []*vulndb.Record) string {
	var cands []pep440.Version
	for _, r := range recs {
		for _, f := range r.FixedVersions(pkg) {
			if v.Less(f) {
				cands = append(cands, f)
			}
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Less(cands[j]) })
	for _, c := range cands {
		ok := true
		for _, r := range recs {
			if r.Affects(pkg, c) {
				ok = false
				break
			}
		}
		if ok {
			return c.String()
		}
	}
	return ""
}

// vulnerableRange reports a version range that admits a version affected
// by a known vulnerability.
func vulnerableRange(db *vulndb.DB, d *Dependency) (*Issue, error) {
	recs, err := db.Records(d.Key)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	spec, ok := d.Spec.Interval()
	if !ok {
		return nil, nil
	}
	var hit []*vulndb.Record
	for _, r := range recs {
		for _, iv := range r.Intervals(d.Key) {
			if !spec.Intersect(iv).Empty() {
				hit = append(hit, r)
				break
			}
		}
	}
	if len(hit) == 0 {
		return nil, nil
	}
	// Suggest the lowest fixed release the range admits that is clean.
	var cands []pep440.Version
	for _, r := range hit {
		cands = append(cands, r.FixedVersions(d.Key)...)
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Less(cands[j]) })
	suggest := ""
	for _, c := range cands {
		if !d.Spec.Admits(c) {
			continue
		}
		clean := true
		for _, r := range recs {
			if r.Affects(d.Key, c) {
				clean = false
				break
			}
		}
		if clean {
			suggest = c.String()
			break
		}
	}
	ids := make([]string, 0, 3)
	for i, r := range hit {
		if i == 3 {
			break
		}
		id := r.ID
		if cve := r.CVE(); cve != "" && cve != id {
			id += " (" + cve + ")"
		}
		ids = append(ids, id)
	}
	more := ""
	if len(hit) > 3 {
		more = fmt.Sprintf(" and %d more", len(hit)-3)
	}
	msg := fmt.Sprintf("%s%s admits versions affected by %d known %s (%s%s)", d.Name, d.Specifier, len(hit), plural(len(hit), "vulnerability", "vulnerabilities"), strings.Join(ids, ", "), more)
	if suggest != "" {
		msg += fmt.Sprintf("; raise the lower bound to >=%s", suggest)
	}
	return &Issue{Code: CodeRange, Path: d.Path, Line: d.Line, Column: d.Column, Message: msg, Dep: d, Records: hit, Fixed: suggest}, nil
}

// support reports a Django series past, or near, the end of its security
// support.
func support(cal SupportCalendar, now time.Time, warn time.Duration, d *Dependency, v pep440.Version) *Issue {
	if len(cal) == 0 {
		return nil
	}
	s, ok, old := cal.Lookup(v)
	iss := &Issue{Code: CodeUnsupported, Path: d.Path, Line: d.Line, Column: d.Column, Dep: d}
	latest := latestSupported(cal, now)
	switch {
	case old:
		iss.Message = fmt.Sprintf("Django %s belongs to the %s series, which has been out of security support for years%s", v.String(), s.Name, latest)
		return iss
	case !ok:
		return nil
	case now.After(endOfDay(s.End)):
		iss.Message = fmt.Sprintf("Django %s: security support for the %s series ended on %s; it gets no fixes for new vulnerabilities%s", v.String(), s.Name, s.End.Format("2006-01-02"), latest)
		return iss
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	days := int(s.End.Sub(today).Hours() / 24)
	if days <= int(warn.Hours()/24) {
		when := fmt.Sprintf("in %d %s", days, plural(days, "day", "days"))
		if days == 0 {
			when = "today"
		}
		iss.Severity = rules.Medium
		iss.Message = fmt.Sprintf("Django %s: security support for the %s series ends on %s (%s); plan the upgrade%s", v.String(), s.Name, s.End.Format("2006-01-02"), when, latest)
		return iss
	}
	return nil
}

// supportRange reports a Django range that admits only series past the
// end of their security support ("Django>=3.2,<4.0").
func supportRange(cal SupportCalendar, now time.Time, d *Dependency) *Issue {
	iv, ok := d.Spec.Interval()
	if !ok || iv.Hi.V == nil {
		return nil // no upper bound: the newest series is allowed
	}
	var admitted []string
	for _, s := range cal {
		lo, err1 := pep440.Parse(s.Name + ".dev0")
		hi, err2 := pep440.Parse(s.Name + ".999999")
		if err1 != nil || err2 != nil {
			continue
		}
		series := pep440.Interval{Lo: pep440.Bound{V: &lo, Incl: true}, Hi: pep440.Bound{V: &hi, Incl: true}}
		if iv.Intersect(series).Empty() {
			continue
		}
		if !now.After(endOfDay(s.End)) {
			return nil // a supported series is allowed
		}
		admitted = append(admitted, s.Name)
	}
	if len(admitted) == 0 {
		return nil
	}
	return &Issue{
		Code: CodeUnsupported, Path: d.Path, Line: d.Line, Column: d.Column, Dep: d,
		Message: fmt.Sprintf("%s%s only admits Django series past the end of security support (%s)%s",
			d.Name, d.Specifier, strings.Join(admitted, ", "), latestSupported(cal, now)),
	}
}

func latestSupported(cal SupportCalendar, now time.Time) string {
	var names []string
	for _, s := range cal.Supported(now) {
		label := s.Name
		if s.LTS {
			label += " LTS"
		}
		names = append(names, label)
	}
	if len(names) == 0 {
		return ""
	}
	return " (supported series: " + strings.Join(names, ", ") + ")"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func toSeverity(s string) rules.Severity {
	switch s {
	case "low":
		return rules.Low
	case "medium":
		return rules.Medium
	case "high":
		return rules.High
	case "critical":
		return rules.Critical
	}
	return 0
}
