package server

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/djangoguard/djangoguard/internal/live"
	"github.com/djangoguard/djangoguard/internal/report"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/store"
)

// scanData is a stored scan's reports, decoded.
type scanData struct {
	Scan   *store.Scan
	Probe  *live.Report
	Static *report.Document
	Corr   []rules.Finding
}

func decodeScan(sc *store.Scan) (*scanData, error) {
	d := &scanData{Scan: sc}
	if len(sc.ProbeJSON) > 0 {
		d.Probe = &live.Report{}
		if err := json.Unmarshal(sc.ProbeJSON, d.Probe); err != nil {
			return nil, fmt.Errorf("scan %d: stored probe report: %w", sc.ID, err)
		}
	}
	if len(sc.StaticJSON) > 0 {
		d.Static = &report.Document{}
		if err := json.Unmarshal(sc.StaticJSON, d.Static); err != nil {
			return nil, fmt.Errorf("scan %d: stored static report: %w", sc.ID, err)
		}
	}
	if len(sc.CorrelateJSON) > 0 {
		if err := json.Unmarshal(sc.CorrelateJSON, &d.Corr); err != nil {
			return nil, fmt.Errorf("scan %d: stored correlations: %w", sc.ID, err)
		}
	}
	return d, nil
}

// findings returns every finding of the scan: live, correlation, static.
func (d *scanData) findings() []rules.Finding {
	var out []rules.Finding
	if d.Probe != nil {
		out = append(out, d.Probe.Findings...)
	}
	out = append(out, d.Corr...)
	if d.Static != nil {
		out = append(out, d.Static.Findings...)
	}
	return out
}

// htmlReport builds the HTML report of the scan.
func (d *scanData) htmlReport(site *store.Site, version string, history []report.HistoryPoint) *report.HTMLReport {
	r := &report.HTMLReport{Title: fmt.Sprintf("djangoguard: %s, scan %d", site.Name, d.Scan.ID), Version: version,
		Generated: d.Scan.Finished, Static: d.Static, Correlations: d.Corr, History: history}
	if d.Probe != nil {
		r.Probes = []report.HTMLProbe{probeView(d.Probe)}
	}
	return r
}

// probeView converts a probe report for the HTML report.
func probeView(p *live.Report) report.HTMLProbe {
	v := report.HTMLProbe{Target: p.Target, Grade: p.Grade, Score: p.Score, TestsPassed: p.TestsPassed, TestsQuantity: p.TestsQuantity,
		Graded: p.Graded, NotGradedReason: p.NotGradedReason, Findings: p.Findings, Errors: p.Errors, Warnings: p.Warnings}
	for _, t := range p.Tests {
		v.Tests = append(v.Tests, report.HTMLTest{Name: t.Name, Result: t.Result, Description: t.Description, ScoreModifier: t.ScoreModifier, Pass: t.Pass})
	}
	return v
}

// writeSARIF writes all of a scan's findings as one SARIF log.
func (d *scanData) writeSARIF(w io.Writer, reg *rules.Registry, version string) error {
	root := ""
	if d.Probe != nil {
		root = d.Probe.Target
	}
	doc := report.NewDocument(version, root, reg, d.findings(), nil, nil, 0, time.Duration(0))
	return report.WriteSARIF(w, doc)
}

// exportJSON is the JSON export of a scan.
type exportJSON struct {
	Scan         *store.Scan      `json:"scan"`
	Probe        *live.Report     `json:"probe,omitempty"`
	Static       *report.Document `json:"static,omitempty"`
	Correlations []rules.Finding  `json:"correlations,omitempty"`
}

// TestChange is an Observatory test whose result differs between scans.
type TestChange struct {
	Name     string `json:"name"`
	From     string `json:"from"`
	To       string `json:"to"`
	FromPass bool   `json:"from_pass"`
	ToPass   bool   `json:"to_pass"`
}

// Diff is what changed from one scan to another.
type Diff struct {
	From      int64           `json:"from"`
	To        int64           `json:"to"`
	GradeFrom string          `json:"grade_from"`
	GradeTo   string          `json:"grade_to"`
	ScoreFrom int             `json:"score_from"`
	ScoreTo   int             `json:"score_to"`
	Tests     []TestChange    `json:"tests"`
	New       []rules.Finding `json:"new"`
	Fixed     []rules.Finding `json:"fixed"`
}

// diffScans compares two scans: grade and score, Observatory tests whose
// result changed, and findings that appeared or went away (by rule and
// fingerprint, so a finding that moved is not new).
func diffScans(a, b *scanData) *Diff {
	d := &Diff{From: a.Scan.ID, To: b.Scan.ID, GradeFrom: a.Scan.Grade, GradeTo: b.Scan.Grade, ScoreFrom: a.Scan.Score, ScoreTo: b.Scan.Score,
		Tests: []TestChange{}, New: []rules.Finding{}, Fixed: []rules.Finding{}}
	tests := map[string]live.TestResult{}
	if a.Probe != nil {
		for _, t := range a.Probe.Tests {
			tests[t.Name] = t
		}
	}
	if b.Probe != nil {
		for _, t := range b.Probe.Tests {
			old, ok := tests[t.Name]
			if !ok || old.Result != t.Result {
				d.Tests = append(d.Tests, TestChange{Name: t.Name, From: old.Result, To: t.Result, FromPass: old.Pass, ToPass: t.Pass})
			}
		}
	}
	key := func(f rules.Finding) string { return f.RuleID + "\x00" + f.Fingerprint }
	before := map[string]bool{}
	for _, f := range a.findings() {
		before[key(f)] = true
	}
	after := map[string]bool{}
	for _, f := range b.findings() {
		after[key(f)] = true
		if !before[key(f)] {
			d.New = append(d.New, f)
		}
	}
	for _, f := range a.findings() {
		if !after[key(f)] {
			d.Fixed = append(d.Fixed, f)
		}
	}
	bySev := func(fs []rules.Finding) {
		sort.SliceStable(fs, func(i, j int) bool { return fs[i].Severity > fs[j].Severity })
	}
	bySev(d.New)
	bySev(d.Fixed)
	return d
}
