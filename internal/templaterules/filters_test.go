package templaterules

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/templates"
)

const djangoPython = "/usr/bin/python3"

func needDjango(t *testing.T) {
	t.Helper()
	if err := exec.Command(djangoPython, "-c", "import django").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s cannot import django (apt-get install python3-django): %v", djangoPython, err)
		}
		t.Skipf("%s cannot import django (apt-get install python3-django)", djangoPython)
	}
}

func djangoRender(t *testing.T, srcs []string, ctx map[string]any) []string {
	t.Helper()
	in, _ := json.Marshal(map[string]any{"templates": srcs, "context": ctx})
	cmd := exec.Command(djangoPython, "testdata/django/render.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("render.py: %v\n%s", err, stderr.String())
	}
	var res []string
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// builtinFilters are Django's built-in filters, with an argument where one
// is needed.
var builtinFilters = []string{
	"add:'q'", "addslashes", "capfirst", "center:'20'", "cut:'z'", "date:'Y'", "default:'a'",
	"default_if_none:'a'", "divisibleby:'2'", "escape", "escapejs", "filesizeformat", "first",
	"floatformat", "force_escape", "iriencode", "join:','", "json_script:'i'", "last", "length",
	"length_is:'3'", "linebreaks", "linebreaksbr", "linenumbers", "ljust:'20'", "lower", "make_list",
	"phone2numeric", "pluralize", "random", "rjust:'20'", "slice:':30'", "slugify", "stringformat:'s'",
	"striptags", "time:'H'", "timesince", "timeuntil", "title", "truncatechars:'30'",
	"truncatechars_html:'30'", "truncatewords:'9'", "truncatewords_html:'9'", "unordered_list", "upper",
	"urlencode", "urlize", "urlizetrunc:'30'", "wordcount", "wordwrap:'5'", "yesno",
}

// TestFilterAssumptionsMatchDjango renders, with Django, every filter that
// the rules count as making |safe harmless (before it or after it) and
// checks that markup in the value really does not come out raw. It also
// confirms that |safe|escape leaves markup raw, which is why DJG301 reports
// it.
func TestFilterAssumptionsMatchDjango(t *testing.T) {
	needDjango(t)
	const payload = `<b onmouseover="x">'`
	var srcs, what []string
	for _, f := range builtinFilters {
		name := f
		if i := strings.IndexByte(f, ':'); i >= 0 {
			name = f[:i]
		}
		if escapesBeforeSafe(name) {
			srcs = append(srcs, "{{ x|"+f+"|safe }}")
			what = append(what, "before")
		}
		if neutralAfterSafe(name, templates.Django) {
			srcs = append(srcs, "{{ x|safe|"+f+" }}")
			what = append(what, "after")
		}
	}
	srcs = append(srcs, "{{ x|safe|escape }}")
	out := djangoRender(t, srcs, map[string]any{"x": payload})
	for i, src := range srcs[:len(srcs)-1] {
		// a filter that raises renders nothing: the page fails instead
		if !strings.HasPrefix(out[i], "!error:") && strings.Contains(out[i], "<b") {
			t.Errorf("%s (counted harmless %s |safe) renders raw markup: %q", src, what[i], out[i])
		}
	}
	if last := out[len(out)-1]; !strings.Contains(last, "<b") {
		t.Errorf("{{ x|safe|escape }} is expected to stay raw in Django, got %q", last)
	}
}

// TestJSAssumptionsMatchDjango checks the facts DJG303/DJG304 rely on:
// |escapejs escapes quotes, backslashes, line breaks and < but not ${ or /,
// and HTML escaping writes ' as an entity (decoded again in attributes).
func TestJSAssumptionsMatchDjango(t *testing.T) {
	needDjango(t)
	out := djangoRender(t, []string{"{{ x|escapejs }}", "{{ x }}"}, map[string]any{"x": "'\"\\\n<${a}*/"})
	esc, html := out[0], out[1]
	for _, raw := range []string{"'", `"`, "\n", "<"} {
		if strings.Contains(esc, raw) {
			t.Errorf("escapejs leaves %q: %q", raw, esc)
		}
	}
	for _, kept := range []string{"${a}", "*/"} {
		if !strings.Contains(esc, kept) {
			t.Errorf("escapejs is assumed to leave %q alone (so it does not protect template literals and comments): %q", kept, esc)
		}
	}
	if !strings.Contains(html, "&#x27;") && !strings.Contains(html, "&#39;") {
		t.Errorf("HTML escaping of ' is assumed to be an entity: %q", html)
	}
	if !strings.Contains(html, "\\") || !strings.Contains(html, "\n") {
		t.Errorf("HTML escaping is assumed to leave backslash and newline: %q", html)
	}
}
