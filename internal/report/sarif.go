package report

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/djangoguard/djangoguard/internal/rules"
)

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	srcRoot      = "%SRCROOT%"
	infoURI      = "https://github.com/djangoguard/djangoguard"
	fingerprintK = "djangoguard/v1"
)

// securitySeverity maps a severity to the CVSS-like score GitHub code
// scanning reads from the "security-severity" property (over 9.0 critical,
// 7.0 to 8.9 high, 4.0 to 6.9 medium, 0.1 to 3.9 low).
func securitySeverity(s rules.Severity) string {
	switch s {
	case rules.Critical:
		return "9.5"
	case rules.High:
		return "8.0"
	case rules.Medium:
		return "5.5"
	case rules.Low:
		return "3.0"
	}
	return "0.0"
}

func sarifLevel(s rules.Severity) string {
	switch s {
	case rules.Critical, rules.High:
		return "error"
	case rules.Medium:
		return "warning"
	}
	return "note"
}

func ptr[T any](v T) *T { return &v }

// WriteSARIF writes a SARIF 2.1.0 log that GitHub code scanning accepts:
// one rule descriptor per rule that has findings (with help text and
// security-severity), results with partialFingerprints and URIs relative to
// %SRCROOT%, and codeFlows for source-to-sink traces.
func WriteSARIF(w io.Writer, doc *Document) error {
	driver := &sarif.ToolComponent{
		Name:            "djangoguard",
		Version:         ptr(doc.Tool.Version),
		SemanticVersion: nil,
		InformationURI:  ptr(infoURI),
		Rules:           []*sarif.ReportingDescriptor{},
	}
	run := &sarif.Run{Tool: sarif.Tool{Driver: driver}, Results: []*sarif.Result{}}
	if doc.Root != "" && !strings.Contains(doc.Root, "://") {
		u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(doc.Root)}).String()
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		run.OriginalUriBaseIDs = map[string]*sarif.ArtifactLocation{srcRoot: {URI: ptr(u)}}
	}

	index := map[string]uint{}
	ruleIndex := func(f *rules.Finding) uint {
		if i, ok := index[f.RuleID]; ok {
			return i
		}
		var r *rules.Rule
		if doc.Rules != nil {
			r = doc.Rules.Lookup(f.RuleID)
		}
		driver.Rules = append(driver.Rules, descriptor(r, f))
		i := uint(len(driver.Rules) - 1)
		index[f.RuleID] = i
		return i
	}

	for i := range doc.Findings {
		f := &doc.Findings[i]
		res := &sarif.Result{
			RuleID:    ptr(f.RuleID),
			RuleIndex: ptr(ruleIndex(f)),
			Level:     ptr(sarifLevel(f.Severity)),
			Message:   sarif.Message{Text: ptr(f.Message)},
			PartialFingerprints: map[string]interface{}{
				fingerprintK: f.Fingerprint,
			},
		}
		if loc := location(f.Path, f.URL, f.Line, f.Column, f.EndLine, f.EndColumn, f.Source); loc != nil {
			res.Locations = []*sarif.Location{loc}
		}
		if len(f.Trace) > 0 {
			tf := &sarif.ThreadFlow{}
			for _, st := range f.Trace {
				l := location(st.Path, "", st.Line, st.Column, 0, 0, "")
				if l == nil {
					continue
				}
				l.Message = &sarif.Message{Text: ptr(st.Message)}
				tf.Locations = append(tf.Locations, &sarif.ThreadFlowLocation{Location: l})
			}
			if len(tf.Locations) > 0 {
				res.CodeFlows = []*sarif.CodeFlow{{ThreadFlows: []*sarif.ThreadFlow{tf}}}
			}
		}
		props := sarif.Properties{}
		if f.Setting != nil {
			props["setting"] = f.Setting.Name
		}
		if f.DjangoCheck != "" {
			props["django_check"] = f.DjangoCheck
		}
		if f.SettingsModule != "" {
			props["settings_module"] = f.SettingsModule
		}
		props["confidence"] = f.Confidence.String()
		res.Properties = props
		run.Results = append(run.Results, res)
	}

	if len(doc.Errors) > 0 {
		inv := &sarif.Invocation{ExecutionSuccessful: ptr(true)}
		for _, e := range doc.Errors {
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, &sarif.Notification{
				Level:   "error",
				Message: &sarif.Message{Text: ptr(strings.TrimSpace(e.RuleID + " " + e.Path + ": " + firstLine(e.Message)))},
			})
		}
		run.Invocations = []*sarif.Invocation{inv}
	}

	log := &sarif.Report{Version: "2.1.0", Schema: sarifSchema, Runs: []*sarif.Run{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

func location(path, rawURL string, line, col, endLine, endCol int, snippet string) *sarif.Location {
	al := &sarif.ArtifactLocation{}
	switch {
	case path != "":
		al.URI = ptr(uriPath(path))
		al.URIBaseId = ptr(srcRoot)
	case rawURL != "":
		al.URI = ptr(rawURL)
	default:
		return nil
	}
	pl := &sarif.PhysicalLocation{ArtifactLocation: al}
	if line > 0 {
		r := &sarif.Region{StartLine: ptr(line)}
		if col > 0 {
			r.StartColumn = ptr(col)
		}
		if endLine >= line {
			r.EndLine = ptr(endLine)
			if endCol > 0 && (endLine > line || endCol >= col) {
				r.EndColumn = ptr(endCol)
			}
		}
		if snippet != "" {
			r.Snippet = &sarif.ArtifactContent{Text: ptr(snippet)}
		}
		pl.Region = r
	}
	return &sarif.Location{PhysicalLocation: pl}
}

// uriPath percent-encodes a relative slash path as a URI reference.
func uriPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

func descriptor(r *rules.Rule, f *rules.Finding) *sarif.ReportingDescriptor {
	if r == nil {
		// A finding from a rule outside the registry: describe it from the
		// finding itself.
		return &sarif.ReportingDescriptor{
			ID:               f.RuleID,
			ShortDescription: &sarif.MultiformatMessageString{Text: ptr(f.Title)},
			Properties: sarif.Properties{
				"security-severity": securitySeverity(f.Severity),
				"tags":              []string{"security"},
			},
		}
	}
	tags := []string{"security"}
	if c := r.CWEID(); c != "" {
		tags = append(tags, "external/cwe/"+strings.ToLower(c))
	}
	tags = append(tags, "owasp-"+strings.ToLower(r.OWASP)+":2021")
	help := helpText(r)
	d := &sarif.ReportingDescriptor{
		ID:               r.Code,
		Name:             ptr(camel(r.Name)),
		ShortDescription: &sarif.MultiformatMessageString{Text: ptr(r.Title)},
		FullDescription:  &sarif.MultiformatMessageString{Text: ptr(strings.Join(strings.Fields(r.Doc.Why), " "))},
		Help:             &sarif.MultiformatMessageString{Text: ptr(help), Markdown: ptr(helpMarkdown(r))},
		DefaultConfiguration: &sarif.ReportingConfiguration{
			Level: sarifLevel(r.Severity),
		},
		Properties: sarif.Properties{
			"security-severity": securitySeverity(r.Severity),
			"precision":         precision(r.Confidence),
			"tags":              tags,
		},
	}
	if len(r.Doc.Links) > 0 {
		d.HelpURI = ptr(r.Doc.Links[0])
	}
	return d
}

func precision(c rules.Confidence) string {
	switch c {
	case rules.HighConfidence:
		return "high"
	case rules.MediumConfidence:
		return "medium"
	}
	return "low"
}

// camel turns "debug-enabled" into "DebugEnabled" (SARIF rule names are
// conventionally PascalCase identifiers).
func camel(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func helpText(r *rules.Rule) string {
	var b strings.Builder
	b.WriteString(strings.Join(strings.Fields(r.Doc.Why), " "))
	fmt.Fprintf(&b, "\n\nFix: %s", r.Doc.Fix)
	for _, l := range r.Doc.Links {
		fmt.Fprintf(&b, "\n%s", l)
	}
	return b.String()
}

func helpMarkdown(r *rules.Rule) string {
	var b strings.Builder
	b.WriteString(strings.Join(strings.Fields(r.Doc.Why), " "))
	if r.Doc.Bad != "" {
		fmt.Fprintf(&b, "\n\nBad:\n\n```python\n%s\n```", strings.TrimRight(r.Doc.Bad, "\n"))
	}
	if r.Doc.Good != "" {
		fmt.Fprintf(&b, "\n\nGood:\n\n```python\n%s\n```", strings.TrimRight(r.Doc.Good, "\n"))
	}
	fmt.Fprintf(&b, "\n\n**Fix:** %s", r.Doc.Fix)
	if len(r.Doc.Links) > 0 {
		b.WriteString("\n")
		for _, l := range r.Doc.Links {
			fmt.Fprintf(&b, "\n- <%s>", l)
		}
	}
	return b.String()
}
