package deps

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/djangoguard/djangoguard/internal/deps/pep440"
	"github.com/djangoguard/djangoguard/internal/deps/vulndb"
	"github.com/djangoguard/djangoguard/internal/rules"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t.Add(12 * time.Hour)
}

func testConfig(now string) Config {
	return Config{DB: vulndb.NewStore("").DB, Now: func() time.Time { return day(now) }, Calendar: DefaultCalendar()}
}

func dumpIssues(res *Result) string {
	var b strings.Builder
	for _, iss := range res.Issues {
		sev := iss.Severity.String()
		if iss.Severity == 0 {
			sev = "rule"
		}
		fmt.Fprintf(&b, "%s:%d:%d %s [%s] %s\n", iss.Path, iss.Line, iss.Column, iss.Code, sev, iss.Message)
	}
	return b.String()
}

// TestAuditFormats audits every fixture format on 2026-11-23 and compares
// the findings with a golden file.
func TestAuditFormats(t *testing.T) {
	pr := Load(context.Background(), formatRoots, DiskOpener("testdata/formats"))
	res, err := Audit(pr, testConfig("2026-11-23"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/audit.golden", []byte(dumpIssues(res)))
}

// TestAuditExpectations checks the decisions users rely on, one by one.
func TestAuditExpectations(t *testing.T) {
	pr := Load(context.Background(), formatRoots, DiskOpener("testdata/formats"))
	res, err := Audit(pr, testConfig("2026-11-23"))
	if err != nil {
		t.Fatal(err)
	}
	has := map[string]Issue{}
	for _, iss := range res.Issues {
		has[fmt.Sprintf("%s:%d %s", iss.Path, iss.Line, iss.Code)] = iss
	}
	want := []string{
		"app/requirements.txt:10 DJG401",     // Django 4.2.7
		"app/requirements.txt:10 DJG402",     // 4.2 out of support since 2026-04-07
		"app/requirements.txt:16 DJG403",     // requests: unpinned but... see below
		"app/requirements.txt:17 DJG403",     // gunicorn, no version
		"app/requirements.txt:20 DJG403",     // VCS at a tag, not a commit
		"app/requirements.txt:24 DJG403",     // ~=
		"app/requirements/base.txt:5 DJG401", // urllib3 1.26.4
		"shared/common.txt:2 DJG401",         // PyYAML 5.3.1, included from another folder
		"app/requirements/dev.txt:3 DJG403",  // pytest in a dev file: low
		"pep621/pyproject.toml:10 DJG405",    // Django>=4.2,<5.0
		"setuptools/setup.cfg:10 DJG401",     // djangorestframework==3.11.1
		"poetry/poetry.lock:21 DJG402",       // Django 4.2.15
		"pdm/pdm.lock:14 DJG401",             // Django 5.0.7
		"pdm/pdm.lock:14 DJG402",             // 5.0 unsupported
		"pipenv/Pipfile.lock:26 DJG401",      // Django 4.2.7
		"pylock/pylock.toml:7 DJG401",        // Django 4.2.7
		"app/requirements.txt:10 DJG404",     // production file, Django has hashes but... see below
		"poetry/pyproject.toml:9 DJG405",     // Django ^4.2
	}
	for _, w := range want {
		if w == "app/requirements.txt:16 DJG403" || w == "app/requirements.txt:10 DJG404" {
			continue // checked below
		}
		if _, ok := has[w]; !ok {
			t.Errorf("missing %s", w)
		}
	}
	notWant := []string{
		"app/requirements.txt:15 DJG403",  // celery pinned by constraints.txt
		"app/requirements.txt:16 DJG403",  // requests pinned by constraints.txt
		"app/requirements.txt:21 DJG403",  // wheel URL
		"app/requirements.txt:22 DJG403",  // VCS at a full commit
		"app/requirements.txt:23 DJG403",  // ===
		"app/requirements.txt:10 DJG404",  // the file has hashes
		"uv/uv.lock:14 DJG401",            // Django 5.2.12 is clean
		"uv/uv.lock:14 DJG402",            // 5.2 is supported
		"pep621/pyproject.toml:13 DJG403", // library metadata is not an application file
		"poetry/poetry.lock:4 DJG403",
		"app/constraints.txt:2 DJG404", // a constraints file installs nothing
	}
	for _, w := range notWant {
		if iss, ok := has[w]; ok {
			t.Errorf("unexpected %s: %s", w, iss.Message)
		}
	}
	if iss := has["app/requirements/dev.txt:3 DJG403"]; iss.Severity != rules.Low {
		t.Errorf("dev file unpinned severity = %v", iss.Severity)
	}
	if iss := has["app/requirements.txt:10 DJG401"]; iss.Severity != rules.High || iss.Fixed == "" ||
		!strings.Contains(iss.Message, "PYSEC-2024-70 (CVE-2024-42005): Potential SQL injection") || !strings.Contains(iss.Message, "CVE-2026-25673") {
		t.Errorf("Django 4.2.7 finding = %+v", iss)
	} else if iss.Fixed != "4.2.29" {
		t.Errorf("Django 4.2.7 lowest fix = %s, want 4.2.29", iss.Fixed)
	}
	if iss := has["app/requirements/base.txt:5 DJG401"]; iss.Fixed == "" || !strings.Contains(iss.Message, "Upgrade to "+iss.Fixed) {
		t.Errorf("urllib3 finding = %+v", iss)
	}
	// base.txt has a hash on one line: not reported by DJG404; the root
	// requirements.txt of common.txt has none: reported.
	if _, ok := has["shared/common.txt:2 DJG404"]; !ok {
		t.Error("shared/common.txt without hashes not reported")
	}
	if _, ok := has["app/requirements/dev.txt:3 DJG404"]; ok {
		t.Error("dev requirements reported for hashes")
	}
}

func TestSupportCalendar(t *testing.T) {
	cal := DefaultCalendar()
	cases := []struct {
		now, version string
		code         string
		sev          rules.Severity
		msg          string
	}{
		{"2026-11-23", "4.2.30", CodeUnsupported, 0, "ended on 2026-04-07"},
		{"2026-11-23", "5.2.17", "", 0, ""},
		{"2026-11-23", "6.0.8", "", 0, ""},
		{"2027-02-15", "6.0.8", CodeUnsupported, rules.Medium, "ends on 2027-04-30 (in 74 days)"},
		{"2026-04-07", "4.2.30", CodeUnsupported, rules.Medium, "(today)"},
		{"2026-04-06", "4.2.30", CodeUnsupported, rules.Medium, "(in 1 day)"},
		{"2026-04-08", "4.2.30", CodeUnsupported, 0, "ended on 2026-04-07"},
		{"2026-01-06", "4.2.27", "", 0, ""},
		{"2026-01-07", "4.2.27", CodeUnsupported, rules.Medium, "in 90 days"},
		{"2026-11-23", "1.4.22", CodeUnsupported, 0, "out of security support for years"},
		{"2026-11-23", "7.0", "", 0, ""}, // unknown future series: not judged
		{"2026-11-23", "2.2.28", CodeUnsupported, 0, "ended on 2022-04-11"},
	}
	for _, c := range cases {
		d := &Dependency{Name: "Django", Key: "django", Version: c.version, Path: "r.txt", Line: 1, Column: 1}
		iss := support(cal, day(c.now), 90*24*time.Hour, d, pep440.MustParse(c.version))
		switch {
		case c.code == "" && iss != nil:
			t.Errorf("%s on %s: unexpected %s", c.version, c.now, iss.Message)
		case c.code != "" && iss == nil:
			t.Errorf("%s on %s: no finding", c.version, c.now)
		case iss != nil && (iss.Severity != c.sev || !strings.Contains(iss.Message, c.msg)):
			t.Errorf("%s on %s: %v %q, want %v %q", c.version, c.now, iss.Severity, iss.Message, c.sev, c.msg)
		}
	}
}

func TestSupportRange(t *testing.T) {
	cal := DefaultCalendar()
	for _, c := range []struct {
		spec string
		hit  bool
	}{
		{">=3.2,<4.0", true},
		{"~=4.2.0", true},
		{"==4.2.*", true},
		{">=4.2,<6.0", false}, // admits 5.2
		{">=4.2", false},
		{"<5.2", true},
		{"~=5.2", false},
	} {
		d := newDep("Django")
		d.setSpec(c.spec)
		iss := supportRange(cal, day("2026-11-23"), &d)
		if (iss != nil) != c.hit {
			t.Errorf("%s: %v", c.spec, iss)
		}
	}
}

func TestCalendarMatchesReference(t *testing.T) {
	cal := DefaultCalendar()
	want := map[string]string{"6.1": "2027-12-31", "6.0": "2027-04-30", "5.2": "2028-04-30", "5.1": "2025-12-03", "4.2": "2026-04-07", "3.2": "2024-04-01", "1.11": "2020-04-01"}
	for _, s := range cal {
		if w, ok := want[s.Name]; ok && s.End.Format("2006-01-02") != w {
			t.Errorf("%s ends %s, want %s", s.Name, s.End.Format("2006-01-02"), w)
		}
	}
	if _, err := ParseCalendar([]byte("4.2 2023-04-03\n")); err == nil {
		t.Error("short line accepted")
	}
}

// TestRulesOnTarget runs the rules the way a scan does: on the dependency
// files of a Target, reading an include the discovery did not keep from
// disk, with each file parsed once.
func TestRulesOnTarget(t *testing.T) {
	root, _ := filepath.Abs("testdata/formats")
	var files []*rules.File
	for _, p := range []string{"app/requirements.txt", "uv/uv.lock", "pep621/pyproject.toml"} {
		b, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, &rules.File{Path: p, Abs: filepath.Join(root, p), Kind: rules.DependencyFile, Content: b})
	}
	target := rules.NewTarget(root, files)
	calls := 0
	cfg := testConfig("2026-11-23")
	inner := cfg.DB
	cfg.DB = func() (*vulndb.DB, error) { calls++; return inner() }
	a := NewAuditor(cfg)
	var got []rules.Finding
	for _, r := range a.Rules() {
		if err := r.Validate(); err != nil {
			t.Error(err)
		}
		pass := rules.NewPass(context.Background(), r, target, nil, func(f rules.Finding) { got = append(got, f) })
		if err := r.Run(pass); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 1 {
		t.Errorf("database opened %d times", calls)
	}
	seen := map[string]rules.Finding{}
	for _, f := range got {
		seen[fmt.Sprintf("%s:%d %s", f.Path, f.Line, f.RuleID)] = f
	}
	for _, w := range []string{"app/requirements.txt:10 DJG401", "app/requirements.txt:10 DJG402", "app/requirements/base.txt:5 DJG401", "shared/common.txt:2 DJG401", "pep621/pyproject.toml:10 DJG405"} {
		if _, ok := seen[w]; !ok {
			t.Errorf("missing %s", w)
		}
	}
	f := seen["app/requirements.txt:10 DJG401"]
	if f.Source != "Django==4.2.7 \\" || f.OWASP != "A06:2021 Vulnerable and Outdated Components" || f.CWE != "CWE-1395" || f.Severity != rules.High {
		t.Errorf("finding = %+v", f)
	}
	if f := seen["app/requirements.txt:10 DJG402"]; f.Severity != rules.High {
		t.Errorf("DJG402 severity = %v", f.Severity)
	}
}

// TestTargetOpenerStaysInside refuses includes that leave the root through
// a symbolic link.
func TestTargetOpenerStaysInside(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("x==1\n"), 0o644)
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(root, "link.txt")); err != nil {
		t.Skip("symlinks unsupported:", err)
	}
	os.WriteFile(filepath.Join(root, "requirements.txt"), []byte("-r link.txt\n"), 0o644)
	pr := Load(context.Background(), []string{"requirements.txt"}, DiskOpener(root))
	if len(pr.Problems) != 1 || !strings.Contains(pr.Problems[0].Message, "outside the project") {
		t.Errorf("problems = %v", pr.Problems)
	}
}

func TestRangeSuggestion(t *testing.T) {
	db, err := vulndb.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		spec, suggest string
		hit           bool
	}{
		{">=4.2,<5.0", "4.2.29", true},
		{">=5.2.12,<6.0", "", false},
		{"==5.2.*", "5.2.12", true},
		{">=99.0", "", false},
		{"~=6.0.3", "", false},
	} {
		d := newDep("Django")
		d.setSpec(c.spec)
		iss, err := vulnerableRange(db, &d)
		if err != nil {
			t.Fatal(err)
		}
		if (iss != nil) != c.hit {
			t.Errorf("%s: hit = %v", c.spec, iss != nil)
			continue
		}
		if iss != nil && iss.Fixed != c.suggest {
			t.Errorf("%s: suggest %q, want %q (%s)", c.spec, iss.Fixed, c.suggest, iss.Message)
		}
	}
}

// TestRulesConcurrently runs the rules on one target from several
// goroutines, as the scan engine may (run with -race).
func TestRulesConcurrently(t *testing.T) {
	root, _ := filepath.Abs("testdata/formats")
	var files []*rules.File
	for _, p := range formatRoots {
		b, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, &rules.File{Path: p, Kind: rules.DependencyFile, Content: b})
	}
	target := rules.NewTarget(root, files)
	a := NewAuditor(testConfig("2026-11-23"))
	done := make(chan int)
	for _, r := range a.Rules() {
		go func(r *rules.Rule) {
			n := 0
			pass := rules.NewPass(context.Background(), r, target, nil, func(rules.Finding) { n++ })
			if err := r.Run(pass); err != nil {
				t.Error(err)
			}
			done <- n
		}(r)
	}
	total := 0
	for range a.Rules() {
		total += <-done
	}
	res, _ := a.AuditTarget(context.Background(), target)
	if total != len(res.Issues) || total == 0 {
		t.Errorf("%d findings reported, %d issues", total, len(res.Issues))
	}
}

func TestArchiveVersion(t *testing.T) {
	cases := []struct{ url, key, want string }{
		{"https://files.example.com/django_storages-1.14.2-py3-none-any.whl", "django-storages", "1.14.2"},
		{"https://files.example.com/Pillow-9.0.0.tar.gz#sha256=abc", "pillow", "9.0.0"},
		{"https://files.example.com/pillow-10.4.0.zip", "pillow", "10.4.0"},
		{"https://files.example.com/other-1.0.tar.gz", "pillow", ""},
		{"git+https://github.com/x/pillow.git@9.0.0", "pillow", ""},
		{"https://files.example.com/pillow-latest.tar.gz", "pillow", ""},
	}
	for _, c := range cases {
		if got := archiveVersion(c.url, c.key); got != c.want {
			t.Errorf("%s: %q, want %q", c.url, got, c.want)
		}
	}
}

func FuzzParseCalendar(f *testing.F) {
	f.Add(supportData)
	f.Add([]byte("4.2 2023-04-03 2026-04-07 lts\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cal, err := ParseCalendar(b)
		if err != nil || len(cal) == 0 {
			return
		}
		v := pep440.MustParse("4.2.1")
		cal.Lookup(v)
		cal.Supported(day("2026-11-23"))
	})
}

// TestDatabaseFailure: without a database the other rules still report,
// and DJG401 says why it could not run.
func TestDatabaseFailure(t *testing.T) {
	cfg := testConfig("2026-11-23")
	cfg.DB = func() (*vulndb.DB, error) { return nil, fmt.Errorf("disk on fire") }
	pr := Load(context.Background(), []string{"app/requirements.txt"}, DiskOpener("testdata/formats"))
	res, err := Audit(pr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, iss := range res.Issues {
		codes[iss.Code] = true
	}
	if !codes[CodeUnpinned] || !codes[CodeUnsupported] || codes[CodeVulnerable] || res.DBErr == nil {
		t.Errorf("codes = %v, DBErr = %v", codes, res.DBErr)
	}
	target := rules.NewTarget("", []*rules.File{{Path: "requirements.txt", Kind: rules.DependencyFile, Content: []byte("Django==4.2.7\n")}})
	a := NewAuditor(cfg)
	for _, r := range a.Rules() {
		err := r.Run(rules.NewPass(context.Background(), r, target, nil, func(rules.Finding) {}))
		if (err != nil) != (r.Code == CodeVulnerable) {
			t.Errorf("%s: err = %v", r.Code, err)
		}
	}
}

// TestParallelMatchingIsSequentialMatching: a lock file large enough for
// matchAll (1,324 packages) gives the same issues, in the same order, with
// one core as with several.
func TestParallelMatchingIsSequentialMatching(t *testing.T) {
	audit := func() []string {
		cfg := Config{DB: vulndb.NewStore("").DB, Now: func() time.Time { return day("2026-11-23") }, Calendar: DefaultCalendar()}
		pr := Load(context.Background(), []string{"poetry.lock"}, DiskOpener("testdata/bench"))
		if len(pr.Problems) > 0 {
			t.Fatal(pr.Problems)
		}
		if m := matchAll(pr, cfg.DB); runtime.GOMAXPROCS(0) > 1 && len(m) < 1000 {
			t.Fatalf("matchAll matched %d dependencies, want all pinned ones", len(m))
		}
		res, err := Audit(pr, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, is := range res.Issues {
			out = append(out, fmt.Sprintf("%s %s:%d:%d %s %s", is.Code, is.Path, is.Line, is.Column, is.Severity, is.Message))
		}
		return out
	}
	prev := runtime.GOMAXPROCS(4)
	par := audit()
	runtime.GOMAXPROCS(1)
	seq := audit()
	runtime.GOMAXPROCS(prev)
	if len(par) < 300 || len(par) != len(seq) {
		t.Fatalf("%d issues with 4 cores, %d with 1", len(par), len(seq))
	}
	for i := range par {
		if par[i] != seq[i] {
			t.Fatalf("issue %d differs:\n4 cores: %s\n1 core:  %s", i, par[i], seq[i])
		}
	}
}
