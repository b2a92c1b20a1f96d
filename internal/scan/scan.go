// Package scan runs a static audit: it discovers the files of a tree, builds
// the rules.Target, runs every selected static rule, turns unreadable inputs
// into DJG000 diagnostics, and applies the configuration, suppression
// comments and the baseline to the findings.
package scan

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/djangoguard/djangoguard/internal/config"
	"github.com/djangoguard/djangoguard/internal/discover"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// Options control a scan.
type Options struct {
	Config   *config.Config  // nil: config.Default()
	Registry *rules.Registry // the rules to run (their static ones)
	Baseline *Baseline       // findings whose fingerprints it holds are hidden
	// Progress, when set, is called as files are discovered and as rules
	// finish: phase is "files" or "rules".
	Progress func(phase string, done, total int)
	// Input, when set, is called once the files are read, before any rule
	// runs, with their number and total size.
	Input func(files int, bytes int64)
}

// Error is a failure of the tool itself (a rule that failed), reported
// beside the findings; the scan still completes.
type Error struct {
	RuleID  string `json:"rule_id,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// Result is what a scan found.
type Result struct {
	Root     string // absolute
	Files    int    // files analysed
	Findings []rules.Finding
	// Suppressed are the findings hidden by comments or the baseline.
	Suppressed []rules.Finding
	Errors     []Error
	Duration   time.Duration
}

// Run scans root.
func Run(ctx context.Context, root string, opt Options) (*Result, error) {
	start := time.Now()
	cfg := opt.Config
	if cfg == nil {
		cfg = config.Default()
	}
	wopt := discover.Options{MaxFileSize: cfg.MaxFileSize, Exclude: cfg.Exclude}
	if opt.Progress != nil {
		wopt.Progress = func(n int) { opt.Progress("files", n, 0) }
	}
	walk, err := discover.Walk(ctx, root, wopt)
	if err != nil {
		return nil, err
	}
	if opt.Input != nil {
		var size int64
		for _, f := range walk.Files {
			size += int64(len(f.Content))
		}
		opt.Input(len(walk.Files), size)
	}
	target := rules.NewTarget(walk.Root, walk.Files)
	target.SettingsModule = cfg.SettingsModule

	var (
		mu       sync.Mutex
		findings []rules.Finding
		errs     []Error
	)
	for _, d := range walk.Diagnostics {
		f := rules.Finding{Path: d.Path, Message: d.Message}
		if d.Path == "." {
			f.Path = ""
		}
		f.Fill(Diagnostic)
		findings = append(findings, f)
	}

	var todo []*rules.Rule
	for _, r := range opt.Registry.OfKind(rules.Static) {
		if r.Run != nil && cfg.Selected(r.Code) {
			todo = append(todo, r)
		}
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	done := 0
	for _, r := range todo {
		wg.Add(1)
		sem <- struct{}{}
		go func(r *rules.Rule) {
			defer wg.Done()
			defer func() { <-sem }()
			var local []rules.Finding
			pass := rules.NewPass(ctx, r, target, nil, func(f rules.Finding) { local = append(local, f) })
			err := runRule(r, pass)
			mu.Lock()
			defer mu.Unlock()
			findings = append(findings, local...)
			if err != nil {
				errs = append(errs, Error{RuleID: r.Code, Message: err.Error()})
			}
			done++
			if opt.Progress != nil {
				opt.Progress("rules", done, len(todo))
			}
		}(r)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scan of %s interrupted: %w", walk.Root, err)
	}

	res := &Result{Root: walk.Root, Files: len(walk.Files), Errors: errs}
	findings = append(findings, applySuppressions(target, findings, cfg)...)
	kept := findings[:0]
	for _, f := range findings {
		if !cfg.Selected(f.RuleID) {
			continue
		}
		if s, ok := cfg.Severity[f.RuleID]; ok {
			f.Severity = s
		}
		kept = append(kept, f)
	}
	// Fingerprints are computed over every finding in a fixed order, so that
	// a finding's fingerprint does not depend on which others are hidden.
	rules.Sort(kept)
	rules.SetFingerprints(kept)
	var visible, hidden []rules.Finding
	for _, f := range kept {
		if !f.Suppressed && opt.Baseline != nil && opt.Baseline.Has(f.Fingerprint) {
			f.Suppressed, f.SuppressedBy = true, "baseline"
		}
		if f.Suppressed {
			hidden = append(hidden, f)
		} else {
			visible = append(visible, f)
		}
	}
	res.Findings, res.Suppressed = visible, hidden
	sort.Slice(res.Errors, func(i, j int) bool { return res.Errors[i].RuleID < res.Errors[j].RuleID })
	res.Duration = time.Since(start)
	return res, nil
}

// runRule runs one rule, turning a panic into an error so that one broken
// rule cannot take the scan down.
func runRule(r *rules.Rule, pass *rules.Pass) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("rule %s crashed: %v\n%s", r.Code, p, debug.Stack())
		}
	}()
	return r.Run(pass)
}

// applySuppressions marks findings covered by ignore comments and returns
// the DJG001 findings for bare comments.
func applySuppressions(t *rules.Target, fs []rules.Finding, cfg *config.Config) []rules.Finding {
	cache := map[string]map[int][]suppression{}
	get := func(path string) map[int][]suppression {
		if m, ok := cache[path]; ok {
			return m
		}
		var m map[int][]suppression
		if f := t.File(path); f != nil {
			m = suppressions(f)
		}
		cache[path] = m
		return m
	}
	for i := range fs {
		f := &fs[i]
		if f.Path == "" || f.Line == 0 {
			continue
		}
		for _, s := range get(f.Path)[f.Line] {
			if s.covers(f.RuleID) {
				f.Suppressed = true
				f.SuppressedBy = fmt.Sprintf("comment at line %d", s.line)
				break
			}
		}
	}
	var bare []rules.Finding
	for _, file := range t.Files {
		m := get(file.Path)
		seen := map[int]bool{}
		for _, ss := range m {
			for _, s := range ss {
				if s.codes == nil && !seen[s.line] {
					seen[s.line] = true
					f := rules.Finding{Path: file.Path, Line: s.line, Column: s.col,
						Message: "suppression comment without rule codes hides every finding on its line",
						Source:  file.LineText(s.line)}
					f.Fill(BareSuppression)
					bare = append(bare, f)
				}
			}
		}
	}
	return bare
}
