package templaterules

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/templates"
)

// parseKey is the Target.Memo key of one file's parse.
type parseKey struct{ path string }

// indexKey is the Target.Memo key of the template name index.
type indexKey struct{}

// parsed returns the parse of a template file, computed once per scan.
func parsed(t *rules.Target, f *rules.File) (*templates.Template, error) {
	v, err := t.Memo(parseKey{f.Path}, func() (any, error) {
		tpl, err := templates.Parse(f.Path, f.Content, templates.OptionsFor(f.Path))
		if err != nil {
			return nil, fmt.Errorf("parsing template %s: %w", f.Path, err)
		}
		return tpl, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*templates.Template), nil
}

// eachTemplate calls fn for every template file that parses, checking for
// cancellation between files. Files that cannot be parsed are skipped; their
// errors are returned joined only when reportErrors is set (one rule does
// it, so that each problem is reported once per scan).
func eachTemplate(pass *rules.Pass, reportErrors bool, fn func(t *templates.Template)) error {
	var errs []string
	for _, f := range pass.Target.FilesOf(rules.TemplateFile) {
		if err := pass.Context.Err(); err != nil {
			return fmt.Errorf("template rule %s interrupted: %w", pass.Rule.Code, err)
		}
		tpl, err := parsed(pass.Target, f)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		fn(tpl)
	}
	if reportErrors && len(errs) > 0 {
		return fmt.Errorf("%d template(s) not analysed: %s", len(errs), strings.Join(errs, "; "))
	}
	return nil
}

// report reports a finding spanning [start, end) of a template.
func report(pass *rules.Pass, t *templates.Template, start, end int, conf rules.Confidence, format string, args ...any) {
	reportTrace(pass, t, start, end, conf, nil, format, args...)
}

// reportTrace is report with the data flow that reaches the variable (from
// the view's source to its render call).
func reportTrace(pass *rules.Pass, t *templates.Template, start, end int, conf rules.Confidence, trace []rules.TraceStep, format string, args ...any) {
	l, c := t.Position(start)
	el, ec := t.Position(end)
	if el > l {
		// keep multi-line spans readable: end on the first line
		el, ec = l, c+lineLen(t.Src, start, maxSpan)
	}
	pass.Report(rules.Finding{
		Path: t.Path, Line: l, Column: c, EndLine: el, EndColumn: ec,
		Confidence: conf,
		Message:    fmt.Sprintf(format, args...),
		Source:     sourceLine(t.Src, start-(c-1)),
		Trace:      trace,
	})
}

// maxSourceLine bounds the source text kept with a finding: minified
// templates put a whole page on one line, and every finding would carry it.
const maxSourceLine = 400

// sourceLine returns the line starting at offset ls without its line
// ending, cut to maxSourceLine bytes (on a UTF-8 boundary) with "…".
func sourceLine(src []byte, ls int) string {
	n := lineLen(src, ls, maxSourceLine+utf8.UTFMax)
	line := src[ls : ls+n]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if len(line) <= maxSourceLine {
		return string(line)
	}
	cut := maxSourceLine
	for cut > 0 && !utf8.RuneStart(line[cut]) {
		cut--
	}
	return string(line[:cut]) + "…"
}

// maxSpan bounds the end column computed for a span that runs past its
// first line.
const maxSpan = 4096

// lineLen returns the length of the line from start to its end (or to
// limit bytes), so that findings on one huge line cost no more than limit.
func lineLen(src []byte, start, limit int) int {
	rest := src[start:min(len(src), start+limit)]
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		return i
	}
	return len(rest)
}

// templateIndex maps template names ("app/x.html") to files, for include
// resolution: a file is reachable by its path below the last templates/
// or jinja2/ directory, and by its full path.
type templateIndex map[string][]*rules.File

func index(t *rules.Target) templateIndex {
	v, _ := t.Memo(indexKey{}, func() (any, error) {
		idx := templateIndex{}
		for _, f := range t.FilesOf(rules.TemplateFile) {
			idx[f.Path] = append(idx[f.Path], f)
			p := f.Path
			for _, dir := range []string{"templates/", "jinja2/"} {
				if i := strings.LastIndex(p, "/"+dir); i >= 0 {
					name := p[i+len(dir)+1:]
					idx[name] = append(idx[name], f)
				} else if strings.HasPrefix(p, dir) {
					name := p[len(dir):]
					idx[name] = append(idx[name], f)
				}
			}
		}
		return idx, nil
	})
	return v.(templateIndex)
}

// resolve returns the files a template name can refer to.
func (idx templateIndex) resolve(name string) []*rules.File {
	name = path.Clean(strings.TrimPrefix(name, "./"))
	return idx[name]
}
