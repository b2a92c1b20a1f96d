package scan

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// Baseline is a set of finding fingerprints recorded earlier; findings in it
// are hidden so that only new ones are reported.
type Baseline struct {
	SchemaVersion int             `json:"schema_version"`
	Tool          string          `json:"tool"`
	Findings      []BaselineEntry `json:"findings"`
	set           map[string]bool
}

// BaselineEntry records one finding; only the fingerprint is used to match,
// the rest helps a reader of the file.
type BaselineEntry struct {
	Fingerprint string `json:"fingerprint"`
	RuleID      string `json:"rule_id"`
	Path        string `json:"path,omitempty"`
	Line        int    `json:"line,omitempty"`
	Message     string `json:"message"`
}

// Has reports whether the baseline holds fingerprint fp.
func (b *Baseline) Has(fp string) bool { return b.set[fp] }

// NewBaseline records the given findings.
func NewBaseline(fs []rules.Finding) *Baseline {
	b := &Baseline{SchemaVersion: 1, Tool: "djangoguard", Findings: []BaselineEntry{}, set: map[string]bool{}}
	for _, f := range fs {
		if b.set[f.Fingerprint] {
			continue
		}
		b.set[f.Fingerprint] = true
		b.Findings = append(b.Findings, BaselineEntry{Fingerprint: f.Fingerprint, RuleID: f.RuleID, Path: f.Path, Line: f.Line, Message: f.Message})
	}
	return b
}

// Write writes the baseline as indented JSON.
func (b *Baseline) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(b)
}

// LoadBaseline reads a baseline file written by Write.
func LoadBaseline(path string) (*Baseline, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading baseline: %w", err)
	}
	defer f.Close()
	var b Baseline
	dec := json.NewDecoder(io.LimitReader(f, 256<<20))
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("baseline %s: not a djangoguard baseline: %w", path, err)
	}
	if b.SchemaVersion != 1 {
		return nil, fmt.Errorf("baseline %s: unsupported schema_version %d (want 1)", path, b.SchemaVersion)
	}
	b.set = make(map[string]bool, len(b.Findings))
	for _, e := range b.Findings {
		if e.Fingerprint == "" {
			return nil, fmt.Errorf("baseline %s: an entry has no fingerprint", path)
		}
		b.set[e.Fingerprint] = true
	}
	return &b, nil
}
