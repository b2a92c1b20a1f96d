// Package report renders findings: text for terminals, JSON, SARIF 2.1.0
// for code-scanning services, and Markdown for pull-request comments. It
// also renders rule documentation (`rules`, `explain`, docs/rules.md).
package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// SchemaVersion is the version of the JSON report schema (docs/json-report.md).
const SchemaVersion = 1

// Document is one report: the findings of a scan or a probe.
type Document struct {
	SchemaVersion int             `json:"schema_version"`
	Tool          Tool            `json:"tool"`
	Root          string          `json:"root"`
	Findings      []rules.Finding `json:"findings"`
	// Suppressed holds hidden findings; written only when asked for
	// (--show-suppressed).
	Suppressed []rules.Finding `json:"suppressed,omitempty"`
	Errors     []Error         `json:"errors"`
	Summary    Summary         `json:"summary"`

	// Rules is the registry the findings come from (for SARIF rule
	// metadata and fixes). Not serialised.
	Rules *rules.Registry `json:"-"`
}

// Tool names the producer.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Error is a failure of the tool itself, reported beside the findings.
type Error struct {
	RuleID  string `json:"rule_id,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// Summary counts the findings.
type Summary struct {
	Total      int            `json:"total"`
	BySeverity map[string]int `json:"by_severity"`
	ByOWASP    map[string]int `json:"by_owasp"`
	Suppressed int            `json:"suppressed"`
	Files      int            `json:"files"`
	DurationMS int64          `json:"duration_ms"`
}

// NewDocument builds a document and its summary.
func NewDocument(version, root string, reg *rules.Registry, findings, suppressed []rules.Finding, errs []Error, files int, d time.Duration) *Document {
	if findings == nil {
		findings = []rules.Finding{}
	}
	if errs == nil {
		errs = []Error{}
	}
	doc := &Document{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "djangoguard", Version: version},
		Root:          root,
		Findings:      findings,
		Suppressed:    suppressed,
		Errors:        errs,
		Rules:         reg,
	}
	doc.Summary = Summary{
		Total:      len(findings),
		BySeverity: map[string]int{},
		ByOWASP:    map[string]int{},
		Suppressed: len(suppressed),
		Files:      files,
		DurationMS: d.Milliseconds(),
	}
	for _, s := range []rules.Severity{rules.Critical, rules.High, rules.Medium, rules.Low, rules.Info} {
		doc.Summary.BySeverity[s.String()] = 0
	}
	for _, f := range findings {
		doc.Summary.BySeverity[f.Severity.String()]++
		doc.Summary.ByOWASP[f.OWASP]++
	}
	return doc
}

// Formats lists the names accepted by Write.
var Formats = []string{"text", "json", "sarif", "markdown", "html"}

// Options tune the text format.
type Options struct {
	Color          bool // ANSI colours
	ShowSuppressed bool // list suppressed findings too
}

// Write renders doc in the named format.
func Write(w io.Writer, format string, doc *Document, opt Options) error {
	switch format {
	case "text", "":
		return WriteText(w, doc, opt)
	case "json":
		return WriteJSON(w, doc, opt.ShowSuppressed)
	case "sarif":
		return WriteSARIF(w, doc)
	case "markdown", "md":
		return WriteMarkdown(w, doc)
	case "html":
		return WriteHTML(w, doc)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

type count struct {
	Name  string
	Count int
}

// owaspCounts returns the OWASP categories by count, then name.
func owaspCounts(m map[string]int) []count {
	out := make([]count, 0, len(m))
	for k, v := range m {
		out = append(out, count{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// severityLine is "2 critical, 5 high, 1 low" (zero counts left out).
func severityLine(s Summary) string {
	var parts []string
	for _, sev := range []rules.Severity{rules.Critical, rules.High, rules.Medium, rules.Low, rules.Info} {
		if n := s.BySeverity[sev.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
