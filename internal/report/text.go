package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/fatih/color"

	"github.com/djangoguard/djangoguard/internal/rules"
)

type palette struct {
	path, code, dim, fix *color.Color
	sev                  map[rules.Severity]*color.Color
}

func newPalette(on bool) *palette {
	p := &palette{
		path: color.New(color.Bold),
		code: color.New(color.FgCyan, color.Bold),
		dim:  color.New(color.Faint),
		fix:  color.New(color.FgGreen),
		sev: map[rules.Severity]*color.Color{
			rules.Critical: color.New(color.FgHiRed, color.Bold),
			rules.High:     color.New(color.FgRed),
			rules.Medium:   color.New(color.FgYellow),
			rules.Low:      color.New(color.FgBlue),
			rules.Info:     color.New(color.Faint),
		},
	}
	for _, c := range append([]*color.Color{p.path, p.code, p.dim, p.fix}, p.sev[rules.Critical], p.sev[rules.High],
		p.sev[rules.Medium], p.sev[rules.Low], p.sev[rules.Info]) {
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return p
}

// WriteText writes findings grouped by file, ruff-style:
//
//	path:line:col: DJG101 [high] message
//	    | source line
//	    = fix: one-line fix
//
// then a summary by severity and OWASP category.
func WriteText(w io.Writer, doc *Document, opt Options) error {
	bw := bufio.NewWriter(w)
	p := newPalette(opt.Color)
	writeGroup(bw, p, doc.Findings)
	if opt.ShowSuppressed && len(doc.Suppressed) > 0 {
		fmt.Fprintf(bw, "%s\n\n", p.dim.Sprintf("Suppressed (%d):", len(doc.Suppressed)))
		writeGroup(bw, p, doc.Suppressed)
	}
	for _, e := range doc.Errors {
		where := e.Path
		if e.RuleID != "" {
			where = strings.TrimSpace(e.RuleID + " " + where)
		}
		fmt.Fprintf(bw, "%s %s: %s\n", p.sev[rules.High].Sprint("error:"), where, firstLine(e.Message))
	}
	if len(doc.Errors) > 0 {
		bw.WriteString("\n")
	}
	writeSummary(bw, p, doc)
	return bw.Flush()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func writeGroup(bw *bufio.Writer, p *palette, fs []rules.Finding) {
	for i, f := range fs {
		if i > 0 && fs[i-1].Path != f.Path {
			bw.WriteString("\n")
		}
		loc := f.Path
		switch {
		case loc == "" && f.URL != "":
			loc = f.URL
		case loc == "":
			loc = "(project)"
		case f.Line > 0:
			loc = fmt.Sprintf("%s:%d:%d", f.Path, f.Line, f.Column)
		}
		fmt.Fprintf(bw, "%s: %s %s %s", p.path.Sprint(loc), p.code.Sprint(f.RuleID),
			p.sev[f.Severity].Sprintf("[%s]", f.Severity), f.Message)
		if f.SettingsModule != "" {
			fmt.Fprintf(bw, " %s", p.dim.Sprintf("(settings: %s)", f.SettingsModule))
		}
		if f.Suppressed && f.SuppressedBy != "" {
			fmt.Fprintf(bw, " %s", p.dim.Sprintf("(suppressed by %s)", f.SuppressedBy))
		}
		bw.WriteString("\n")
		if src := strings.TrimRight(f.Source, " \t"); src != "" {
			fmt.Fprintf(bw, "    %s %s\n", p.dim.Sprint("|"), strings.ReplaceAll(src, "\t", "    "))
		}
		for n, step := range f.Trace {
			fmt.Fprintf(bw, "    %s %d. %s:%d:%d: %s\n", p.dim.Sprint("|"), n+1, step.Path, step.Line, step.Column, step.Message)
		}
		if f.Fix != "" {
			fmt.Fprintf(bw, "    %s %s\n", p.dim.Sprint("="), p.fix.Sprint("fix: "+f.Fix))
		}
	}
	if len(fs) > 0 {
		bw.WriteString("\n")
	}
}

func writeSummary(bw *bufio.Writer, p *palette, doc *Document) {
	s := doc.Summary
	if s.Total == 0 {
		fmt.Fprintf(bw, "No findings in %s.", plural(s.Files, "file", "files"))
	} else {
		fmt.Fprintf(bw, "Found %s (%s)", plural(s.Total, "finding", "findings"), severityLine(s))
		if s.Files > 0 {
			fmt.Fprintf(bw, " in %s", plural(s.Files, "file", "files"))
		}
		bw.WriteString(".")
	}
	if s.Suppressed > 0 {
		fmt.Fprintf(bw, " %d suppressed.", s.Suppressed)
	}
	bw.WriteString("\n")
	if s.Total > 0 {
		bw.WriteString("By OWASP Top 10 (2021) category:\n")
		for _, c := range owaspCounts(s.ByOWASP) {
			fmt.Fprintf(bw, "  %4d  %s\n", c.Count, c.Name)
		}
		fmt.Fprintf(bw, "%s\n", p.dim.Sprint("Run `djangoguard explain CODE` for why a rule matters and how to fix it."))
	}
}
