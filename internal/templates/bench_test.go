package templates

import (
	"fmt"
	"strings"
	"testing"
)

// GenerateCorpus builds n realistic templates (a base layout, list and
// detail pages, forms, e-mail bodies) of a few kilobytes each, varied by
// index, for benchmarks.
func generateCorpus(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		var b strings.Builder
		switch i % 4 {
		case 0: // base layout
			fmt.Fprintf(&b, `{%% load static i18n %%}<!DOCTYPE html>
<html lang="{{ LANGUAGE_CODE }}"><head><meta charset="utf-8">
<title>{%% block title %%}Site %d{%% endblock %%}</title>
<link rel="stylesheet" href="{%% static 'css/site.css' %%}">
<script src="https://cdn.example.com/lib-%d.js" defer></script>
</head><body class="{%% block body_class %%}{%% endblock %%}">
<nav>{%% for item in menu %%}<a href="{{ item.url }}" class="{%% if item.active %%}active{%% endif %%}">{{ item.label }}</a>{%% endfor %%}</nav>
{%% if messages %%}<ul>{%% for m in messages %%}<li class="{{ m.tags }}">{{ m }}</li>{%% endfor %%}</ul>{%% endif %%}
<main>{%% block content %%}{%% endblock %%}</main>
<script>window.CONFIG = {{ config_json|safe }}; var user = "{{ request.user.username|escapejs }}";</script>
</body></html>
`, i, i)
		case 1: // list page
			b.WriteString("{% extends \"base.html\" %}\n{% block content %}\n<table>\n")
			for r := 0; r < 40; r++ {
				fmt.Fprintf(&b, `<tr class="{%% cycle 'odd' 'even' %%}"><td><a href="{%% url 'item' obj.pk %%}">{{ obj.name }}</a></td><td>{{ obj.price|floatformat:2 }}</td><td onclick="sel({{ obj.pk }})">{{ obj.created|date:"Y-m-d" }}</td></tr> {# row %d #}
`, r)
			}
			b.WriteString("</table>\n{% endblock %}\n")
		case 2: // form page
			b.WriteString("{% extends \"base.html\" %}\n{% block content %}\n")
			for f := 0; f < 10; f++ {
				fmt.Fprintf(&b, `<form method="post" action="{%% url 'edit' %d %%}">{%% csrf_token %%}
{%% for field in form %%}<div class="field">{{ field.label_tag }} <input name="{{ field.html_name }}" value="{{ field.value|default_if_none:'' }}">{{ field.errors }}</div>{%% endfor %%}
<button type="submit" onclick="return confirm('{{ confirm_text|escapejs }}')">{%% translate "Save" %%}</button></form>
`, f)
			}
			b.WriteString("{% endblock %}\n")
		case 3: // detail page with inline script
			fmt.Fprintf(&b, `{%% extends "base.html" %%}{%% block content %%}
<article><h1>{{ article.title }}</h1><div>{{ article.body|linebreaks }}</div>
{%% comment %%}old layout{%% endcomment %%}
{{ chart|json_script:"chart-%d" }}
<script>
  const data = JSON.parse(document.getElementById("chart-%d").textContent);
  for (let i = 0; i < data.length; i++) { if (data[i] / 2 > 1) { console.log(`+"`${data[i]}`"+`); } }
</script></article>{%% endblock %%}
`, i, i)
		}
		out[i] = []byte(b.String())
	}
	return out
}

// BenchmarkParse parses a generated corpus of 400 templates; it reports
// templates/s and, through SetBytes, MB/s.
func BenchmarkParse(b *testing.B) {
	corpus := generateCorpus(400)
	total := 0
	for _, c := range corpus {
		total += len(c)
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, c := range corpus {
			if _, err := Parse(fmt.Sprintf("t%d.html", j), c, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(corpus)*b.N)/b.Elapsed().Seconds(), "templates/s")
}

func TestGeneratedCorpusParses(t *testing.T) {
	for i, c := range generateCorpus(8) {
		tp, err := Parse("g.html", c, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(tp.Errors) != 0 {
			t.Errorf("template %d: %v", i, tp.Errors)
		}
		checkInvariants(t, tp)
	}
}
