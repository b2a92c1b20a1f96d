package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/djangoguard/djangoguard/internal/deps"
	"github.com/djangoguard/djangoguard/internal/deps/vulndb"
	"github.com/djangoguard/djangoguard/internal/report"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/version"
)

func init() { extraCommands = append(extraCommands, newDepsCmd, newDBCmd) }

func newDepsCmd() *cobra.Command {
	var format, failOn, output, colorMode string
	cmd := &cobra.Command{
		Use:   "deps FILE...",
		Short: "Audit Python dependency files for known vulnerabilities, unsupported Django and unpinned requirements",
		Long: `deps audits dependency files on their own, offline: requirements files (with
their -r/-c includes), Pipfile, Pipfile.lock, poetry.lock, pdm.lock, uv.lock,
pylock.toml, pyproject.toml and setup.cfg. It reports the DJG4xx rules with the
newer of the embedded vulnerability database and the one 'djangoguard db update'
stored in the cache directory.

Exit status: 0 when no finding is at or above --fail-on, 1 when one is, 2 for
usage errors.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !validFormat(format) {
				return usageErr("--format: unknown format %q (want one of %s)", format, strings.Join(report.Formats, ", "))
			}
			threshold := rules.High
			if failOn != "" {
				s, err := rules.ParseSeverity(failOn)
				if err != nil {
					return usageErr("--fail-on: %v", err)
				}
				threshold = s
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			doc, note, err := auditFiles(ctx, args, deps.DefaultConfig())
			if err != nil {
				return err
			}
			if note != "" {
				fmt.Fprintln(cmd.ErrOrStderr(), "djangoguard:", note)
			}
			if err := emit(cmd, output, format, colorMode, doc, false); err != nil {
				return err
			}
			for _, f := range doc.Findings {
				if f.Severity >= threshold {
					return &exitError{code: exitFindings}
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", "text", "output format: text, json, sarif, markdown")
	f.StringVar(&failOn, "fail-on", "", "lowest severity that makes the exit status 1: info, low, medium, high, critical (default high)")
	f.StringVarP(&output, "output", "o", "", "write the report to this file instead of standard output")
	f.StringVar(&colorMode, "color", "auto", "colour the text report: auto, always, never")
	return cmd
}

// auditFiles audits the named files, rooted at their common directory.
func auditFiles(ctx context.Context, args []string, cfg deps.Config) (*report.Document, string, error) {
	start := time.Now()
	var abs []string
	for _, a := range args {
		p, err := filepath.Abs(a)
		if err != nil {
			return nil, "", usageErr("deps: %v", err)
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, "", usageErr("deps: %v", err)
		}
		if !st.Mode().IsRegular() {
			return nil, "", usageErr("deps: %s is not a regular file", a)
		}
		abs = append(abs, p)
	}
	// The root is the working directory when every file is under it (so
	// that "-r ../base.txt" from requirements/prod.txt resolves), else the
	// files' common directory. Includes are not followed outside the root.
	root := filepath.Dir(abs[0])
	if wd, err := os.Getwd(); err == nil {
		if wd, err = filepath.Abs(wd); err == nil {
			root = wd
		}
	}
	for _, p := range abs {
		for !strings.HasPrefix(p, strings.TrimSuffix(root, string(filepath.Separator))+string(filepath.Separator)) && filepath.Dir(root) != root {
			root = filepath.Dir(root)
		}
	}
	var files []*rules.File
	seen := map[string]bool{}
	for _, p := range abs {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil, "", usageErr("deps: %v", err)
		}
		rel = filepath.ToSlash(rel)
		if seen[rel] {
			continue
		}
		seen[rel] = true
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, "", usageErr("deps: %v", err)
		}
		files = append(files, &rules.File{Path: rel, Abs: p, Kind: rules.DependencyFile, Content: b})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	target := rules.NewTarget(root, files)
	aud := deps.NewAuditor(cfg)
	rs := aud.Rules()
	reg, err := rules.NewRegistry(rs...)
	if err != nil {
		return nil, "", &exitError{code: exitUsage, err: err}
	}
	var findings []rules.Finding
	var errs []report.Error
	for _, r := range rs {
		pass := rules.NewPass(ctx, r, target, nil, func(f rules.Finding) { findings = append(findings, f) })
		if err := r.Run(pass); err != nil {
			errs = append(errs, report.Error{RuleID: r.Code, Message: err.Error()})
		}
	}
	note := ""
	if res, err := aud.AuditTarget(ctx, target); err == nil {
		for _, p := range res.Project.Problems {
			errs = append(errs, report.Error{Path: p.Path, Message: p.Problem.String()})
		}
		note = res.DBNote
	}
	rules.Sort(findings)
	rules.SetFingerprints(findings)
	doc := report.NewDocument(version.String(), root, reg, findings, nil, errs, len(files), time.Since(start))
	return doc, note, nil
}

func newDBCmd() *cobra.Command {
	var cacheDir string
	db := &cobra.Command{
		Use:   "db",
		Short: "Show or update the offline vulnerability database",
	}
	db.PersistentFlags().StringVar(&cacheDir, "cache-dir", "", "directory of the updated database (default: the user cache directory, or $DJANGOGUARD_CACHE_DIR)")
	dir := func() (string, error) {
		if cacheDir != "" {
			return cacheDir, nil
		}
		return vulndb.DefaultCacheDir()
	}
	info := &cobra.Command{
		Use:   "info",
		Short: "Print the database in use: sources, dates, counts and attribution",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := dir()
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			store := vulndb.NewStore(d)
			t0 := time.Now()
			cur, err := store.DB()
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			load := time.Since(t0)
			out := cmd.OutOrStdout()
			m := cur.Meta()
			fmt.Fprintf(out, "Database:  %s\n", store.Note())
			fmt.Fprintf(out, "Cache:     %s\n", filepath.Join(d, vulndb.CacheFile))
			fmt.Fprintf(out, "As of:     %s\n", m.AsOf)
			fmt.Fprintf(out, "Records:   %d advisories (merged by alias) for %d packages\n", m.Records, m.Packages)
			fmt.Fprintf(out, "Loaded in: %s\n\n", load.Round(10*time.Microsecond))
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SOURCE\tDATE\tRECORDS\tLICENSE\tURL")
			for _, s := range m.Sources {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", s.Name, s.Date, s.Records, s.License, s.URL)
			}
			tw.Flush()
			fmt.Fprintln(out, "\nAttribution:")
			for _, s := range m.Sources {
				if s.Attribution != "" {
					fmt.Fprintf(out, "  - %s\n", s.Attribution)
				}
			}
			return nil
		},
	}
	var from string
	update := &cobra.Command{
		Use:   "update",
		Short: "Replace the cached database with OSV's PyPI export (all.zip)",
		Long: `update downloads OSV's export of every PyPI advisory (or reads such a zip from
--from URL|FILE), validates it, merges Django's security archive, and replaces the
cached database atomically: an update that fails or is interrupted leaves the
previous database in place. Scans then use the newer of the cached and the
embedded database.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := dir()
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			src := from
			if src == "" {
				src = vulndb.DefaultUpdateURL
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "djangoguard: reading %s\n", src)
			st, err := vulndb.Update(ctx, nil, src, d)
			if err != nil {
				if errors.Is(err, context.Canceled) {
					err = errors.New("update interrupted; the previous database is unchanged")
				}
				return &exitError{code: exitUsage, err: fmt.Errorf("db update: %w", err)}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Updated %s: %d records read (%d skipped, %d invalid), %d after merging, %d bytes\n",
				filepath.Join(d, vulndb.CacheFile), st.Records, st.Skipped, st.Invalid, st.Merged, st.Database)
			return nil
		},
	}
	update.Flags().StringVar(&from, "from", "", "URL or file of an OSV PyPI export zip (default "+vulndb.DefaultUpdateURL+")")
	db.AddCommand(info, update)
	return db
}
