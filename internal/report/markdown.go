package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// maxMarkdownRows keeps a pull-request comment under the size code hosts
// accept; the rest is counted.
const maxMarkdownRows = 200

// WriteMarkdown writes a summary fit for a pull-request comment.
func WriteMarkdown(w io.Writer, doc *Document) error {
	bw := bufio.NewWriter(w)
	s := doc.Summary
	bw.WriteString("## djangoguard\n\n")
	if s.Total == 0 {
		fmt.Fprintf(bw, "No findings in %s.", plural(s.Files, "file", "files"))
		if s.Suppressed > 0 {
			fmt.Fprintf(bw, " %d suppressed.", s.Suppressed)
		}
		bw.WriteString("\n")
		return bw.Flush()
	}
	fmt.Fprintf(bw, "**%s** (%s)", plural(s.Total, "finding", "findings"), severityLine(s))
	if s.Suppressed > 0 {
		fmt.Fprintf(bw, ", %d suppressed", s.Suppressed)
	}
	bw.WriteString(".\n\n| Severity | Count |\n|---|---:|\n")
	for _, sev := range []rules.Severity{rules.Critical, rules.High, rules.Medium, rules.Low, rules.Info} {
		if n := s.BySeverity[sev.String()]; n > 0 {
			fmt.Fprintf(bw, "| %s %s | %d |\n", severityIcon(sev), sev, n)
		}
	}
	bw.WriteString("\n| OWASP Top 10 (2021) | Count |\n|---|---:|\n")
	for _, c := range owaspCounts(s.ByOWASP) {
		fmt.Fprintf(bw, "| %s | %d |\n", mdCell(c.Name), c.Count)
	}
	bw.WriteString("\n| | Rule | Where | Message |\n|---|---|---|---|\n")
	rows := append([]rules.Finding(nil), doc.Findings...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Severity > rows[j].Severity })
	for i, f := range rows {
		if i == maxMarkdownRows {
			fmt.Fprintf(bw, "\n…and %d more; see the full report.\n", len(doc.Findings)-maxMarkdownRows)
			break
		}
		where := f.Path
		if f.Line > 0 {
			where = fmt.Sprintf("%s:%d", f.Path, f.Line)
		}
		if where == "" {
			where = f.URL
		}
		fmt.Fprintf(bw, "| %s | `%s` %s | `%s` | %s |\n", severityIcon(f.Severity), f.RuleID, mdCell(f.Title),
			strings.ReplaceAll(where, "`", "'"), mdCell(f.Message))
	}
	bw.WriteString("\n<sub>Run `djangoguard explain CODE` for the fix of each rule.</sub>\n")
	return bw.Flush()
}

func severityIcon(s rules.Severity) string {
	switch s {
	case rules.Critical:
		return "🟥"
	case rules.High:
		return "🟧"
	case rules.Medium:
		return "🟨"
	case rules.Low:
		return "🟦"
	}
	return "⬜"
}

// mdCell makes s safe inside a table cell: no pipes, no newlines, no HTML.
func mdCell(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}
