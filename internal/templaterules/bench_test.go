package templaterules

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// benchTarget generates a project of n templates shaped like a real site:
// a base layout, list pages, form pages (some including a csrf partial) and
// detail pages with scripts.
func benchTarget(n int) (*rules.Target, int) {
	var files []*rules.File
	total := 0
	add := func(p, c string) {
		files = append(files, &rules.File{Path: p, Kind: rules.TemplateFile, Content: []byte(c)})
		total += len(c)
	}
	add("app/templates/partials/csrf.html", "{% csrf_token %}\n")
	for i := 0; i < n; i++ {
		var b strings.Builder
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, `{%% load static %%}<!DOCTYPE html><html lang="{{ LANGUAGE_CODE }}"><head><title>{%% block title %%}{%% endblock %%}</title>
<link rel="stylesheet" href="https://cdn.example.com/%d/site.css"><script src="{%% static 'app.js' %%}"></script></head>
<body>{%% for item in menu %%}<a href="{{ item.url }}" target="_blank">{{ item.label }}</a>{%% endfor %%}
{%% block content %%}{%% endblock %%}<script>var cfg = {{ cfg|safe }};</script></body></html>
`, i)
		case 1:
			b.WriteString("{% extends \"base.html\" %}{% block content %}<table>\n")
			for r := 0; r < 40; r++ {
				fmt.Fprintf(&b, "<tr class=%s><td><a href=\"{%% url 'x' o.pk %%}\">{{ o.name }}</a></td><td onclick=\"pick({{ o.pk }})\">{{ o.total|floatformat:2 }}</td></tr>\n", []string{"odd", "{{ row_class }}"}[r%2])
			}
			b.WriteString("</table>{% endblock %}\n")
		case 2:
			b.WriteString("{% extends \"base.html\" %}{% block content %}\n")
			for f := 0; f < 10; f++ {
				inc := "{% csrf_token %}"
				if f%2 == 0 {
					inc = `{% include "partials/csrf.html" %}`
				}
				fmt.Fprintf(&b, "<form method=\"post\" action=\"{%% url 'e' %d %%}\">%s{{ form.as_p }}<button onclick=\"return confirm('{{ msg|escapejs }}')\">Save</button></form>\n", f, inc)
			}
			b.WriteString("{% endblock %}\n")
		case 3:
			fmt.Fprintf(&b, `{%% extends "base.html" %%}{%% block content %%}<article><h1>{{ a.title }}</h1>{{ a.body|linebreaks }}
{{ chart|json_script:"c%d" }}<script>const d = JSON.parse(document.getElementById("c%d").textContent); const n = "{{ a.author|escapejs }}";</script>
</article>{%% endblock %%}
`, i, i)
		}
		add(fmt.Sprintf("app/templates/app/page%04d.html", i), b.String())
	}
	files = append(files, &rules.File{Path: "config/settings.py", Kind: rules.PythonFile,
		Content: []byte("MIDDLEWARE = ['csp.middleware.CSPMiddleware']\n")})
	return rules.NewTarget("/bench", sortFiles(files)), total
}

func sortFiles(fs []*rules.File) []*rules.File {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].Path < fs[j-1].Path; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
	return fs
}

// BenchmarkRules runs all 3xx rules over a fresh 400-template project per
// iteration (parsing included, as in a scan); it reports templates/s and
// MB/s.
func BenchmarkRules(b *testing.B) {
	_, total := benchTarget(400)
	b.SetBytes(int64(total))
	findings := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		tg, _ := benchTarget(400)
		b.StartTimer()
		for _, r := range Rules() {
			err := r.Run(rules.NewPass(context.Background(), r, tg, nil, func(rules.Finding) { findings++ }))
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(401*b.N)/b.Elapsed().Seconds(), "templates/s")
	b.ReportMetric(float64(findings)/float64(b.N), "findings/op")
}
