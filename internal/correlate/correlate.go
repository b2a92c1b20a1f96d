// Package correlate holds the 6xx rules: they read a project's settings
// (from its static scan root) beside a probe of its live deployment, and
// report where the two disagree: the settings ask for a protection the live
// site does not have, which means a proxy strips it or another settings
// module is deployed.
package correlate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/djangoguard/djangoguard/internal/live"
	"github.com/djangoguard/djangoguard/internal/report"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// Input is the subject of the 6xx rules.
type Input struct {
	// Scan is the static scan's report; may be nil.
	Scan *report.Document
	// Probe is the live probe's report.
	Probe *live.Report
	// Settings are the project's settings modules; nil when the project
	// was not readable.
	Settings *Settings
}

func (in *Input) test(name string) *live.TestResult {
	if in.Probe == nil {
		return nil
	}
	for i := range in.Probe.Tests {
		if in.Probe.Tests[i].Name == name {
			return &in.Probe.Tests[i]
		}
	}
	return nil
}

func (in *Input) liveFindings(codes ...string) []rules.Finding {
	if in.Probe == nil {
		return nil
	}
	var out []rules.Finding
	for _, f := range in.Probe.Findings {
		for _, c := range codes {
			if f.RuleID == c {
				out = append(out, f)
			}
		}
	}
	return out
}

func (in *Input) url() string {
	if in.Probe == nil {
		return ""
	}
	return in.Probe.Target
}

// Run runs the correlation rules rs on in and returns their findings with
// fingerprints, sorted.
func Run(ctx context.Context, in *Input, rs []*rules.Rule) ([]rules.Finding, error) {
	var out []rules.Finding
	var errs []error
	for _, r := range rs {
		if r.Kind != rules.Correlation || r.Run == nil {
			continue
		}
		if err := ctx.Err(); err != nil {
			return out, err
		}
		pass := rules.NewPass(ctx, r, nil, in, func(f rules.Finding) { out = append(out, f) })
		if err := r.Run(pass); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.Code, err))
		}
	}
	rules.Sort(out)
	rules.SetFingerprints(out)
	if out == nil {
		out = []rules.Finding{}
	}
	return out, errors.Join(errs...)
}

// LoadScan reads a static scan's JSON report (docs/json-report.md).
func LoadScan(r io.Reader) (*report.Document, error) {
	var doc report.Document
	dec := json.NewDecoder(io.LimitReader(r, 256<<20))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("reading scan report: %w", err)
	}
	if doc.SchemaVersion != report.SchemaVersion || doc.Tool.Name == "" {
		return nil, fmt.Errorf("reading scan report: schema_version %d, want %d (is this a `djangoguard scan --format json` report?)", doc.SchemaVersion, report.SchemaVersion)
	}
	return &doc, nil
}

// LoadProbe reads a probe's JSON report (docs/probe.md). An array of
// reports is accepted when it holds exactly one.
func LoadProbe(r io.Reader) (*live.Report, error) {
	data, err := io.ReadAll(io.LimitReader(r, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("reading probe report: %w", err)
	}
	trimmed := strings.TrimSpace(string(data))
	var rep live.Report
	if strings.HasPrefix(trimmed, "[") {
		var reps []live.Report
		if err := json.Unmarshal(data, &reps); err != nil {
			return nil, fmt.Errorf("reading probe report: %w", err)
		}
		if len(reps) != 1 {
			return nil, fmt.Errorf("reading probe report: %d reports in the file, want one", len(reps))
		}
		rep = reps[0]
	} else if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("reading probe report: %w", err)
	}
	if rep.SchemaVersion != live.SchemaVersion || rep.Target == "" {
		return nil, errors.New("reading probe report: not a `djangoguard probe --format json` report (no schema_version or target)")
	}
	return &rep, nil
}

// LoadFiles builds an Input from a scan report file, a probe report file,
// and the project root (the scan's root when root is empty).
func LoadFiles(ctx context.Context, scanPath, probePath, root string) (*Input, error) {
	in := &Input{}
	f, err := os.Open(scanPath)
	if err != nil {
		return nil, err
	}
	in.Scan, err = LoadScan(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", scanPath, err)
	}
	f, err = os.Open(probePath)
	if err != nil {
		return nil, err
	}
	in.Probe, err = LoadProbe(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", probePath, err)
	}
	if root == "" {
		root = in.Scan.Root
	}
	if root != "" {
		if in.Settings, err = LoadSettings(ctx, root); err != nil {
			return nil, fmt.Errorf("reading the project's settings (use --root to point at it): %w", err)
		}
	}
	return in, nil
}

// LoadProbes reads a probe JSON file's reports: one object or an array.
func LoadProbes(data []byte) ([]*live.Report, error) {
	trimmed := strings.TrimSpace(string(data))
	var reps []*live.Report
	if strings.HasPrefix(trimmed, "[") {
		if err := json.Unmarshal(data, &reps); err != nil {
			return nil, fmt.Errorf("reading probe reports: %w", err)
		}
	} else {
		var r live.Report
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("reading probe report: %w", err)
		}
		reps = []*live.Report{&r}
	}
	for i, r := range reps {
		if r == nil || r.SchemaVersion != live.SchemaVersion || r.Target == "" {
			return nil, fmt.Errorf("report %d: not a `djangoguard probe --format json` report (no schema_version or target)", i+1)
		}
	}
	return reps, nil
}
