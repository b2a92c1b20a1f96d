package templates

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (check, then run with -update):\n%s", path, got)
	}
}

// describe renders what the parser learnt about a template, for golden
// files: every variable with its position, filters, escaping and context,
// the block structure and the errors.
func describe(tp *Template) string {
	var b strings.Builder
	if tp.Extends != "" {
		fmt.Fprintf(&b, "extends %q\n", tp.Extends)
	}
	for _, i := range tp.Includes {
		fmt.Fprintf(&b, "include %s\n", tp.Tags[i].Content)
	}
	for _, i := range tp.Blocks {
		fmt.Fprintf(&b, "block %s\n", tp.Tags[i].Content)
	}
	for _, v := range tp.Vars {
		l, c := tp.Position(v.Start)
		var fs []string
		for _, f := range v.Filters {
			s := f.Name
			if f.Arg != "" {
				s += ":" + f.Arg
			}
			fs = append(fs, s)
		}
		esc := ""
		if !v.Autoescape {
			esc = " [autoescape off]"
		}
		fmt.Fprintf(&b, "%d:%d %s %v%s => %s\n", l, c, v.Base, fs, esc, v.Context)
	}
	for _, e := range tp.Errors {
		fmt.Fprintf(&b, "error %d:%d %s\n", e.Line, e.Col, e.Msg)
	}
	return b.String()
}

// TestContextsGolden pins the context of every variable of the fixtures.
// Update with: go test ./internal/templates -run Golden -update
func TestContextsGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/contexts/*")
	for _, file := range files {
		if strings.HasSuffix(file, ".golden") {
			continue
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			tp, err := Parse(file, src, OptionsFor(file))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, file+".golden", describe(tp))
		})
	}
}

// ctx parses src and returns the context of the variable whose base is name.
func ctx(t *testing.T, src, name string) HTMLContext {
	t.Helper()
	tp, err := Parse("t.html", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range tp.Vars {
		if v.Base == name {
			return v.Context
		}
	}
	t.Fatalf("no variable %s in %q", name, src)
	return HTMLContext{}
}

func TestContexts(t *testing.T) {
	tests := []struct {
		src, name string
		want      HTMLContext
	}{
		{`<p>{{ x }}</p>`, "x", HTMLContext{Kind: CtxText}},
		{`<p title="{{ x }}">`, "x", HTMLContext{Kind: CtxAttr, Element: "p", Attr: "title", Quote: '"', AtStart: true}},
		{`<p title='a {{ x }}'>`, "x", HTMLContext{Kind: CtxAttr, Element: "p", Attr: "title", Quote: '\''}},
		{`<p title={{ x }}>`, "x", HTMLContext{Kind: CtxAttr, Element: "p", Attr: "title", AtStart: true}},
		{`<P TITLE = {{ x }}>`, "x", HTMLContext{Kind: CtxAttr, Element: "p", Attr: "title", AtStart: true}},
		{`<a href="{{ x }}">`, "x", HTMLContext{Kind: CtxAttr, Element: "a", Attr: "href", Quote: '"', AttrKind: AttrURL, AtStart: true}},
		{`<a href="{% if a %}{{ x }}{% endif %}">`, "x", HTMLContext{Kind: CtxAttr, Element: "a", Attr: "href", Quote: '"', AttrKind: AttrURL, AtStart: true}},
		{`<a href="{% url 'a' %}{{ x }}">`, "x", HTMLContext{Kind: CtxAttr, Element: "a", Attr: "href", Quote: '"', AttrKind: AttrURL}},
		{`<a href='{% url 'a' %}' title="{{ x }}">`, "x", HTMLContext{Kind: CtxAttr, Element: "a", Attr: "title", Quote: '"', AtStart: true}},
		{`<img src="{{ x }}">`, "x", HTMLContext{Kind: CtxAttr, Element: "img", Attr: "src", Quote: '"', AtStart: true}},
		{`<b onclick="f('{{ x }}')">`, "x", HTMLContext{Kind: CtxAttr, Element: "b", Attr: "onclick", Quote: '"', AttrKind: AttrJS, JS: JSString, JSQuote: '\''}},
		{`<b onclick="f(&#39;{{ x }}')">`, "x", HTMLContext{Kind: CtxAttr, Element: "b", Attr: "onclick", Quote: '"', AttrKind: AttrJS, JS: JSString, JSQuote: '\''}},
		{`<b onclick="f({{ x }})">`, "x", HTMLContext{Kind: CtxAttr, Element: "b", Attr: "onclick", Quote: '"', AttrKind: AttrJS}},
		{`<b style="color:{{ x }}">`, "x", HTMLContext{Kind: CtxAttr, Element: "b", Attr: "style", Quote: '"', AttrKind: AttrStyle}},
		{`<input {{ x }}>`, "x", HTMLContext{Kind: CtxTag, Element: "input"}},
		{`<h{{ x }} class="a">`, "x", HTMLContext{Kind: CtxTag, Element: "h{{ x }}"}},
		{`<script>f({{ x }})</script>`, "x", HTMLContext{Kind: CtxScript, Element: "script"}},
		{`<script>f("{{ x }}")</script>`, "x", HTMLContext{Kind: CtxScript, Element: "script", JS: JSString, JSQuote: '"'}},
		{`<script>f("</p>{{ x }}")</script>`, "x", HTMLContext{Kind: CtxScript, Element: "script", JS: JSString, JSQuote: '"'}},
		{`<script>a = b / {{ x }}</script>`, "x", HTMLContext{Kind: CtxScript, Element: "script"}},
		{`<script>a = (b) / {{ x }} /</script>`, "x", HTMLContext{Kind: CtxScript, Element: "script"}},
		{`<script>a = [/{{ x }}/]</script>`, "x", HTMLContext{Kind: CtxScript, Element: "script", JS: JSRegexp, JSQuote: '/'}},
		{"<script>a = `${b}{{ x }}`</script>", "x", HTMLContext{Kind: CtxScript, Element: "script", JS: JSTemplate, JSQuote: '`'}},
		{"<script>a = `${ {b: 1}[{{ x }}] }`</script>", "x", HTMLContext{Kind: CtxScript, Element: "script"}},
		{"<script>// {{ x }}\n</script>", "x", HTMLContext{Kind: CtxScript, Element: "script", JS: JSComment, JSQuote: '/'}},
		{"<script>// a\n{{ x }}</script>", "x", HTMLContext{Kind: CtxScript, Element: "script"}},
		{"<script>/* a */ {{ x }}</script>", "x", HTMLContext{Kind: CtxScript, Element: "script"}},
		{"<script>'a\\'{{ x }}'</script>", "x", HTMLContext{Kind: CtxScript, Element: "script", JS: JSString, JSQuote: '\''}},
		{`<script type="text/template"><b>{{ x }}</b></script>`, "x", HTMLContext{Kind: CtxScript, Element: "script", ScriptType: "text/template"}},
		{`<style>a{color:{{ x }}}</style>`, "x", HTMLContext{Kind: CtxStyle, Element: "style"}},
		{`<textarea>{{ x }}</textarea>`, "x", HTMLContext{Kind: CtxText, Element: "textarea"}},
		{`<!-- {{ x }} -->`, "x", HTMLContext{Kind: CtxComment}},
		{`<p>{# <script> #}{{ x }}</p>`, "x", HTMLContext{Kind: CtxText}},
		{`{% comment %}<script>{% endcomment %}{{ x }}`, "x", HTMLContext{Kind: CtxText}},
		{`<p title="{% trans 'a"b' %}" id="{{ x }}">`, "x", HTMLContext{Kind: CtxAttr, Element: "p", Attr: "id", Quote: '"', AtStart: true}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			if got := ctx(t, tt.src, tt.name); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestPlainTemplates(t *testing.T) {
	for _, p := range []string{"templates/mail/body.txt", "jinja2/mail.txt.j2"} {
		o := OptionsFor(p)
		if !o.Plain {
			t.Errorf("%s: not plain", p)
		}
		tp, err := Parse(p, []byte("<script>{{ x }}</script>"), o)
		if err != nil {
			t.Fatal(err)
		}
		if tp.Vars[0].Context.Kind != CtxPlain || tp.Elements != nil {
			t.Errorf("%s: got %v, %d elements", p, tp.Vars[0].Context, len(tp.Elements))
		}
	}
	if o := OptionsFor("app/jinja2/app/page.html"); o.Dialect != Jinja2 || o.Plain {
		t.Errorf("jinja2 dir: %+v", o)
	}
	if o := OptionsFor("app/templates/app/page.HTML"); o.Dialect != Django || o.Plain {
		t.Errorf("templates dir: %+v", o)
	}
}

func TestFilters(t *testing.T) {
	tp, err := Parse("t.html", []byte(`{{ a.b|default:"x|y" | date:'Y:m' |safe|truncate(10, true) }}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := tp.Vars[0]
	want := []Filter{{Name: "default", Arg: `"x|y"`}, {Name: "date", Arg: `'Y:m'`}, {Name: "safe"}, {Name: "truncate", Arg: "(10, true)"}}
	if v.Base != "a.b" || len(v.Filters) != len(want) {
		t.Fatalf("got %q %+v", v.Base, v.Filters)
	}
	for i, f := range v.Filters {
		if f.Name != want[i].Name || f.Arg != want[i].Arg {
			t.Errorf("filter %d: got %+v, want %+v", i, f, want[i])
		}
		if got := string(tp.Src[f.Offset : f.Offset+len(f.Name)]); got != f.Name {
			t.Errorf("filter %d: offset points at %q", i, got)
		}
	}
	for _, lit := range []string{`"a"`, `'a'`, `_("a")`, `12`, `-1.5`} {
		if !isLiteral(lit) {
			t.Errorf("%s: not a literal", lit)
		}
	}
	for _, nl := range []string{`a`, `"a" ~ b ~ "c"`, `a.0`, `""a""`} {
		if isLiteral(nl) {
			t.Errorf("%s: literal", nl)
		}
	}
}

func TestBlockStructure(t *testing.T) {
	src := `{% extends "base.html" %}{% block a %}{% if x %}{% include "p.html" with y=1 %}{% else %}{{ v }}{% endif %}{% endblock a %}{% block b %}{% endblock %}`
	tp, err := Parse("t.html", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tp.Extends != "base.html" || len(tp.Includes) != 1 || len(tp.Blocks) != 2 || len(tp.Errors) != 0 {
		t.Fatalf("extends %q includes %d blocks %d errors %v", tp.Extends, len(tp.Includes), len(tp.Blocks), tp.Errors)
	}
	if got := tp.Tags[tp.Includes[0]].TagArgName(); got != "p.html" {
		t.Errorf("include name %q", got)
	}
	v := tp.Vars[0]
	if tp.Tags[v.Parent].Name != "if" || tp.Tags[tp.Tags[v.Parent].Parent].Name != "block" {
		t.Errorf("variable parent chain wrong: %+v", tp.Tags[v.Parent])
	}
	blockA := tp.Tags[tp.Blocks[0]]
	if blockA.Close < 0 || tp.Tags[blockA.Close].Name != "endblock" {
		t.Errorf("block a not closed: %+v", blockA)
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name, src string
		errs      []string
	}{
		{"unclosed block", "{% if a %}{{ x }}", []string{"{% if %} is never closed"}},
		{"stray end", "{% endif %}", []string{"closes nothing"}},
		{"crossed blocks", "{% if a %}{% for b in c %}{% endif %}{% endfor %}", []string{"{% for %} is not closed before {% endif %}", "closes nothing"}},
		{"empty var", "{{ }}", []string{"empty variable tag"}},
		{"unterminated tag", "<p>{% if a </p>", []string{"unterminated tag token"}},
		{"unterminated attribute quote", `<a href="{{ x }}>text`, nil},
		{"binary junk", "\x00\xff\xfe{{\x00}}<\x00script>{{ x }}", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, err := Parse("t.html", []byte(tt.src), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(tp.Errors) != len(tt.errs) {
				t.Fatalf("got errors %v, want %v", tp.Errors, tt.errs)
			}
			for i, e := range tp.Errors {
				if !strings.Contains(e.Msg, tt.errs[i]) {
					t.Errorf("error %d: %q does not contain %q", i, e.Msg, tt.errs[i])
				}
				if e.Line < 1 || e.Col < 1 || !strings.HasPrefix(e.Error(), "t.html:") {
					t.Errorf("error %d without position: %v", i, e)
				}
			}
		})
	}
}

func TestLimits(t *testing.T) {
	_, err := Parse("big.html", make([]byte, 2048), Options{MaxSize: 1024})
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Size != 2048 || !strings.Contains(err.Error(), "big.html") {
		t.Fatalf("got %v, want a TooLargeError", err)
	}
	deep := strings.Repeat("{% if a %}", 500) + "{{ x }}" + strings.Repeat("{% endif %}", 500)
	tp, err := Parse("deep.html", []byte(deep), Options{MaxDepth: 50})
	if err != nil {
		t.Fatal(err)
	}
	maxDepth := 0
	for _, tag := range tp.Tags {
		maxDepth = max(maxDepth, tag.Depth)
	}
	if maxDepth > 50 || len(tp.Errors) == 0 || len(tp.Vars) != 1 {
		t.Errorf("depth %d, %d errors, %d vars", maxDepth, len(tp.Errors), len(tp.Vars))
	}
	// deep template-literal nesting is bounded too
	js := "<script>`" + strings.Repeat("${`", 10000) + "{{ x }}</script>"
	if _, err := Parse("js.html", []byte(js), Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestPosition(t *testing.T) {
	tp, err := Parse("t.html", []byte("ab\ncé{{ x }}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if l, c := tp.Position(tp.Vars[0].Start); l != 2 || c != 4 {
		t.Errorf("got %d:%d, want 2:4 (byte columns)", l, c)
	}
	if l, c := tp.Position(0); l != 1 || c != 1 {
		t.Errorf("start: %d:%d", l, c)
	}
}

func TestInlineScripts(t *testing.T) {
	src := `<script>a()</script><script nonce="{{ n }}">b()</script><script src="x.js"></script>
<script type="application/json">{}</script><script> </script>
<a href=" JavaScript:go()" onclick="c()" onmouseover="">x</a><div x-on:click="d()">`
	tp, err := Parse("t.html", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range InlineScripts(tp) {
		got = append(got, fmt.Sprintf("%s %s %v", in.Kind, in.Attr, in.Nonce))
	}
	want := []string{"inline <script>  false", "inline <script>  true", "javascript: URL href false", "inline event handler onclick false"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestJinjaBlocks(t *testing.T) {
	src := "{% set a = 1 %}{% set b %}x{% endset %}{% macro m(x) %}{{ x }}{% endmacro %}" +
		"{% autoescape false %}{{ y }}{% endautoescape %}{{ z }}"
	tp, err := Parse("t.j2", []byte(src), Options{Dialect: Jinja2})
	if err != nil {
		t.Fatal(err)
	}
	if len(tp.Errors) != 0 {
		t.Fatalf("errors: %v", tp.Errors)
	}
	if tp.Tags[0].Close != -1 || tp.Tags[1].Close < 0 {
		t.Errorf("set with = must not open a block, set without must: %+v %+v", tp.Tags[0], tp.Tags[1])
	}
	esc := map[string]bool{}
	for _, v := range tp.Vars {
		esc[v.Base] = v.Autoescape
	}
	if !esc["x"] || esc["y"] || !esc["z"] {
		t.Errorf("autoescape per variable: %v", esc)
	}
}

func TestEmbeddedContexts(t *testing.T) {
	parent, err := Parse("base.html", []byte(`<script>var a = "{% block s %}{% endblock %}"; {% block c %}{% endblock %}</script><a href="{% block h %}{% endblock %}" onclick="f('{% block j %}{% endblock %}')">{% block t %}{% endblock %}</a>`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	child, err := Parse("child.html", []byte(`{% extends "base.html" %}{% block s %}x{{ s }}{% endblock %}{% block c %}{{ c }} "{{ c2 }}"{% endblock %}{% block h %}{{ h }}/{{ h2 }}{% endblock %}{% block j %}{{ j }}{% endblock %}{% block t %}{{ t }}{% endblock %}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	blockAt := func(tp *Template, name string) *Tag {
		for _, i := range tp.Blocks {
			if tp.Tags[i].Args[0] == name {
				return &tp.Tags[i]
			}
		}
		t.Fatalf("no block %s", name)
		return nil
	}
	got := map[string]string{}
	tagParent, err := Parse("input.html", []byte(`<input type="text"{% block attrs %}{% endblock %}>`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tagChild, err := Parse("attrs.html", []byte(`{% block attrs %} {{ an }}="{{ av }}" title={{ au }} onclick="f('{{ ah }}')" {{ an2 }}{% endblock %}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	pt, ct := &tagParent.Tags[tagParent.Blocks[0]], &tagChild.Tags[tagChild.Blocks[0]]
	for i, c := range EmbeddedContexts(tagParent, pt.Start, tagChild, ct.End, tagChild.Tags[ct.Close].Start) {
		got[tagChild.Vars[i].Base] = fmt.Sprintf("%s %v", c, c.AtStart)
	}
	for _, name := range []string{"s", "c", "h", "j", "t"} {
		pt, ct := blockAt(parent, name), blockAt(child, name)
		for i, c := range EmbeddedContexts(parent, pt.Start, child, ct.End, child.Tags[ct.Close].Start) {
			got[child.Vars[i].Base] = fmt.Sprintf("%s %v", c, c.AtStart)
		}
	}
	want := map[string]string{
		"s":   "<script> (javascript string) false",
		"c":   "<script> (javascript code) false",
		"c2":  "<script> (javascript string) false",
		"h":   "quoted url attribute href of <a> true",
		"h2":  "quoted url attribute href of <a> false",
		"j":   "quoted javascript attribute onclick of <a> (javascript string) false",
		"an":  "inside the tag <input> false",
		"av":  "quoted plain attribute {{ an }} of <input> true",
		"au":  "unquoted plain attribute title of <input> true",
		"ah":  "quoted javascript attribute onclick of <input> (javascript string) false",
		"an2": "inside the tag <input> false",
	}
	if len(got) != len(want) {
		t.Errorf("got %v", got)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
}
