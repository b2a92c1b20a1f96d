package live

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/djangoguard/djangoguard/internal/report"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// SchemaVersion is the version of the probe's JSON report (docs/probe.md).
const SchemaVersion = 1

// Report is the JSON form of one probe.
type Report struct {
	SchemaVersion   int             `json:"schema_version"`
	Target          string          `json:"target"`
	Grade           string          `json:"grade"`
	Score           int             `json:"score"`
	TestsPassed     int             `json:"tests_passed"`
	TestsFailed     int             `json:"tests_failed"`
	TestsQuantity   int             `json:"tests_quantity"`
	Graded          bool            `json:"graded"`
	NotGradedReason string          `json:"not_graded_reason,omitempty"`
	Tests           []TestResult    `json:"tests"`
	Findings        []rules.Finding `json:"findings"`
	Redirects       Redirects       `json:"redirects"`
	TLS             *TLSReport      `json:"tls,omitempty"`
	Active          *ActiveReport   `json:"active,omitempty"`
	Errors          []string        `json:"errors"`
	Warnings        []string        `json:"warnings"`
	ElapsedMS       int64           `json:"elapsed_ms"`
}

// Redirects are the two sessions' chains.
type Redirects struct {
	HTTP          []Hop  `json:"http"`
	HTTPS         []Hop  `json:"https"`
	HTTPSVerified bool   `json:"https_verified"`
	CertError     string `json:"certificate_error,omitempty"`
}

// NewReport builds the report of one probe; res may be nil when the probe
// failed with err.
func NewReport(target string, res *Result, findings []rules.Finding, err error) *Report {
	rep := &Report{SchemaVersion: SchemaVersion, Target: target, Tests: []TestResult{}, Findings: findings,
		Errors: []string{}, Warnings: []string{}, Redirects: Redirects{HTTP: []Hop{}, HTTPS: []Hop{}}}
	if rep.Findings == nil {
		rep.Findings = []rules.Finding{}
	}
	if res != nil {
		rep.Target = res.Target
		if res.Tests != nil {
			rep.Grade, rep.Score, rep.TestsPassed, rep.TestsQuantity = res.Grade, res.Score, res.TestsPassed, len(res.Tests)
			rep.TestsFailed = rep.TestsQuantity - rep.TestsPassed
			rep.Tests = res.Tests
			rep.Graded, rep.NotGradedReason = res.Graded, res.NotGradedReason
		}
		if res.HTTP != nil && res.HTTP.Hops != nil {
			rep.Redirects.HTTP = res.HTTP.Hops
		}
		if res.HTTPS != nil {
			if res.HTTPS.Hops != nil {
				rep.Redirects.HTTPS = res.HTTPS.Hops
			}
			rep.Redirects.HTTPSVerified = res.HTTPS.Verified && res.HTTPS.Final != nil
			if res.HTTPS.CertErr != nil {
				rep.Redirects.CertError = truncate(res.HTTPS.CertErr.Error(), 300)
			}
		}
		rep.TLS, rep.Active = res.TLS, res.Active
		rep.Errors = append(rep.Errors, res.Errors...)
		rep.Warnings = append(rep.Warnings, res.Warnings...)
		rep.ElapsedMS = res.Elapsed.Milliseconds()
	}
	if err != nil {
		rep.Errors = append(rep.Errors, err.Error())
	}
	return rep
}

// Failed says the probe could not reach the site.
func (r *Report) Failed() bool { return r.TestsQuantity == 0 && len(r.Errors) > 0 }

// WriteJSON writes one report, or an array when there are several.
func WriteJSON(w io.Writer, reps []*Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if len(reps) == 1 {
		return enc.Encode(reps[0])
	}
	if reps == nil {
		reps = []*Report{}
	}
	return enc.Encode(reps)
}

// WriteText writes each report: the grade, the test table, the findings
// (ruff-like: URL: CODE [severity] message, then the fix) and a summary.
func WriteText(w io.Writer, reps []*Report) error {
	bw := bufio.NewWriter(w)
	for i, r := range reps {
		if i > 0 {
			bw.WriteString("\n")
		}
		writeTextOne(bw, r)
	}
	return bw.Flush()
}

func writeTextOne(bw *bufio.Writer, r *Report) {
	fmt.Fprintf(bw, "%s\n", r.Target)
	if r.TestsQuantity > 0 {
		fmt.Fprintf(bw, "HTTP Observatory grade %s, score %d, %d/%d tests passed", r.Grade, r.Score, r.TestsPassed, r.TestsQuantity)
		if !r.Graded {
			fmt.Fprintf(bw, " (the Observatory would not grade this: %s)", r.NotGradedReason)
		}
		bw.WriteString("\n\n")
		tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TEST\tPASS\tSCORE\tRESULT")
		for _, t := range r.Tests {
			pass := "yes"
			if !t.Pass {
				pass = "NO"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Name, pass, signed(t.ScoreModifier), t.Result)
		}
		tw.Flush()
		bw.WriteString("\n")
	}
	for _, f := range r.Findings {
		fmt.Fprintf(bw, "%s: %s [%s] %s\n", f.URL, f.RuleID, f.Severity, f.Message)
		if f.Fix != "" {
			fmt.Fprintf(bw, "    = fix: %s\n", f.Fix)
		}
	}
	if len(r.Findings) > 0 {
		bw.WriteString("\n")
	}
	for _, e := range r.Errors {
		fmt.Fprintf(bw, "error: %s\n", e)
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(bw, "warning: %s\n", wn)
	}
	fmt.Fprintf(bw, "%s.\n", findingSummary(r.Findings))
}

func findingSummary(fs []rules.Finding) string {
	if len(fs) == 0 {
		return "No findings"
	}
	counts := map[rules.Severity]int{}
	for _, f := range fs {
		counts[f.Severity]++
	}
	var parts []string
	for _, s := range []rules.Severity{rules.Critical, rules.High, rules.Medium, rules.Low, rules.Info} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	n := "findings"
	if len(fs) == 1 {
		n = "finding"
	}
	return fmt.Sprintf("%d %s (%s)", len(fs), n, strings.Join(parts, ", "))
}

// WriteMarkdown writes each report as a Markdown section: grade, test
// table, findings table.
func WriteMarkdown(w io.Writer, reps []*Report) error {
	bw := bufio.NewWriter(w)
	for _, r := range reps {
		fmt.Fprintf(bw, "## djangoguard probe: %s\n\n", mdCell(r.Target))
		if r.TestsQuantity > 0 {
			fmt.Fprintf(bw, "**Grade %s**, score %d, %d/%d HTTP Observatory tests passed.\n\n", r.Grade, r.Score, r.TestsPassed, r.TestsQuantity)
			bw.WriteString("| Test | Pass | Score | Result |\n|---|---|---:|---|\n")
			for _, t := range r.Tests {
				pass := "✅"
				if !t.Pass {
					pass = "❌"
				}
				fmt.Fprintf(bw, "| %s | %s | %s | `%s` |\n", t.Name, pass, signed(t.ScoreModifier), t.Result)
			}
			bw.WriteString("\n")
		}
		if len(r.Findings) > 0 {
			fmt.Fprintf(bw, "%s.\n\n| Severity | Rule | Message | Fix |\n|---|---|---|---|\n", findingSummary(r.Findings))
			for _, f := range r.Findings {
				fmt.Fprintf(bw, "| %s | `%s` %s | %s | %s |\n", f.Severity, f.RuleID, mdCell(f.Title), mdCell(f.Message), mdCell(f.Fix))
			}
			bw.WriteString("\n")
		} else {
			bw.WriteString("No findings.\n\n")
		}
		for _, e := range r.Errors {
			fmt.Fprintf(bw, "- error: %s\n", mdCell(e))
		}
		if len(r.Errors) > 0 {
			bw.WriteString("\n")
		}
	}
	return bw.Flush()
}

func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r", " "), "\n", " ")
}

// WriteSARIF writes the findings of every report as one SARIF 2.1.0 run,
// with the shared report writer.
func WriteSARIF(w io.Writer, reps []*Report, reg *rules.Registry, version string) error {
	var all []rules.Finding
	var errs []report.Error
	var elapsed time.Duration
	for _, r := range reps {
		all = append(all, r.Findings...)
		for _, e := range r.Errors {
			errs = append(errs, report.Error{Path: r.Target, Message: e})
		}
		elapsed += time.Duration(r.ElapsedMS) * time.Millisecond
	}
	root := ""
	if len(reps) == 1 {
		root = reps[0].Target
	}
	doc := report.NewDocument(version, root, reg, all, nil, errs, 0, elapsed)
	return report.WriteSARIF(w, doc)
}

// Write renders reports in one of text, json, sarif, markdown.
func Write(w io.Writer, format string, reps []*Report, reg *rules.Registry, version string) error {
	switch format {
	case "text", "":
		return WriteText(w, reps)
	case "json":
		return WriteJSON(w, reps)
	case "sarif":
		return WriteSARIF(w, reps, reg, version)
	case "markdown", "md":
		return WriteMarkdown(w, reps)
	}
	return fmt.Errorf("unknown format %q (want text, json, sarif or markdown)", format)
}

// signed writes a score modifier as the Observatory shows it: +5, 0, -20.
func signed(n int) string {
	if n > 0 {
		return fmt.Sprintf("+%d", n)
	}
	return fmt.Sprint(n)
}
