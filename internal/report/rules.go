package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// RuleInfo is the JSON form of a rule's metadata.
type RuleInfo struct {
	Code       string           `json:"code"`
	Name       string           `json:"name"`
	Title      string           `json:"title"`
	Severity   rules.Severity   `json:"severity"`
	Confidence rules.Confidence `json:"confidence"`
	Kind       string           `json:"kind"`
	OWASP      string           `json:"owasp"`
	CWE        string           `json:"cwe,omitempty"`
	Fix        string           `json:"fix"`
	Links      []string         `json:"links,omitempty"`
}

func ruleInfo(r *rules.Rule) RuleInfo {
	return RuleInfo{
		Code: r.Code, Name: r.Name, Title: r.Title, Severity: r.Severity, Confidence: r.Confidence,
		Kind: r.Kind.String(), OWASP: r.OWASPTitle(), CWE: r.CWEID(), Fix: r.Doc.Fix, Links: r.Doc.Links,
	}
}

// WriteRulesJSON writes the metadata of rs as a JSON array.
func WriteRulesJSON(w io.Writer, rs []*rules.Rule) error {
	out := make([]RuleInfo, len(rs))
	for i, r := range rs {
		out[i] = ruleInfo(r)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// WriteRulesTable writes one line per rule: code, severity, kind, title.
func WriteRulesTable(w io.Writer, rs []*rules.Rule) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tSEVERITY\tKIND\tOWASP\tCWE\tTITLE")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Code, r.Severity, r.Kind, r.OWASP, r.CWEID(), r.Title)
	}
	return tw.Flush()
}

// WriteExplain writes a rule's documentation for `djangoguard explain`.
func WriteExplain(w io.Writer, r *rules.Rule) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s\n\n", r.Code, r.Name, r.Title)
	fmt.Fprintf(&b, "Severity: %s   Confidence: %s   Kind: %s\n", r.Severity, r.Confidence, r.Kind)
	fmt.Fprintf(&b, "OWASP: %s\n", r.OWASPTitle())
	if c := r.CWEID(); c != "" {
		fmt.Fprintf(&b, "CWE: %s\n", c)
	}
	fmt.Fprintf(&b, "\nWhy it matters\n%s\n", indent(r.Doc.Why))
	if r.Doc.Bad != "" {
		fmt.Fprintf(&b, "\nBad\n%s\n", indent(r.Doc.Bad))
	}
	if r.Doc.Good != "" {
		fmt.Fprintf(&b, "\nGood\n%s\n", indent(r.Doc.Good))
	}
	fmt.Fprintf(&b, "\nFix\n%s\n", indent(r.Doc.Fix))
	if len(r.Doc.Links) > 0 {
		b.WriteString("\nLinks\n")
		for _, l := range r.Doc.Links {
			fmt.Fprintf(&b, "    %s\n", l)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = "    " + l
		}
	}
	return strings.Join(lines, "\n")
}

// WriteRulesMarkdown writes docs/rules.md: every rule with its full doc.
func WriteRulesMarkdown(w io.Writer, rs []*rules.Rule) error {
	var b strings.Builder
	b.WriteString("# djangoguard rules\n\n")
	b.WriteString("<!-- Generated from the rule registry by `go generate ./internal/catalog`; do not edit. -->\n\n")
	b.WriteString("Codes: 0xx the tool itself, 1xx settings and URLs, 2xx Python code, 3xx templates,\n")
	b.WriteString("4xx dependencies, 5xx live probe, 6xx static/live correlation.\n\n")
	b.WriteString("| Code | Name | Severity | Confidence | OWASP | CWE | Title |\n|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s | %s | %s | %s |\n", r.Code, strings.ToLower(r.Code), r.Name,
			r.Severity, r.Confidence, r.OWASP, r.CWEID(), mdEscape(r.Title))
	}
	for _, r := range rs {
		fmt.Fprintf(&b, "\n## %s\n\n**%s** (`%s`): %s, %s confidence, %s rule. %s", r.Code, mdEscape(r.Title), r.Name,
			r.Severity, r.Confidence, r.Kind, r.OWASPTitle())
		if c := r.CWEID(); c != "" {
			fmt.Fprintf(&b, ", %s", c)
		}
		b.WriteString(".\n\n")
		b.WriteString(strings.Join(strings.Fields(r.Doc.Why), " "))
		b.WriteString("\n\n")
		if r.Doc.Bad != "" {
			fmt.Fprintf(&b, "Bad:\n\n```\n%s\n```\n\n", strings.TrimRight(r.Doc.Bad, "\n"))
		}
		if r.Doc.Good != "" {
			fmt.Fprintf(&b, "Good:\n\n```\n%s\n```\n\n", strings.TrimRight(r.Doc.Good, "\n"))
		}
		fmt.Fprintf(&b, "Fix: %s\n", r.Doc.Fix)
		if len(r.Doc.Links) > 0 {
			b.WriteString("\n")
			for _, l := range r.Doc.Links {
				fmt.Fprintf(&b, "- <%s>\n", l)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
