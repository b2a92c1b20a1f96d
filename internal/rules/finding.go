package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
)

// Finding is one problem found by one rule.
type Finding struct {
	RuleID     string     `json:"rule_id"`
	Title      string     `json:"title"`
	Severity   Severity   `json:"severity"`
	Confidence Confidence `json:"confidence"`
	OWASP      string     `json:"owasp"` // e.g. "A05:2021 Security Misconfiguration"
	CWE        string     `json:"cwe"`   // e.g. "CWE-489", "" when none
	Message    string     `json:"message"`
	// Path is relative to the scanned root with forward slashes; empty for
	// findings about a live site or the project as a whole.
	Path      string `json:"path"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"end_line"`
	EndColumn int    `json:"end_column"`
	// Source is the text of the offending line, without its newline.
	Source string `json:"source,omitempty"`
	// Fix is the rule's one-line fix.
	Fix string `json:"fix,omitempty"`
	// URL is the address a live finding is about.
	URL string `json:"url,omitempty"`
	// Setting names the Django setting involved, when there is one.
	Setting *SettingRef `json:"setting,omitempty"`
	// SettingsModule is the settings module a finding was judged under.
	SettingsModule string `json:"settings_module,omitempty"`
	// DjangoCheck is the corresponding `manage.py check` ID, e.g. "security.W004".
	DjangoCheck string `json:"django_check,omitempty"`
	// Trace is the source-to-sink path of a taint finding.
	Trace []TraceStep `json:"trace,omitempty"`
	// Fingerprint identifies the finding across runs even when code moves up
	// or down in its file. Filled by SetFingerprints.
	Fingerprint string `json:"fingerprint"`
	// Suppressed is set when an ignore comment or a baseline hid the finding
	// (only shown with --show-suppressed).
	Suppressed   bool   `json:"suppressed,omitempty"`
	SuppressedBy string `json:"suppressed_by,omitempty"`
}

// SettingRef describes a Django setting a finding is about.
type SettingRef struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"` // effective value, secrets redacted
	Path  string `json:"path,omitempty"`  // where it was set
	Line  int    `json:"line,omitempty"`
	// Env is the environment variable the value is read from, if any.
	Env string `json:"env,omitempty"`
}

// TraceStep is one step of a source-to-sink path.
type TraceStep struct {
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

func (f *Finding) fill(r *Rule) {
	if r == nil {
		return
	}
	f.RuleID = r.Code
	if f.Title == "" {
		f.Title = r.Title
	}
	if f.Severity == 0 {
		f.Severity = r.Severity
	}
	if f.Confidence == 0 {
		f.Confidence = r.Confidence
	}
	if f.OWASP == "" {
		f.OWASP = r.OWASPTitle()
	}
	if f.CWE == "" {
		f.CWE = r.CWEID()
	}
	if f.Fix == "" {
		f.Fix = r.Doc.Fix
	}
	if f.Line > 0 && f.Column == 0 {
		f.Column = 1
	}
	if f.EndLine == 0 {
		f.EndLine = f.Line
	}
	if f.EndColumn == 0 && f.Column > 0 {
		f.EndColumn = f.Column
	}
}

// Fill completes a finding made outside a Pass (engine diagnostics) with the
// metadata of rule r.
func (f *Finding) Fill(r *Rule) { f.fill(r) }

// SetFingerprints gives each finding a fingerprint built from what does not
// change when lines are inserted above it: the rule, the path, the setting
// name, the whitespace-normalised source line (or the message when there is
// no source line), the URL, and the occurrence index among findings sharing
// all of those.
func SetFingerprints(fs []Finding) {
	seen := map[string]int{}
	for i := range fs {
		f := &fs[i]
		anchor := strings.Join(strings.Fields(f.Source), " ")
		if anchor == "" {
			anchor = f.Message
		}
		setting := ""
		if f.Setting != nil {
			setting = f.Setting.Name
		}
		key := strings.Join([]string{f.RuleID, f.Path, f.URL, f.SettingsModule, setting, anchor}, "\x00")
		n := seen[key]
		seen[key] = n + 1
		sum := sha256.Sum256([]byte(key + "\x00" + strconv.Itoa(n)))
		f.Fingerprint = hex.EncodeToString(sum[:16])
	}
}

// Sort orders findings by path, line, column, then rule code.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Message < b.Message
	})
}
