package report

import (
	"fmt"
	"html"
	"html/template"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// HTMLReport is what one self-contained HTML page shows: a static scan,
// probes of live sites, correlations between them, and a grade history.
// Any part may be empty.
type HTMLReport struct {
	Title     string
	Generated time.Time // zero: not shown (golden files)
	Version   string
	Static    *Document
	Probes    []HTMLProbe
	// Correlations are 6xx findings (static and live together).
	Correlations []rules.Finding
	History      []HistoryPoint
}

// HTMLProbe is one probed site (a live.Report, without importing live).
type HTMLProbe struct {
	Target          string
	Grade           string
	Score           int
	TestsPassed     int
	TestsQuantity   int
	Graded          bool
	NotGradedReason string
	Tests           []HTMLTest
	Findings        []rules.Finding
	Errors          []string
	Warnings        []string
}

// HTMLTest is one Observatory test result.
type HTMLTest struct {
	Name          string
	Result        string
	Description   string
	ScoreModifier int
	Pass          bool
}

// HistoryPoint is one finished scan on a grade chart.
type HistoryPoint struct {
	When  time.Time
	Grade string
	Score int
}

// WriteHTML renders a static scan's document as one HTML page.
func WriteHTML(w io.Writer, doc *Document) error {
	title := "djangoguard scan"
	if doc.Root != "" {
		title += " of " + doc.Root
	}
	return WriteHTMLReport(w, &HTMLReport{Title: title, Version: doc.Tool.Version, Static: doc})
}

// WriteHTMLReport renders r as one self-contained HTML file: inline CSS and
// SVG, no script, and a CSP that forbids any request.
func WriteHTMLReport(w io.Writer, r *HTMLReport) error {
	v := htmlView{R: r}
	var all []rules.Finding
	if r.Static != nil {
		all = append(all, r.Static.Findings...)
	}
	for _, p := range r.Probes {
		all = append(all, p.Findings...)
	}
	all = append(all, r.Correlations...)
	v.Total = len(all)
	counts := map[string]int{}
	for _, f := range all {
		counts[f.Severity.String()]++
	}
	for _, s := range []rules.Severity{rules.Critical, rules.High, rules.Medium, rules.Low, rules.Info} {
		v.Severities = append(v.Severities, count{s.String(), counts[s.String()]})
	}
	v.SeverityChart = severityChartSVG(v.Severities)
	if len(r.History) > 0 {
		v.HistoryChart = HistoryChartSVG(r.History, 640, 220)
	}
	if r.Static != nil {
		v.StaticFindings = sortBySeverity(r.Static.Findings)
	}
	for _, p := range r.Probes {
		p.Findings = sortBySeverity(p.Findings)
		v.Probes = append(v.Probes, p)
	}
	v.Correlations = sortBySeverity(r.Correlations)
	return htmlTemplate().Execute(w, v)
}

type htmlView struct {
	R              *HTMLReport
	Total          int
	Severities     []count
	SeverityChart  template.HTML
	HistoryChart   template.HTML
	StaticFindings []rules.Finding
	Probes         []HTMLProbe
	Correlations   []rules.Finding
}

func sortBySeverity(fs []rules.Finding) []rules.Finding {
	out := append([]rules.Finding(nil), fs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Severity > out[j].Severity })
	return out
}

// GradeRank orders grades: A+ is 0, F is 12, anything else (no grade) 99.
func GradeRank(g string) int {
	for i, x := range []string{"A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F"} {
		if g == x {
			return i
		}
	}
	return 99
}

// GradeClass is a CSS class for a grade: "ga", "gb", "gc", "gd", "gf", "gn".
func GradeClass(g string) string {
	if g == "" {
		return "gn"
	}
	switch g[0] {
	case 'A', 'B', 'C', 'D', 'F':
		return "g" + strings.ToLower(g[:1])
	}
	return "gn"
}

var severityColors = map[string]string{"critical": "#7b1fa2", "high": "#c62828", "medium": "#ef6c00", "low": "#f9a825", "info": "#607d8b"}

// severityChartSVG draws a horizontal bar per severity.
func severityChartSVG(cs []count) template.HTML {
	max := 1
	for _, c := range cs {
		if c.Count > max {
			max = c.Count
		}
	}
	var b strings.Builder
	h := 24*len(cs) + 8
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="420" height="%d" viewBox="0 0 420 %d" role="img" aria-label="findings by severity">`, h, h)
	for i, c := range cs {
		y := 4 + 24*i
		wd := 300 * c.Count / max
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="13" fill="#333">%s</text>`, y+15, html.EscapeString(c.Name))
		fmt.Fprintf(&b, `<rect x="70" y="%d" width="%d" height="18" fill="%s"/>`, y+2, wd, severityColors[c.Name])
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="#333">%d</text>`, 76+wd, y+15, c.Count)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built from numbers and escaped names
}

// HistoryChartSVG draws the score of each scan over time (oldest left),
// with the grade as each point's label and grade bands behind.
func HistoryChartSVG(points []HistoryPoint, width, height int) template.HTML {
	pts := append([]HistoryPoint(nil), points...)
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].When.Before(pts[j].When) })
	const left, right, top, bottom = 44, 16, 12, 36
	pw, ph := float64(width-left-right), float64(height-top-bottom)
	maxScore := 135.0
	y := func(score int) float64 {
		s := float64(score)
		s = min(max(s, 0), maxScore)
		return float64(top) + ph*(1-s/maxScore)
	}
	x := func(i int) float64 {
		if len(pts) == 1 {
			return float64(left) + pw/2
		}
		return float64(left) + pw*float64(i)/float64(len(pts)-1)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart history" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="score history">`, width, height, width, height)
	for _, band := range []struct {
		label string
		from  int
		color string
	}{{"A", 85, "#e8f5e9"}, {"B", 65, "#f1f8e9"}, {"C", 45, "#fffde7"}, {"D", 25, "#fff3e0"}, {"F", 0, "#ffebee"}} {
		upper := 135
		switch band.label {
		case "B":
			upper = 85
		case "C":
			upper = 65
		case "D":
			upper = 45
		case "F":
			upper = 25
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, left, y(upper), pw, y(band.from)-y(upper), band.color)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="11" fill="#666">%s %d</text>`, 2, y(band.from)-3, band.label, band.from)
	}
	if len(pts) > 0 {
		var poly []string
		for i, p := range pts {
			poly = append(poly, fmt.Sprintf("%.1f,%.1f", x(i), y(p.Score)))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="#1565c0" stroke-width="2" points="%s"/>`, strings.Join(poly, " "))
		step := 1
		if len(pts) > 12 {
			step = (len(pts) + 11) / 12
		}
		for i, p := range pts {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="#1565c0"><title>%s: %s (%d)</title></circle>`,
				x(i), y(p.Score), html.EscapeString(p.When.UTC().Format("2006-01-02 15:04")), html.EscapeString(p.Grade), p.Score)
			if i%step == 0 || i == len(pts)-1 {
				// Keep the end labels inside the plot.
				anchor := "middle"
				switch {
				case len(pts) == 1:
				case i == 0:
					anchor = "start"
				case i == len(pts)-1:
					anchor = "end"
				}
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="%s" fill="#0d47a1">%s</text>`, x(i), y(p.Score)-8, anchor, html.EscapeString(p.Grade))
				fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="10" text-anchor="%s" fill="#555">%s</text>`, x(i), height-bottom+16, anchor, html.EscapeString(p.When.UTC().Format("01-02 15:04")))
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // numbers and escaped text only
}

// ReportCSS is the stylesheet of the HTML report (also used by serve).
const ReportCSS = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
h1{font-size:24px}h2{font-size:20px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border-bottom:1px solid #e0e0e0;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0}
.grade{display:inline-block;min-width:56px;text-align:center;font-size:28px;font-weight:700;border-radius:8px;padding:4px 10px;color:#fff}
.ga{background:#2e7d32}.gb{background:#689f38}.gc{background:#f9a825}.gd{background:#ef6c00}.gf{background:#c62828}.gn{background:#9e9e9e}
.sev{display:inline-block;border-radius:4px;padding:0 6px;color:#fff;font-size:12px;text-transform:uppercase}
.sev-critical{background:#7b1fa2}.sev-high{background:#c62828}.sev-medium{background:#ef6c00}.sev-low{background:#f9a825;color:#222}.sev-info{background:#607d8b}
.finding{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:8px 12px;margin:8px 0}
.finding .fix{color:#1b5e20}.finding code,pre{background:#f5f5f5;padding:1px 4px;border-radius:3px;overflow-x:auto}
.pass{color:#2e7d32}.fail{color:#c62828}.muted{color:#666;font-size:13px}
.chart{max-width:100%;height:auto;background:#fff;border:1px solid #e0e0e0;border-radius:6px}
`

var htmlFuncs = template.FuncMap{
	"gradeClass": GradeClass,
	"signed": func(n int) string {
		if n > 0 {
			return fmt.Sprintf("+%d", n)
		}
		return fmt.Sprint(n)
	},
	"css": func() template.CSS { return template.CSS(ReportCSS) },
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
}

// htmlTemplate is parsed on first use, not at start-up: most runs never
// write HTML.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(htmlFuncs).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.R.Title}}</title>
<style>{{css}}</style>
</head>
<body>
<main>
<h1>{{.R.Title}}</h1>
<p class="muted">djangoguard {{.R.Version}}{{with date .R.Generated}} · generated {{.}}{{end}}</p>

<h2>Summary</h2>
{{range .Probes}}<p><span class="grade {{gradeClass .Grade}}">{{if .Grade}}{{.Grade}}{{else}}?{{end}}</span>
 <strong>{{.Target}}</strong>{{if .TestsQuantity}}: score {{.Score}}, {{.TestsPassed}}/{{.TestsQuantity}} Observatory tests passed{{if not .Graded}} (not graded: {{.NotGradedReason}}){{end}}{{else}}: the probe failed{{end}}</p>
{{end}}<p>{{.Total}} finding{{if ne .Total 1}}s{{end}}{{if .R.Static}} · static scan of {{.R.Static.Summary.Files}} files{{end}}</p>
{{.SeverityChart}}
{{if .HistoryChart}}<h2>Grade history</h2>
{{.HistoryChart}}
{{end}}
{{range .Probes}}<h2>Live: {{.Target}}</h2>
{{range .Errors}}<p class="fail">error: {{.}}</p>
{{end}}{{range .Warnings}}<p class="muted">warning: {{.}}</p>
{{end}}{{if .Tests}}<table>
<tr><th>Test</th><th>Result</th><th>Score</th><th>Meaning</th></tr>
{{range .Tests}}<tr><td>{{.Name}}</td><td class="{{if .Pass}}pass{{else}}fail{{end}}">{{if .Pass}}✓{{else}}✗{{end}} {{.Result}}</td><td>{{signed .ScoreModifier}}</td><td>{{.Description}}</td></tr>
{{end}}</table>
{{end}}{{template "findings" .Findings}}
{{end}}
{{if .Correlations}}<h2>Static and live together</h2>
{{template "findings" .Correlations}}
{{end}}
{{if .R.Static}}<h2>Static scan{{with .R.Static.Root}}: {{.}}{{end}}</h2>
{{range .R.Static.Errors}}<p class="fail">error{{with .Path}} in {{.}}{{end}}: {{.Message}}</p>
{{end}}{{template "findings" .StaticFindings}}
{{end}}
</main>
</body>
</html>
{{define "findings"}}{{if not .}}<p class="pass">No findings.</p>
{{else}}{{range .}}<div class="finding">
<span class="sev sev-{{.Severity}}">{{.Severity}}</span> <strong>{{.RuleID}}</strong> {{.Title}}
<div>{{.Message}}</div>
{{if .Path}}<div class="muted">{{.Path}}{{if .Line}}:{{.Line}}{{end}}</div>{{end}}{{with .Source}}<pre>{{.}}</pre>{{end}}{{with .URL}}<div class="muted">{{.}}</div>{{end}}
{{with .Fix}}<div class="fix">Fix: {{.}}</div>{{end}}
<div class="muted">{{.OWASP}}{{with .CWE}} · {{.}}{{end}}{{with .DjangoCheck}} · Django check {{.}}{{end}}</div>
</div>
{{end}}{{end}}{{end}}`))
})
