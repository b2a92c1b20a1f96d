package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/djangoguard/djangoguard/internal/catalog"
	"github.com/djangoguard/djangoguard/internal/correlate"
	"github.com/djangoguard/djangoguard/internal/live"
	"github.com/djangoguard/djangoguard/internal/report"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/version"
)

func init() { extraCommands = append(extraCommands, newReportCmd) }

func newReportCmd() *cobra.Command {
	var scanFile, root, output, title string
	var probeFiles []string
	cmd := &cobra.Command{
		Use:   "report --scan SCAN.json --probe PROBE.json -o report.html",
		Short: "Write one self-contained HTML report from scan and probe JSON reports",
		Long: `report combines a static scan report (--scan, from djangoguard scan --format json) and
any number of probe reports (--probe, from djangoguard probe --format json; a file may hold
an array of reports) into one HTML file: a summary, charts, every Observatory test and every
finding with its fix. With one scan and one probe it also runs the 6xx correlation rules.
The file has inline CSS and SVG, no script, and makes no request when opened.
See docs/html-report.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if scanFile == "" && len(probeFiles) == 0 {
				return &exitError{code: exitUsage, err: errors.New("report: give --scan and/or --probe")}
			}
			reg := catalog.Registry()
			r := &report.HTMLReport{Title: title, Version: version.String(), Generated: time.Now()}
			if scanFile != "" {
				f, err := os.Open(scanFile)
				if err != nil {
					return &exitError{code: exitUsage, err: err}
				}
				r.Static, err = correlate.LoadScan(f)
				f.Close()
				if err != nil {
					return &exitError{code: exitUsage, err: fmt.Errorf("%s: %w", scanFile, err)}
				}
			}
			var probes []*live.Report
			for _, p := range probeFiles {
				reps, err := loadProbeReports(p)
				if err != nil {
					return &exitError{code: exitUsage, err: fmt.Errorf("%s: %w", p, err)}
				}
				probes = append(probes, reps...)
			}
			for _, p := range probes {
				r.Probes = append(r.Probes, htmlProbe(p))
			}
			if r.Static != nil && len(probes) == 1 {
				in := &correlate.Input{Scan: r.Static, Probe: probes[0]}
				dir := root
				if dir == "" {
					dir = r.Static.Root
				}
				if st, err := os.Stat(dir); err == nil && st.IsDir() {
					if in.Settings, err = correlate.LoadSettings(cmd.Context(), dir); err != nil {
						return &exitError{code: exitUsage, err: err}
					}
				}
				fs, err := correlate.Run(cmd.Context(), in, reg.OfKind(rules.Correlation))
				if err != nil {
					return &exitError{code: exitUsage, err: err}
				}
				r.Correlations = fs
			}
			if r.Title == "" {
				r.Title = "djangoguard report"
			}
			write := func(w io.Writer) error { return report.WriteHTMLReport(w, r) }
			if output == "" || output == "-" {
				if err := write(cmd.OutOrStdout()); err != nil {
					return &exitError{code: exitUsage, err: err}
				}
				return nil
			}
			if err := writeFileAtomic(output, write); err != nil {
				return &exitError{code: exitUsage, err: fmt.Errorf("writing %s: %w", output, err)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&scanFile, "scan", "", "static scan report (djangoguard scan --format json)")
	f.StringArrayVar(&probeFiles, "probe", nil, "probe report (djangoguard probe --format json), repeatable")
	f.StringVar(&root, "root", "", "the project directory for the correlation rules (default: the scan's root)")
	f.StringVarP(&output, "output", "o", "", "the HTML file to write (default: stdout)")
	f.StringVar(&title, "title", "", "the report's title")
	return cmd
}

// loadProbeReports reads a probe JSON file: one report or an array.
func loadProbeReports(path string) ([]*live.Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return correlate.LoadProbes(data)
}

// htmlProbe converts a probe report for the HTML report.
func htmlProbe(p *live.Report) report.HTMLProbe {
	v := report.HTMLProbe{Target: p.Target, Grade: p.Grade, Score: p.Score, TestsPassed: p.TestsPassed, TestsQuantity: p.TestsQuantity,
		Graded: p.Graded, NotGradedReason: p.NotGradedReason, Findings: p.Findings, Errors: p.Errors, Warnings: p.Warnings}
	for _, t := range p.Tests {
		v.Tests = append(v.Tests, report.HTMLTest{Name: t.Name, Result: t.Result, Description: t.Description, ScoreModifier: t.ScoreModifier, Pass: t.Pass})
	}
	return v
}

// writeProbe writes probe reports in any of live.Write's formats, or as
// one self-contained HTML page (--format html).
func writeProbe(w io.Writer, format string, reps []*live.Report, reg *rules.Registry) error {
	if format != "html" {
		return live.Write(w, format, reps, reg, version.String())
	}
	r := &report.HTMLReport{Title: "djangoguard probe", Version: version.String(), Generated: time.Now()}
	if len(reps) == 1 {
		r.Title += " of " + reps[0].Target
	}
	for _, p := range reps {
		r.Probes = append(r.Probes, htmlProbe(p))
	}
	return report.WriteHTMLReport(w, r)
}
