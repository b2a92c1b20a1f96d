// Package rules is djangoguard's rule and finding model, after
// golang.org/x/tools/go/analysis: a Rule is a value with a stable code,
// metadata, documentation and a Run function that reports Findings through a
// Pass. Rule sets live in the packages that own their subject (settings,
// code, templates, dependencies, live probes); the catalog package lists them
// all. Rules never import each other.
package rules

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Kind says what a rule looks at, and so which Pass fields it may use.
type Kind int

const (
	// Static rules read the scanned source tree (Pass.Target).
	Static Kind = iota
	// Live rules read the result of a probe of a running site (Pass.Subject).
	Live
	// Correlation rules read a static scan and a probe together (Pass.Subject).
	Correlation
)

func (k Kind) String() string {
	switch k {
	case Static:
		return "static"
	case Live:
		return "live"
	case Correlation:
		return "correlation"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Doc is the documentation `djangoguard explain CODE` prints.
type Doc struct {
	Why   string   // why it matters, a paragraph
	Bad   string   // an example of the mistake (code or configuration)
	Good  string   // the same thing done right
	Fix   string   // the fix in one line, shown under each finding
	Links []string // Django docs first, then OWASP / CWE / others
}

// Rule is one check. Rules are values; they hold no mutable state.
type Rule struct {
	Code       string // stable code: "DJG" + 3 digits
	Name       string // short kebab-case name, e.g. "debug-enabled"
	Title      string // one line
	Severity   Severity
	Confidence Confidence
	OWASP      string // OWASP Top 10 2021 category code, e.g. "A05"
	CWE        int    // CWE id, 0 when none applies
	Kind       Kind
	Doc        Doc
	// Run analyses the pass's subject and reports findings with
	// Pass.Report. A nil Run marks a rule whose findings are produced by the
	// engine itself (DJG000 diagnostics, DJG001 bare suppressions).
	Run func(*Pass) error
}

// OWASPTitle returns the full OWASP Top 10 2021 category name, e.g.
// "A05:2021 Security Misconfiguration".
func (r *Rule) OWASPTitle() string { return OWASPName(r.OWASP) }

// CWEID returns "CWE-n", or "" when the rule has no CWE.
func (r *Rule) CWEID() string {
	if r.CWE == 0 {
		return ""
	}
	return fmt.Sprintf("CWE-%d", r.CWE)
}

var owasp2021 = map[string]string{
	"A01": "Broken Access Control",
	"A02": "Cryptographic Failures",
	"A03": "Injection",
	"A04": "Insecure Design",
	"A05": "Security Misconfiguration",
	"A06": "Vulnerable and Outdated Components",
	"A07": "Identification and Authentication Failures",
	"A08": "Software and Data Integrity Failures",
	"A09": "Security Logging and Monitoring Failures",
	"A10": "Server-Side Request Forgery",
}

// OWASPName expands a category code such as "A05" to
// "A05:2021 Security Misconfiguration". Unknown codes are returned as given.
func OWASPName(code string) string {
	if n, ok := owasp2021[code]; ok {
		return code + ":2021 " + n
	}
	return code
}

var codeRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^DJG[0-9]{3}$`) })

// Validate reports what is wrong with a rule's metadata, or nil.
func (r *Rule) Validate() error {
	var problems []string
	if !codeRE().MatchString(r.Code) {
		problems = append(problems, "code must be DJG followed by three digits")
	}
	if r.Name == "" || strings.ToLower(r.Name) != r.Name || strings.ContainsAny(r.Name, " _") {
		problems = append(problems, "name must be kebab-case")
	}
	if r.Title == "" || strings.Contains(r.Title, "\n") {
		problems = append(problems, "title must be one non-empty line")
	}
	if _, ok := owasp2021[r.OWASP]; !ok {
		problems = append(problems, "unknown OWASP category "+r.OWASP)
	}
	if r.Doc.Why == "" || r.Doc.Fix == "" {
		problems = append(problems, "doc needs why and fix")
	}
	if len(problems) > 0 {
		return fmt.Errorf("rule %s: %s", r.Code, strings.Join(problems, "; "))
	}
	return nil
}

// Pass is what a rule's Run receives: the subject to analyse and a way to
// report. A Pass is used by one rule on one goroutine.
type Pass struct {
	Context context.Context
	Rule    *Rule
	// Target is the scanned tree, for Static rules.
	Target *Target
	// Subject is the probe result (Live) or the pair of reports
	// (Correlation); its concrete type belongs to the package that defines
	// those rules.
	Subject any

	report func(Finding)
}

// NewPass makes a pass for rule that hands every finding to report.
func NewPass(ctx context.Context, r *Rule, t *Target, subject any, report func(Finding)) *Pass {
	return &Pass{Context: ctx, Rule: r, Target: t, Subject: subject, report: report}
}

// Report records a finding. Rule metadata (code, title, severity when unset,
// confidence when unset, OWASP, CWE, fix) is filled in from the pass's rule,
// and the source line is read from the target when the finding names a file.
func (p *Pass) Report(f Finding) {
	f.fill(p.Rule)
	if f.Source == "" && f.Path != "" && f.Line > 0 && p.Target != nil {
		if file := p.Target.File(f.Path); file != nil {
			f.Source = file.LineText(f.Line)
		}
	}
	f.Source = TruncateSource(f.Source)
	p.report(f)
}

// Reportf reports a finding at a position in a file of the target.
func (p *Pass) Reportf(path string, line, col int, format string, args ...any) {
	p.Report(Finding{Path: path, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
}

// Registry is an ordered, read-only set of rules keyed by code.
type Registry struct {
	rules  []*Rule
	byCode map[string]*Rule
}

// NewRegistry checks every rule and returns them ordered by code. Duplicate
// codes or names, and invalid metadata, are errors.
func NewRegistry(rs ...*Rule) (*Registry, error) {
	reg := &Registry{byCode: make(map[string]*Rule, len(rs))}
	names := map[string]string{}
	for _, r := range rs {
		if err := r.Validate(); err != nil {
			return nil, err
		}
		if _, dup := reg.byCode[r.Code]; dup {
			return nil, fmt.Errorf("rule %s registered twice", r.Code)
		}
		if other, dup := names[r.Name]; dup {
			return nil, fmt.Errorf("rules %s and %s share the name %q", other, r.Code, r.Name)
		}
		names[r.Name] = r.Code
		reg.byCode[r.Code] = r
		reg.rules = append(reg.rules, r)
	}
	sort.Slice(reg.rules, func(i, j int) bool { return reg.rules[i].Code < reg.rules[j].Code })
	return reg, nil
}

// All returns every rule ordered by code. The slice must not be modified.
func (r *Registry) All() []*Rule { return r.rules }

// Lookup returns the rule with the given code (case-insensitive) or nil.
func (r *Registry) Lookup(code string) *Rule { return r.byCode[strings.ToUpper(code)] }

// OfKind returns the rules of one kind, ordered by code.
func (r *Registry) OfKind(k Kind) []*Rule {
	var out []*Rule
	for _, rule := range r.rules {
		if rule.Kind == k {
			out = append(out, rule)
		}
	}
	return out
}

// MaxSourceLen bounds the source line a finding carries: a minified file
// with thousands of findings on one line must not copy it thousands of times.
const MaxSourceLen = 400

// TruncateSource cuts s to MaxSourceLen bytes on a UTF-8 boundary, marking
// the cut with "…".
func TruncateSource(s string) string {
	if len(s) <= MaxSourceLen {
		return s
	}
	cut := MaxSourceLen
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
