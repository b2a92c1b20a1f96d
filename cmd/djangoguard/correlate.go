package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/djangoguard/djangoguard/internal/catalog"
	"github.com/djangoguard/djangoguard/internal/correlate"
	"github.com/djangoguard/djangoguard/internal/report"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/version"
)

func init() { extraCommands = append(extraCommands, newCorrelateCmd) }

func newCorrelateCmd() *cobra.Command {
	var root, format, output, failOn, colorMode string
	cmd := &cobra.Command{
		Use:   "correlate SCAN.json PROBE.json",
		Short: "Compare a project's settings with its live deployment (6xx rules)",
		Long: `correlate reads a static scan report (djangoguard scan --format json) and a probe report
(djangoguard probe --format json) of the same project, re-reads the project's settings
modules from the scan's root (or --root), and reports where they disagree: settings that
enable HSTS while the live site sends none, production settings with DEBUG = False while
the site shows a DEBUG page, a CSP in the settings that the live page lacks, and more.
See docs/serve.md and docs/rules.md (DJG6xx).`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			threshold, err := rules.ParseSeverity(failOn)
			if err != nil {
				return &exitError{code: exitUsage, err: fmt.Errorf("--fail-on: %w", err)}
			}
			if !slices.Contains(report.Formats, format) {
				return &exitError{code: exitUsage, err: fmt.Errorf("--format %q: want one of %v", format, report.Formats)}
			}
			start := time.Now()
			in, err := correlate.LoadFiles(cmd.Context(), args[0], args[1], root)
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			reg := catalog.Registry()
			fs, err := correlate.Run(cmd.Context(), in, reg.OfKind(rules.Correlation))
			var errs []report.Error
			if err != nil {
				errs = append(errs, report.Error{Message: err.Error()})
			}
			files := 0
			if in.Settings != nil {
				files = len(in.Settings.Files)
			}
			doc := report.NewDocument(version.String(), in.Scan.Root, reg, fs, nil, errs, files, time.Since(start))
			if err := emit(cmd, output, format, colorMode, doc, false); err != nil {
				return err
			}
			for _, f := range fs {
				if f.Severity >= threshold {
					return &exitError{code: exitFindings}
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&root, "root", "", "the project directory (default: the scan report's root)")
	f.StringVarP(&format, "format", "f", "text", "output format: text, json, sarif, markdown, html")
	f.StringVarP(&output, "output", "o", "", "write the report to this file instead of stdout")
	f.StringVar(&failOn, "fail-on", "high", "exit 1 when a finding is at or above this severity")
	f.StringVar(&colorMode, "color", "auto", "colour: auto, always, never")
	return cmd
}
