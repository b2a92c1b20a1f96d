package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/djangoguard/djangoguard/internal/catalog"
	"github.com/djangoguard/djangoguard/internal/config"
	"github.com/djangoguard/djangoguard/internal/report"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/scan"
	"github.com/djangoguard/djangoguard/internal/version"
)

type scanFlags struct {
	format, output, failOn, configFile, settingsModule, colorMode string
	baseline, writeBaseline                                       string
	selectCodes, ignoreCodes, exclude                             []string
	showSuppressed, noProgress                                    bool
	maxFileSize                                                   int64
}

func newScanCmd() *cobra.Command {
	var fl scanFlags
	cmd := &cobra.Command{
		Use:   "scan [PATH]",
		Short: "Audit a Django project from its source, without running it",
		Long: `Audit a Django project from its source: settings, URLs, views and all other
Python code, templates and dependency files. Nothing in the project is run.

Exit status: 0 when no finding is at or above --fail-on, 1 when one is, 2 for
usage or fatal errors.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			root := "."
			if len(args) == 1 {
				root = args[0]
			}
			return runScan(cmd, root, &fl)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&fl.format, "format", "f", "text", "output format: text, json, sarif, markdown, html (one self-contained page)")
	f.StringVarP(&fl.output, "output", "o", "", "write the report to FILE instead of standard output")
	f.StringVar(&fl.failOn, "fail-on", "", "lowest severity that makes the exit status 1: info, low, medium, high, critical (default high)")
	f.StringVar(&fl.configFile, "config", "", "configuration file (default: .djangoguard.toml or [tool.djangoguard] in pyproject.toml, found walking up from PATH)")
	f.StringVar(&fl.settingsModule, "settings-module", "", "dotted name of the production settings module")
	f.StringSliceVar(&fl.selectCodes, "select", nil, "only report these rule codes or prefixes (e.g. DJG1,DJG205)")
	f.StringSliceVar(&fl.ignoreCodes, "ignore", nil, "do not report these rule codes or prefixes")
	f.StringSliceVar(&fl.exclude, "exclude", nil, "glob of paths to skip, added to the configuration's (\"**\" spans folders)")
	f.BoolVar(&fl.showSuppressed, "show-suppressed", false, "also list findings hidden by ignore comments or the baseline")
	f.StringVar(&fl.baseline, "baseline", "", "report only findings that are not in this baseline file")
	f.StringVar(&fl.writeBaseline, "write-baseline", "", "record the current findings in this baseline file")
	f.Int64Var(&fl.maxFileSize, "max-file-size", 0, "largest file read, in bytes (default 5 MiB)")
	f.StringVar(&fl.colorMode, "color", "auto", "colour: auto (on a terminal, unless NO_COLOR is set), always, never")
	f.BoolVar(&fl.noProgress, "no-progress", false, "never show the progress bar")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(report.Formats, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"info", "low", "medium", "high", "critical"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("color", cobra.FixedCompletions([]string{"auto", "always", "never"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// loadConfig finds and reads the configuration, then applies the flags.
func loadConfig(root string, fl *scanFlags) (*config.Config, error) {
	path := fl.configFile
	if path == "" {
		found, err := config.Find(root)
		if err != nil {
			return nil, err
		}
		path = found
	}
	cfg := config.Default()
	if path != "" {
		c, err := config.Load(path)
		if err != nil {
			return nil, err
		}
		cfg = c
	}
	if fl.failOn != "" {
		s, err := rules.ParseSeverity(fl.failOn)
		if err != nil {
			return nil, fmt.Errorf("--fail-on: %w", err)
		}
		cfg.FailOn = s
	}
	if fl.settingsModule != "" {
		cfg.SettingsModule = fl.settingsModule
	}
	if len(fl.selectCodes) > 0 {
		cfg.Select = upper(fl.selectCodes)
	}
	if len(fl.ignoreCodes) > 0 {
		cfg.Ignore = append(cfg.Ignore, upper(fl.ignoreCodes)...)
	}
	cfg.Exclude = append(cfg.Exclude, fl.exclude...)
	if fl.maxFileSize < 0 {
		return nil, errors.New("--max-file-size must be positive")
	}
	if fl.maxFileSize > 0 {
		cfg.MaxFileSize = fl.maxFileSize
	}
	return cfg, nil
}

func upper(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToUpper(s)
	}
	return out
}

func runScan(cmd *cobra.Command, root string, fl *scanFlags) error {
	if !validFormat(fl.format) {
		return usageErr("--format: unknown format %q (want one of %s)", fl.format, strings.Join(report.Formats, ", "))
	}
	if _, err := os.Stat(root); err != nil {
		return usageErr("scan: %v", err)
	}
	cfg, err := loadConfig(root, fl)
	if err != nil {
		return usageErr("%v", err)
	}
	reg := catalog.Registry()
	if err := cfg.ValidateCodes(reg); err != nil {
		return usageErr("%v", err)
	}
	var base *scan.Baseline
	if fl.baseline != "" {
		if base, err = scan.LoadBaseline(fl.baseline); err != nil {
			return usageErr("%v", err)
		}
	}

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	prog := startProgress(ctx, cmd.ErrOrStderr(), fl.noProgress)
	res, err := scan.Run(ctx, root, scan.Options{Config: cfg, Registry: reg, Baseline: base, Progress: prog.update, Input: budgetForInput(ctx)})
	prog.finish()
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}

	if fl.writeBaseline != "" {
		all := append(append([]rules.Finding(nil), res.Findings...), res.Suppressed...)
		var keep []rules.Finding
		for _, f := range all {
			if f.SuppressedBy == "" || f.SuppressedBy == "baseline" {
				keep = append(keep, f)
			}
		}
		if err := writeFileAtomic(fl.writeBaseline, func(w io.Writer) error { return scan.NewBaseline(keep).Write(w) }); err != nil {
			return &exitError{code: exitUsage, err: fmt.Errorf("writing baseline: %w", err)}
		}
	}

	errs := make([]report.Error, len(res.Errors))
	for i, e := range res.Errors {
		errs[i] = report.Error{RuleID: e.RuleID, Path: e.Path, Message: e.Message}
	}
	var suppressed []rules.Finding
	if fl.showSuppressed {
		suppressed = res.Suppressed
	}
	doc := report.NewDocument(version.String(), res.Root, reg, res.Findings, suppressed, errs, res.Files, res.Duration)
	doc.Summary.Suppressed = len(res.Suppressed)
	if err := emit(cmd, fl.output, fl.format, fl.colorMode, doc, fl.showSuppressed); err != nil {
		return err
	}
	for _, f := range res.Findings {
		if f.Severity >= cfg.FailOn {
			return &exitError{code: exitFindings}
		}
	}
	return nil
}

func validFormat(f string) bool {
	for _, k := range report.Formats {
		if f == k {
			return true
		}
	}
	return false
}

// emit writes the report to --output (atomically) or standard output.
func emit(cmd *cobra.Command, output, format, colorMode string, doc *report.Document, showSuppressed bool) error {
	opt := report.Options{ShowSuppressed: showSuppressed}
	if output != "" {
		err := writeFileAtomic(output, func(w io.Writer) error { return report.Write(w, format, doc, opt) })
		if err != nil {
			return &exitError{code: exitUsage, err: fmt.Errorf("writing report: %w", err)}
		}
		return nil
	}
	out := cmd.OutOrStdout()
	opt.Color = useColor(colorMode, out)
	if err := report.Write(out, format, doc, opt); err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("writing report: %w", err)}
	}
	return nil
}

func useColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return false
	}
	return isTerminal(w)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// writeFileAtomic writes through a temporary file renamed into place, so a
// failed write never leaves a truncated report or baseline.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".djangoguard-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600; a report or baseline is meant to be
	// read by others (CI artifacts, teammates), as a plain create would be.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// progress shows a bar on a terminal's stderr once a scan has taken longer
// than a second; it stays silent otherwise.
type progress struct {
	files, rulesDone, rulesTotal atomic.Int64
	stop                         chan struct{}
	done                         chan struct{}
}

func startProgress(ctx context.Context, w io.Writer, disabled bool) *progress {
	p := &progress{stop: make(chan struct{}), done: make(chan struct{})}
	if disabled || !isTerminal(w) {
		close(p.done)
		return p
	}
	go func() {
		defer close(p.done)
		select {
		case <-time.After(time.Second):
		case <-p.stop:
			return
		case <-ctx.Done():
			return
		}
		bar := progressbar.NewOptions64(-1, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("scanning"),
			progressbar.OptionSpinnerType(14), progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond))
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				if t := p.rulesTotal.Load(); t > 0 {
					bar.Describe(fmt.Sprintf("running rules %d/%d", p.rulesDone.Load(), t))
				} else {
					bar.Describe(fmt.Sprintf("reading files (%d)", p.files.Load()))
				}
				_ = bar.Add(1)
			case <-p.stop:
				_ = bar.Finish()
				return
			}
		}
	}()
	return p
}

func (p *progress) update(phase string, done, total int) {
	switch phase {
	case "files":
		p.files.Store(int64(done))
	case "rules":
		p.rulesDone.Store(int64(done))
		p.rulesTotal.Store(int64(total))
	}
}

func (p *progress) finish() {
	select {
	case <-p.done:
	default:
		close(p.stop)
		<-p.done
	}
}
